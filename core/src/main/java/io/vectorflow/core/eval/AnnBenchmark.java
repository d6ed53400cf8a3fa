package io.vectorflow.core.eval;

import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.search.ExactSearch;
import io.vectorflow.core.search.SearchResults;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.core.vector.VectorUtil;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The harness behind {@code vectorflow bench}: builds an HNSW index over a data set, then for each
 * beam width measures recall@k against exact ground truth, single-thread latency percentiles and
 * QPS, QPS on all threads, distance evaluations and bytes allocated per query.
 *
 * <p>Timing discipline: every ef is warmed up first (so the JIT has compiled the search loop),
 * then each measurement repeats the query set until it has run for at least the configured
 * duration, so small query sets still give stable figures.
 */
public final class AnnBenchmark {

    /**
     * What to run.
     *
     * @param warmBuild build the index once untimed before the timed build, so short builds are
     *                  measured with compiled code (as a native engine would run) rather than
     *                  mostly in the JIT's warm-up
     */
    public record Config(Metric metric, HnswParams params, int[] efs, int threads, int k, double secondsPerMeasurement,
                         boolean warmBuild) {
        public Config {
            if (k <= 0) {
                throw new IllegalArgumentException("k must be positive: " + k);
            }
            if (threads <= 0) {
                throw new IllegalArgumentException("threads must be positive: " + threads);
            }
            if (efs.length == 0) {
                throw new IllegalArgumentException("give at least one ef");
            }
        }
    }

    /** One row: the figures for one beam width. */
    public record Row(int ef, double recall, double qps1t, double qpsAll, double p50us, double p99us,
                      double p999us, double distEvals, double allocBytesPerQuery) {}

    /** The whole run. */
    public record Result(String engine, String dataset, int n, int dim, String metric, int m, int efConstruction,
                         int threads, int k, double buildSeconds, double bytesPerVector, String kernels,
                         List<Row> results) {}

    private final Dataset data;
    private final Config config;
    private final Consumer<String> log;

    public AnnBenchmark(Dataset data, Config config, Consumer<String> log) {
        this.data = data;
        this.config = config;
        this.log = log == null ? s -> { } : log;
    }

    public Result run() throws InterruptedException {
        int n = data.base().length;
        int dim = data.dimension();
        Metric metric = config.metric();
        if (config.warmBuild()) {
            log.accept("warm-up build (untimed)");
            build(newIndex(), n);
        }
        HnswIndex index = newIndex();
        VectorStore store = index.vectors();
        double buildSeconds = build(index, n);
        double bytesPerVector = (store.bytesUsed() + index.graphBytesUsed()) / (double) n;
        log.accept(String.format("built %,d × %d in %.2f s (%,.0f vectors/s, %d thread%s), %.0f bytes/vector",
                n, dim, buildSeconds, n / buildSeconds, config.threads(), config.threads() == 1 ? "" : "s", bytesPerVector));

        int[][] truth = groundTruth(store);
        List<Row> rows = new ArrayList<>();
        for (int ef : config.efs()) {
            measure(index, ef, truth, 0.2); // warm-up: compile the search loop for this ef
        }
        for (int ef : config.efs()) {
            Row row = measure(index, ef, truth, config.secondsPerMeasurement());
            rows.add(row);
            log.accept(String.format("ef=%d recall@%d=%.4f qps(1t)=%,.0f", ef, config.k(), row.recall(), row.qps1t()));
        }
        return new Result("vectorflow", data.name(), n, dim, metric.name(), config.params().m(),
                config.params().efConstruction(), config.threads(), config.k(), buildSeconds, bytesPerVector,
                VectorUtil.kernels().name(), rows);
    }

    private HnswIndex newIndex() {
        VectorStore store = VectorStore.allocate(data.dimension(), data.base().length);
        for (float[] v : data.base()) {
            store.append(config.metric().prepare(v));
        }
        return new HnswIndex(store, config.metric(), config.params());
    }

