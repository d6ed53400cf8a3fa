package io.vectorflow.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.Database;
import io.vectorflow.storage.CollectionStore;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Prometheus metrics of one server ({@code GET /metrics}): request counts and latency
 * histograms per endpoint and method (Armeria's, named {@code vectorflow_http_*} and
 * {@code vectorflow_grpc_*}), JVM memory, GC, threads and CPU, the process's resident memory,
 * mappings and open files, and per collection:
 * points, segments, points waiting for the indexer, bytes on disk, write-ahead-log bytes and
 * fsyncs (count and seconds), compactions and their bytes, the estimated recall per strategy
 * and ef range, and bytes per component in RAM and on disk.
 *
 * <p>Collection meters are (re)registered at each scrape, so collections created or dropped
 * since show up or go. Collection names are label values: when tenants arrive, this endpoint is
 * the one place to guard.
 */
final class ServerMetrics {

    /** Latency histogram bucket bounds, in nanoseconds: 0.1 ms to 10 s. */
    private static final double[] LATENCY_BUCKETS = java.util.stream.DoubleStream.of(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50,
            100, 250, 500, 1_000, 2_500, 10_000).map(ms -> ms * 1e6).toArray();

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Database db;
    private final Set<String> registered = new HashSet<>();

    ServerMetrics(Database db) {
        this.db = db;
        // Request latencies as histograms (0.1 ms to 10 s), so p50/p99 can be computed per route.
        registry.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
            @Override
            public io.micrometer.core.instrument.distribution.DistributionStatisticConfig configure(
                    io.micrometer.core.instrument.Meter.Id id, io.micrometer.core.instrument.distribution.DistributionStatisticConfig c) {
                if (id.getType() == Meter.Type.TIMER && (id.getName().startsWith("vectorflow.http")
                        || id.getName().startsWith("vectorflow.grpc"))) {
                    return io.micrometer.core.instrument.distribution.DistributionStatisticConfig.builder()
                            .serviceLevelObjectives(LATENCY_BUCKETS).build().merge(c);
                }
                return c;
            }
        });
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        ProcessStats self = ProcessStats.self();
        Gauge.builder("process.resident.memory", self, ProcessStats::residentBytes).baseUnit("bytes")
                .description("resident memory of the server process").register(registry);
        Gauge.builder("process.resident.anonymous.memory", self, ProcessStats::anonymousBytes).baseUnit("bytes")
                .description("resident anonymous memory (heap and native blocks, not file pages)").register(registry);
        Gauge.builder("process.memory.mappings", self, ProcessStats::mappings)
                .description("memory mappings of the server process").register(registry);
        Gauge.builder("process.open.files", self, ProcessStats::openFiles)
                .description("open file descriptors of the server process").register(registry);
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The text exposition of every metric, collection meters brought up to date first. */
    synchronized String scrape() {
        Set<String> now = new HashSet<>();
        for (String tenant : db.listTenants()) { // outside the default tenant a collection is labelled tenant/name
            Database t = db.tenant(tenant);
            String prefix = tenant.equals(db.tenantName()) ? "" : tenant + "/";
            t.listCollections().forEach(n -> now.add(prefix + n));
        }
        for (String gone : registered) {
            if (!now.contains(gone)) {
                List<Meter> meters = registry.getMeters().stream()
                        .filter(m -> gone.equals(m.getId().getTag("collection"))).toList();
                meters.forEach(registry::remove);
            }
        }
        registered.retainAll(now);
        for (String name : now) {
            if (registered.add(name)) {
                register(name);
            }
            registerRecall(name);
        }
        // Meters without a description (Armeria's, the JVM's) get their name as help text: an
        // empty HELP line is valid but some parsers refuse it.
        return EMPTY_HELP.matcher(registry.scrape()).replaceAll("# HELP $1 $1") + memory(now);
    }

    /**
     * {@code vectorflow_collection_memory_bytes}: each collection's bytes per component and tier,
     * counted once per scrape and written as text rather than registered as meters, so an idle
     * collection costs no meter objects; components holding nothing are left out.
     */
    private String memory(Set<String> names) {
        StringBuilder out = new StringBuilder(256);
        out.append("# HELP vectorflow_collection_memory_bytes bytes a collection holds per component and tier ")
                .append("(ram: held by the process; disk: its files)\n# TYPE vectorflow_collection_memory_bytes gauge\n");
        for (String name : new java.util.TreeSet<>(names)) {
            Collection c = collection(name);
            if (c == null) {
                continue;
            }
            io.vectorflow.storage.MemoryUsage u = c.memoryUsage();
            for (String component : io.vectorflow.storage.MemoryUsage.COMPONENTS) {
                line(out, name, component, "ram", u.ram(component));
                line(out, name, component, "disk", u.disk(component));
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String collection, String component, String tier, long bytes) {
        if (bytes > 0) { // tenant and collection names are letters, digits, '_', '-' and '.': no label escaping needed
            out.append("vectorflow_collection_memory_bytes{collection=\"").append(collection).append("\",component=\"")
                    .append(component).append("\",tier=\"").append(tier).append("\"} ").append(bytes).append('\n');
        }
    }

    private static final java.util.regex.Pattern EMPTY_HELP = java.util.regex.Pattern.compile("(?m)^# HELP (\\S+)[ \\t]*$");

    private Collection collection(String name) {
        try {
            int slash = name.indexOf('/');
            return slash < 0 ? db.collection(name) : db.tenant(name.substring(0, slash)).collection(name.substring(slash + 1));
        } catch (RuntimeException e) {
            return null; // dropped or failed: report NaN
        }
    }

    private double value(String name, java.util.function.ToDoubleFunction<Collection> f) {
        Collection c = collection(name);
        return c == null ? Double.NaN : f.applyAsDouble(c);
    }

    private CollectionStore.Stats stats(String name) {
        Collection c = collection(name);
        return c == null ? new CollectionStore.Stats(0, 0, 0, 0, 0) : c.store().stats();
    }

    private void register(String name) {
        Gauge.builder("vectorflow.collection.points", () -> value(name, c -> c.count(null))).tag("collection", name)
                .description("points in the collection").register(registry);
        Gauge.builder("vectorflow.collection.segments", () -> value(name, Collection::segmentCount)).tag("collection", name)
                .description("segments searched, the in-memory one included").register(registry);
        Gauge.builder("vectorflow.collection.unindexed.points", () -> value(name, c -> c.store().unindexedPoints()))
                .tag("collection", name).description("points written but not yet linked into the graph (indexer lag)")
                .register(registry);
        Gauge.builder("vectorflow.collection.disk", () -> value(name, Collection::bytesOnDisk)).tag("collection", name)
                .baseUnit("bytes").description("bytes of the collection's files").register(registry);
        FunctionCounter.builder("vectorflow.wal.written", name, n -> stats(n).walBytes()).tag("collection", name)
                .baseUnit("bytes").description("bytes appended to the write-ahead log since start").register(registry);
        FunctionTimer.builder("vectorflow.wal.fsync", name, n -> stats(n).walForces(), n -> stats(n).walForceNanos(),
                TimeUnit.NANOSECONDS).tag("collection", name).description("write-ahead log forces (group commits)")
                .register(registry);
        FunctionCounter.builder("vectorflow.compactions", name, n -> stats(n).compactions()).tag("collection", name)
                .description("segment merges committed since start").register(registry);
        FunctionCounter.builder("vectorflow.compaction.written", name, n -> stats(n).compactionBytes()).tag("collection", name)
                .baseUnit("bytes").description("bytes of merged segments written since start").register(registry);
    }

    private void registerRecall(String name) {
        Collection c = collection(name);
        if (c == null) {
            return;
        }
        c.recallEstimates().forEach((range, est) -> {
            String[] parts = range.split(" ef ");
            Gauge.builder("vectorflow.estimated.recall", () -> {
                Collection now = collection(name);
                var e = now == null ? null : now.recallEstimates().get(range);
                return e == null ? Double.NaN : e.recall();
            }).tag("collection", name).tag("strategy", parts[0]).tag("ef", parts.length > 1 ? parts[1] : "")
                    .description("recall@k of sampled searches re-run exactly").register(registry);
        });
    }
}
