package io.vectorflow.bench;

import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.ScoredPoint;
import io.vectorflow.engine.SearchRequest;
import io.vectorflow.engine.Vectors;
import io.vectorflow.engine.VectorsConfig;
import io.vectorflow.engine.query.Query;
import io.vectorflow.engine.query.QueryEngine;
import io.vectorflow.engine.query.QueryRequest;
import io.vectorflow.storage.PointId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hybrid}: dense, sparse and hybrid search through one collection, as retrieval
 * applications run them. Every point carries a named dense vector (the generated clustered
 * data) and a sparse one (Zipf-distributed dimensions, see {@link SparseCommand}) weighted by
 * idf; points are written through the engine (log, segments, sealing) and the collection is
 * sealed. Measured on one thread, in one run: the dense query (HNSW, recall@10 against an exact
 * scan), the sparse query (exact by construction), and the hybrid query (both as prefetches,
 * fused by reciprocal rank), each as p50/p99 latency, with the hybrid's cost as a ratio of the
 * dense query's.
 */
@Command(name = "hybrid", mixinStandardHelpOptions = true,
        description = "Dense, sparse and hybrid (RRF) queries through one collection: latency and the hybrid's cost ratio.")
final class HybridCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--points", defaultValue = "100000", description = "points (default ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--dim", defaultValue = "128", description = "dense dimension (default ${DEFAULT-VALUE})")
    int dim;

    @Option(names = "--vocabulary", defaultValue = "30000", description = "sparse dimensions (default ${DEFAULT-VALUE})")
    int vocabulary;

    @Option(names = "--non-zeros", defaultValue = "100", description = "non-zeros per point (default ${DEFAULT-VALUE})")
    int nonZeros;

    @Option(names = "--queries", defaultValue = "500", description = "queries per kind (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--prefetch", defaultValue = "50", description = "candidates each hybrid prefetch takes (default ${DEFAULT-VALUE})")
    int prefetch;

    @Option(names = "--ef", defaultValue = "64", description = "hnsw_ef (default ${DEFAULT-VALUE})")
    int ef;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("vectorflow-hybrid");
        try (Database db = Database.open(dir, Database.Options.defaults().withRecallSampling(0))) {
            SyntheticData gen = new SyntheticData(dim, 42);
            float[][] base = gen.base(points);
            float[][] denseQueries = gen.queries(queries);
            Random r = new Random(7);
            VectorsConfig schema = new VectorsConfig(List.of(new VectorsConfig.Dense("dense", dim, "euclidean")),
                    List.of(new VectorsConfig.Sparse("words", true)));
            Collection c = db.createCollection(CollectionConfig.of("hybrid", schema).withSegmentCapacity(points));
            long start = System.nanoTime();
            for (int from = 0; from < points; from += 1_000) {
                List<Point> batch = new ArrayList<>(1_000);
                for (int i = from; i < Math.min(points, from + 1_000); i++) {
                    batch.add(new Point(PointId.of(i), null, null, new Vectors(Map.of("dense", base[i]),
                            Map.of("words", SparseCommand.zipf(r, vocabulary, nonZeros)))));
                }
                c.upsert(batch);
                if ((from + 1_000) % 20_000 == 0) {
                    System.err.printf(Locale.ROOT, "written %,d/%,d points%n", from + 1_000, points);
                }
            }
            double ingest = points / ((System.nanoTime() - start) / 1e9);
            System.err.println("sealing (building the graph)…");
            c.flush();
            List<SparseVector> sparseQueries = new ArrayList<>(queries);
            for (int i = 0; i < queries; i++) {
                sparseQueries.add(SparseCommand.zipf(r, vocabulary, 20));
            }
            IntFunction<SearchRequest> dense = i -> new SearchRequest(denseQueries[i], 10, null, ef, false, false, false, false)
                    .using("dense", null);
            IntFunction<SearchRequest> sparse = i -> new SearchRequest(null, 10, null, 0, false, false, false, false, 0, null,
                    "words", sparseQueries.get(i));
            IntFunction<QueryRequest> hybrid = i -> new QueryRequest(List.of(
                    new QueryRequest.Prefetch(List.of(), new Query.Nearest(new Query.Input.Vector(denseQueries[i]), null), "dense",
                            null, ef, false, null, prefetch),
                    new QueryRequest.Prefetch(List.of(), new Query.Nearest(new Query.Input.Sparse(sparseQueries.get(i)), null),
                            "words", null, 0, false, null, prefetch)),
                    new Query.Fusion(Query.FusionMethod.RRF, 2, null), null, null, 0, false, null, 10, 0, false, false, false);
            double recall = 0;
            for (int i = 0; i < Math.min(100, queries); i++) {
                Set<PointId> truth = new HashSet<>();
                c.search(dense.apply(i).withExact(true)).points().forEach(p -> truth.add(p.id()));
                recall += c.search(dense.apply(i)).points().stream().map(ScoredPoint::id).filter(truth::contains).count() / 10.0;
            }
            recall /= Math.min(100, queries);
            long[] d = time(i -> c.search(dense.apply(i)));
            long[] s = time(i -> c.search(sparse.apply(i)));
            long[] h = time(i -> QueryEngine.run(c, hybrid.apply(i)));
            System.out.printf(Locale.ROOT, "%nhybrid: %,d points, each a %d-d dense vector (generated clustered) and a sparse one"
                            + " (~%d non-zeros, Zipf over %,d dimensions, idf); written at %,.0f points/s, sealed into one segment;"
                            + " %d queries per kind, one thread, %d cores, heap %,d MB%n%n| query | p50 µs | p99 µs | vs dense (p50)"
                            + " | KB allocated per query |%n|---|---|---|---|---|%n| dense, hnsw_ef=%d (recall@10 %.3f) | %.0f | %.0f | 1.00"
                            + " | %.1f |%n| sparse (exact) | %.0f | %.0f | %.2f | %.1f |%n| hybrid: dense + sparse prefetch %d each, RRF"
                            + " | %.0f | %.0f | %.2f | %.1f |%n",
                    points, dim, nonZeros, vocabulary, ingest, queries, Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20, ef, recall, p(d, 0.5), p(d, 0.99), kb(d), p(s, 0.5), p(s, 0.99),
                    p(s, 0.5) / p(d, 0.5), kb(s), prefetch, p(h, 0.5), p(h, 0.99), p(h, 0.5) / p(d, 0.5), kb(h));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return 0;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * Latencies of every query, sorted, after a warm-up pass over them; the last entry past the
     * latencies is the heap bytes the timed pass allocated per query.
     */
    private long[] time(java.util.function.IntConsumer query) {
        for (int i = 0; i < queries; i++) {
            query.accept(i);
        }
        long[] lat = new long[queries + 1];
        long allocated = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < queries; i++) {
            long t = System.nanoTime();
            query.accept(i);
            lat[i] = System.nanoTime() - t;
        }
        lat[queries] = (THREADS.getCurrentThreadAllocatedBytes() - allocated) / queries;
        Arrays.sort(lat, 0, queries);
        return lat;
    }

    private double p(long[] sorted, double q) {
        return sorted[(int) Math.min(queries - 1, q * queries)] / 1e3;
    }

    /** Heap KB allocated per query in the timed pass (see {@link #time}). */
    private double kb(long[] timed) {
        return timed[queries] / 1024.0;
    }
}