    private double build(HnswIndex index, int n) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Throwable> error = new java.util.concurrent.atomic.AtomicReference<>();
        int threads = config.threads();
        CountDownLatch finished = new CountDownLatch(threads);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    for (int ord; (ord = next.getAndIncrement()) < n; ) {
                        index.insert(ord);
                        done.incrementAndGet();
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                    next.set(n);
                } finally {
                    finished.countDown();
                }
            }, "hnsw-build-" + t);
            worker.setDaemon(true);
            worker.start();
        }
        while (!finished.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
            int d = done.get();
            double secs = (System.nanoTime() - start) / 1e9;
            log.accept(String.format("building: %d%% (%,d/%,d) %.0f s, %,.0f vectors/s", 100L * d / n, d, n, secs, d / secs));
        }
        if (error.get() != null) {
            throw new IllegalStateException("index build failed", error.get());
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private int[][] groundTruth(VectorStore store) {
        int k = config.k();
        int[][] given = data.groundTruth();
        boolean usable = given != null && config.metric() == Metrics.EUCLIDEAN
                && Arrays.stream(given).allMatch(row -> row.length >= k);
        if (usable) {
            return given;
        }
        log.accept("computing exact ground truth for " + config.metric().name() + " (k=" + k + ")");
        return new ExactSearch(store, config.metric()).searchAll(data.queries(), k,
                Runtime.getRuntime().availableProcessors(), null);
    }

    private Row measure(HnswIndex index, int ef, int[][] truth, double seconds) throws InterruptedException {
        float[][] queries = data.queries();
        int k = config.k();
        int nq = queries.length;
        SearchResults out = new SearchResults(k);

        // One pass for recall, work per query and bytes allocated per query (after warm-up; the
        // pass itself allocates nothing, so whatever the thread allocates is the search's).
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        double recallSum = 0;
        long evals = 0;
        long allocBefore = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < nq; i++) {
            index.search(queries[i], k, ef, null, out);
            recallSum += recall(out, truth[i], k);
            evals += out.distanceEvaluations();
        }
        double allocPerQuery = (mx.getThreadAllocatedBytes(tid) - allocBefore) / (double) nq;

        // Single thread: per-query latency, repeated until the time budget is spent.
        long[] latencies = new long[Math.max(nq, 1024)];
        int count = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        do {
            for (int i = 0; i < nq; i++) {
                long t0 = System.nanoTime();
                index.search(queries[i], k, ef, null, out);
                long t1 = System.nanoTime();
                if (count == latencies.length) {
                    latencies = Arrays.copyOf(latencies, count * 2);
                }
                latencies[count++] = t1 - t0;
            }
        } while (System.nanoTime() < deadline);
        long elapsed = System.nanoTime() - start;
        double qps1 = count / (elapsed / 1e9);
        long[] sorted = Arrays.copyOf(latencies, count);
        Arrays.sort(sorted);

        double qpsAll = config.threads() == 1 ? qps1 : multiThreadQps(index, ef, seconds);
        return new Row(ef, recallSum / nq, qps1, qpsAll, percentile(sorted, 0.50) / 1e3,
                percentile(sorted, 0.99) / 1e3, percentile(sorted, 0.999) / 1e3, evals / (double) nq, allocPerQuery);
    }

    private double multiThreadQps(HnswIndex index, int ef, double seconds) throws InterruptedException {
        int threads = config.threads();
        float[][] queries = data.queries();
        AtomicLong total = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        Thread[] workers = new Thread[threads];
        long[] deadline = new long[1];
        for (int t = 0; t < threads; t++) {
            int offset = t * Math.max(1, queries.length / threads);
            workers[t] = new Thread(() -> {
                SearchResults out = new SearchResults(config.k());
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long local = 0;
                do {
                    for (int i = 0; i < queries.length; i++) {
                        index.search(queries[(i + offset) % queries.length], config.k(), ef, null, out);
                    }
                    local += queries.length;
                } while (System.nanoTime() < deadline[0]);
                total.addAndGet(local);
            });
            workers[t].start();
        }
        ready.await();
        long start = System.nanoTime();
        deadline[0] = start + (long) (seconds * 1e9);
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        return total.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** Share of the true top k found in the result. */
    static double recall(SearchResults out, int[] truth, int k) {
        int hits = 0;
        int limit = Math.min(k, truth.length);
        for (int i = 0; i < out.size(); i++) {
            int ord = out.ordinal(i);
            for (int j = 0; j < limit; j++) {
                if (truth[j] == ord) {
                    hits++;
                    break;
                }
            }
        }
        return hits / (double) limit;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
