package io.vectorflow.core.eval;

import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.search.ExactSearch;
import io.vectorflow.core.store.VectorStore;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The harness behind {@code vectorflow bench} and the peer comparison: builds an index over a data
 * set, then for each beam width measures recall@k against exact ground truth, single-thread
 * latency percentiles and QPS, QPS on all threads, distance evaluations and bytes allocated per
 * query. Every engine ({@link AnnEngine}) is measured by the same loops.
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

    /**
     * The whole run, in the JSON shape of {@link #toMap}.
     *
     * @param kernels the SIMD implementation the engine reported using
     */
    public record Result(String engine, String dataset, int n, int dim, String metric, int m, int efConstruction,
                         int threads, int k, double buildSeconds, double bytesPerVector, String kernels,
                         List<Row> results) {

        /**
         * The JSON shape every tool reads and writes ({@code vectorflow bench --json}, the peer
         * comparison, the CI guard): snake_case keys, one object per ef under {@code results}.
         */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("engine", engine);
            m.put("dataset", dataset);
            m.put("n", n);
            m.put("dim", dim);
            m.put("metric", metric);
            m.put("m", this.m);
            m.put("ef_construction", efConstruction);
            m.put("threads", threads);
            m.put("k", k);
            m.put("build_seconds", buildSeconds);
            m.put("bytes_per_vector", bytesPerVector);
            m.put("kernels", kernels);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Row row : results) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("ef", row.ef());
                x.put("recall", row.recall());
                x.put("qps_1t", row.qps1t());
                x.put("qps_all", row.qpsAll());
                x.put("p50_us", row.p50us());
                x.put("p99_us", row.p99us());
                x.put("p999_us", row.p999us());
                x.put("dist_evals", row.distEvals());
                x.put("alloc_bytes_per_query", row.allocBytesPerQuery());
                rows.add(x);
            }
            m.put("results", rows);
            return m;
        }

        /** Reads the shape {@link #toMap} writes (as parsed by any JSON library into maps and lists). */
        @SuppressWarnings("unchecked")
        public static Result fromMap(Map<String, Object> m) {
            List<Row> rows = new ArrayList<>();
            for (Map<String, Object> x : (List<Map<String, Object>>) m.get("results")) {
                rows.add(new Row(num(x, "ef").intValue(), num(x, "recall").doubleValue(), num(x, "qps_1t").doubleValue(),
                        num(x, "qps_all").doubleValue(), num(x, "p50_us").doubleValue(), num(x, "p99_us").doubleValue(),
                        num(x, "p999_us").doubleValue(), num(x, "dist_evals").doubleValue(),
                        x.get("alloc_bytes_per_query") == null ? Double.NaN : num(x, "alloc_bytes_per_query").doubleValue()));
            }
            return new Result((String) m.get("engine"), (String) m.get("dataset"), num(m, "n").intValue(),
                    num(m, "dim").intValue(), (String) m.get("metric"), num(m, "m").intValue(),
                    num(m, "ef_construction").intValue(), num(m, "threads").intValue(), num(m, "k").intValue(),
                    num(m, "build_seconds").doubleValue(), num(m, "bytes_per_vector").doubleValue(),
                    String.valueOf(m.get("kernels")), rows);
        }

        private static Number num(Map<String, Object> m, String key) {
            Object v = m.get(key);
            if (v instanceof Number n) {
                return n;
            }
            throw new IllegalArgumentException("benchmark result: '" + key + "' missing or not a number: " + v);
        }

        /**
         * The highest single-thread QPS among rows with recall at least {@code minRecall}, or 0
         * when no row reaches it.
         */
        public double bestQpsAtRecall(double minRecall) {
            double best = 0;
            for (Row r : results) {
                if (r.recall() >= minRecall) {
                    best = Math.max(best, r.qps1t());
                }
            }
            return best;
        }

        /**
         * Single-thread QPS at exactly {@code target} recall, read off the measured recall–QPS
         * curve: the fastest row reaching the target and the frontier row just below it (the
         * highest-recall row that is faster still) are joined with log QPS linear in recall. A step
         * function such as {@link #bestQpsAtRecall} jumps by a whole ef step when one engine's
         * recall at some ef lands a hair either side of the target; the interpolated value moves
         * only as far as the measurements do. Falls back to {@link #bestQpsAtRecall} when no
         * faster row lies below the target, and is 0 when no row reaches it.
         */
        public double qpsAtRecall(double target) {
            Row above = null;
            for (Row r : results) {
                if (r.recall() >= target && (above == null || r.qps1t() > above.qps1t())) {
                    above = r;
                }
            }
            if (above == null) {
                return 0;
            }
            Row below = null;
            for (Row r : results) {
                if (r.recall() < target && r.qps1t() > above.qps1t() && (below == null || r.recall() > below.recall())) {
                    below = r;
                }
            }
            if (below == null) {
                return above.qps1t();
            }
            double t = (target - below.recall()) / (above.recall() - below.recall());
            return Math.exp(Math.log(below.qps1t()) + t * (Math.log(above.qps1t()) - Math.log(below.qps1t())));
        }
    }

    private final Dataset data;
    private final Config config;
    private final Consumer<String> log;
    private int[][] truth;

    public AnnBenchmark(Dataset data, Config config, Consumer<String> log) {
        this.data = data;
        this.config = config;
        this.log = log == null ? s -> { } : log;
    }

    /** Builds VectorFlow's HNSW and measures every configured ef. */
    public Result run() throws Exception {
        return run(VectorFlowEngine::new);
    }

    /**
     * Builds an engine (twice when {@link Config#warmBuild} asks for an untimed first build) and
     * measures every configured ef.
     */
    public Result run(Supplier<? extends AnnEngine> engines) throws Exception {
        if (config.warmBuild()) {
            log.accept("warm-up build (untimed)");
            try (AnnEngine warm = engines.get()) {
                build(warm);
            }
        }
        try (AnnEngine engine = engines.get()) {
            double buildSeconds = build(engine);
            List<Row> rows = new ArrayList<>();
            for (int ef : config.efs()) {
                measure(engine, ef, 0.2, false); // warm-up: compile the search loop for this ef
            }
            for (int ef : config.efs()) {
                Row row = measure(engine, ef, config.secondsPerMeasurement(), true);
                rows.add(row);
                log.accept(String.format("%s ef=%d recall@%d=%.4f qps(1t)=%,.0f", engine.name(), ef, config.k(),
                        row.recall(), row.qps1t()));
            }
            return result(engine, buildSeconds, rows);
        }
    }

    /** A result for {@code engine} with the given build time and rows. */
    public Result result(AnnEngine engine, double buildSeconds, List<Row> rows) {
        return new Result(engine.name(), data.name(), data.base().length, data.dimension(), config.metric().name(),
                config.params().m(), config.params().efConstruction(), config.threads(), config.k(), buildSeconds,
                engine.bytesPerVector(), engine.kernels(), rows);
    }

    /** Builds {@code engine} over the data set on the configured threads, logging progress; returns seconds. */
    public double build(AnnEngine engine) throws Exception {
        int n = data.base().length;
        AtomicReference<Exception> error = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(1);
        long start = System.nanoTime();
        Thread builder = new Thread(() -> {
            try {
                engine.build(data.base(), config.metric(), config.params(), config.threads());
            } catch (Exception e) {
                error.set(e);
            } finally {
                finished.countDown();
            }
        }, engine.name() + "-build");
        builder.setDaemon(true);
        builder.start();
        while (!finished.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
            int d = Math.min(n, engine.nodesBuilt());
            double secs = (System.nanoTime() - start) / 1e9;
            log.accept(String.format("%s building: %d%% (%,d/%,d) %.0f s, %,.0f vectors/s", engine.name(),
                    100L * d / n, d, n, secs, d / secs));
        }
        if (error.get() != null) {
            throw error.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        log.accept(String.format("%s built %,d × %d in %.2f s (%,.0f vectors/s, %d thread%s), %.0f bytes/vector",
                engine.name(), n, data.dimension(), seconds, n / seconds, config.threads(),
                config.threads() == 1 ? "" : "s", engine.bytesPerVector()));
        return seconds;
    }

    /** Exact top-k of every query (the data set's own ground truth when it is usable), computed once. */
    public int[][] groundTruth() {
        if (truth != null) {
            return truth;
        }
        int k = config.k();
        int[][] given = data.groundTruth();
        boolean usable = given != null && given.length == data.queries().length && config.metric() == Metrics.EUCLIDEAN
                && Arrays.stream(given).allMatch(row -> row.length >= k);
        if (usable) {
            return truth = given;
        }
        log.accept("computing exact ground truth for " + config.metric().name() + " (k=" + k + ")");
        VectorStore store = VectorStore.allocate(data.dimension(), data.base().length);
        for (float[] v : data.base()) {
            store.append(config.metric().prepare(v));
        }
        return truth = new ExactSearch(store, config.metric()).searchAll(data.queries(), k,
                Runtime.getRuntime().availableProcessors(), null);
    }

    /**
     * Measures one beam width: recall, distance evaluations and allocation over one pass, then
     * single-thread latency for {@code seconds}, then (when {@code allThreads} and more than one
     * thread is configured) QPS on all threads for {@code seconds}.
     */
    public Row measure(AnnEngine engine, int ef, double seconds, boolean allThreads) throws Exception {
        int[][] gt = groundTruth();
        float[][] queries = data.queries();
        int k = config.k();
        int nq = queries.length;
        AnnEngine.Searcher searcher = engine.newSearcher();
        int[] ids = new int[Math.max(k, ef)];

        // One pass for recall, work per query and bytes allocated per query (after warm-up; the
        // pass itself allocates nothing, so whatever the thread allocates is the search's).
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        double recallSum = 0;
        long evals = 0;
        long allocBefore = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < nq; i++) {
            int found = searcher.search(queries[i], k, ef, ids);
            recallSum += recall(ids, found, gt[i], k);
            evals += searcher.distanceEvaluations();
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
                searcher.search(queries[i], k, ef, ids);
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

        double qpsAll = !allThreads || config.threads() == 1 ? qps1 : multiThreadQps(engine, ef, seconds);
        return new Row(ef, recallSum / nq, qps1, qpsAll, percentile(sorted, 0.50) / 1e3,
                percentile(sorted, 0.99) / 1e3, percentile(sorted, 0.999) / 1e3, evals / (double) nq, allocPerQuery);
    }

    private double multiThreadQps(AnnEngine engine, int ef, double seconds) throws Exception {
        int threads = config.threads();
        float[][] queries = data.queries();
        int k = config.k();
        AtomicLong total = new AtomicLong();
        AtomicReference<Exception> error = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        Thread[] workers = new Thread[threads];
        long[] deadline = new long[1];
        for (int t = 0; t < threads; t++) {
            int offset = t * Math.max(1, queries.length / threads);
            workers[t] = new Thread(() -> {
                AnnEngine.Searcher searcher = engine.newSearcher();
                int[] ids = new int[Math.max(k, ef)];
                ready.countDown();
                try {
                    go.await();
                    long local = 0;
                    do {
                        for (int i = 0; i < queries.length; i++) {
                            searcher.search(queries[(i + offset) % queries.length], k, ef, ids);
                        }
                        local += queries.length;
                    } while (System.nanoTime() < deadline[0]);
                    total.addAndGet(local);
                } catch (Exception e) {
                    error.compareAndSet(null, e);
                }
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
        if (error.get() != null) {
            throw error.get();
        }
        return total.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** Share of the true top k found among the first {@code found} ordinals of {@code ids}. */
    static double recall(int[] ids, int found, int[] truth, int k) {
        int hits = 0;
        int limit = Math.min(k, truth.length);
        for (int i = 0; i < Math.min(found, k); i++) {
            for (int j = 0; j < limit; j++) {
                if (truth[j] == ids[i]) {
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
