package io.vectorflow.bench;

import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.search.ExactSearch;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.SearchRequest;
import io.vectorflow.engine.SearchResult;
import io.vectorflow.engine.TierSettings;
import io.vectorflow.engine.TieringConfig;
import io.vectorflow.storage.PointId;
import io.vectorflow.storage.object.ForwardingObjectStore;
import io.vectorflow.storage.object.ObjectStore;
import io.vectorflow.tier.s3.S3ObjectStore;
import io.vectorflow.tier.s3.S3Servers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tiers}: one collection searched with its sealed segments in each tier in turn: loaded
 * into memory, memory-mapped from local disk (page cache warm), and in the object tier of a real
 * S3-compatible server (s3proxy, in this process) behind an injected round-trip latency, with the
 * block cache starting empty. Queries repeat by a Zipf law over a pool of distinct queries, as
 * real traffic does, so the object tier's cache hit rate is what such traffic would see. Per
 * tier: p50/p99 latency on one thread, recall@10 against an exact scan, and for the object tier
 * the bytes fetched, requests and cache hit rate; the first queries (cache cold) apart.
 */
@Command(name = "tiers", mixinStandardHelpOptions = true,
        description = "Search latency and recall with sealed segments in memory, on disk and in object storage (s3proxy + latency).")
final class TiersCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--points", defaultValue = "1000000", description = "points (default ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--dim", defaultValue = "128", description = "dimension (default ${DEFAULT-VALUE})")
    int dim;

    @Option(names = "--segment-points", defaultValue = "250000", description = "points per sealed segment (default ${DEFAULT-VALUE})")
    int segmentPoints;

    @Option(names = "--pool", defaultValue = "1000", description = "distinct queries (default ${DEFAULT-VALUE})")
    int pool;

    @Option(names = "--queries", defaultValue = "3000", description = "searches per tier, drawn from the pool (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--zipf", defaultValue = "1.1", description = "Zipf exponent of the draws (default ${DEFAULT-VALUE})")
    double zipf;

    @Option(names = "--latency-ms", defaultValue = "20", description = "added to every object store request (default ${DEFAULT-VALUE})")
    int latencyMs;

    @Option(names = "--cache-mb", defaultValue = "64", description = "block cache of the object tier (default ${DEFAULT-VALUE})")
    int cacheMb;

    @Option(names = "--oversampling", defaultValue = "4", description = "rescoring candidates per result (default ${DEFAULT-VALUE})")
    double oversampling;

    @Option(names = "--ef", defaultValue = "64", description = "hnsw_ef (default ${DEFAULT-VALUE})")
    int ef;

    /** An object store whose every call waits {@code latencyMs} first, counting reads. */
    static final class Delayed extends ForwardingObjectStore {
        final long millis;
        final AtomicLong reads = new AtomicLong();

        Delayed(ObjectStore inner, long millis) {
            super(inner);
            this.millis = millis;
        }

        private void delay() throws IOException {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }

        @Override
        public ByteBuffer read(String key, long offset, int length) throws IOException {
            delay();
            reads.incrementAndGet();
            return super.read(key, offset, length);
        }

        @Override
        public java.util.Optional<ObjectInfo> stat(String key) throws IOException {
            delay();
            return super.stat(key);
        }
    }

    private record Row(String tier, long[] latencies, double recall, String extra) {}

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("vectorflow-tiers");
        SyntheticData gen = new SyntheticData(dim, 42);
        float[][] base = gen.base(points);
        float[][] distinct = gen.queries(pool);
        int[] draws = zipfDraws(new Random(11), queries, pool, zipf);
        System.err.println("exact neighbours of the query pool…");
        int[][] truth = truth(base, distinct);
        List<Row> rows = new ArrayList<>();
        String archive = "";
        try (S3Servers.InProcess s3 = S3Servers.inProcess(dir.resolve("s3"), "bench/")) {
            Path data = dir.resolve("data");
            Delayed store = new Delayed(new S3ObjectStore(s3.settings()), latencyMs);
            Database.Options options = Database.Options.defaults().withRecallSampling(0).withCompaction(false, 0)
                    .withTiers(new TierSettings(store, (long) cacheMb << 20, 0, 3_600_000));
            try (Database db = Database.open(data, options)) {
                CollectionConfig config = CollectionConfig.of("tiers", dim, "euclidean").withSegmentCapacity(segmentPoints)
                        .withQuantization(new io.vectorflow.core.quant.QuantizationSpec(
                                io.vectorflow.core.quant.QuantizationSpec.Scheme.INT8, 0.99f, true));
                Collection c = db.createCollection(config);
                long start = System.nanoTime();
                for (int from = 0; from < points; from += 1_000) {
                    List<Point> batch = new ArrayList<>(1_000);
                    for (int i = from; i < Math.min(points, from + 1_000); i++) {
                        batch.add(new Point(PointId.of(i), base[i], null));
                    }
                    c.upsert(batch);
                    if ((from + 1_000) % 50_000 == 0) {
                        System.err.printf(Locale.ROOT, "written %,d/%,d points (%.0f s)%n", from + 1_000, points,
                                (System.nanoTime() - start) / 1e9);
                    }
                }
                System.err.println("sealing and quantizing…");
                c.flush();
                while (!c.quantizationComplete()) {
                    c.search(request(distinct[0]));
                    Thread.sleep(200);
                }
                System.err.printf(Locale.ROOT, "loaded in %.0f s: %d sealed segments%n", (System.nanoTime() - start) / 1e9,
                        c.store().view().sealed().size());
                rows.add(measure("memory (loaded at open)", db.collection("tiers"), distinct, draws, truth, null));
                db.updateCollection(db.collection("tiers").config().withOnDisk(true));
                rows.add(measure("disk (mapped, page cache warm)", db.collection("tiers"), distinct, draws, truth, null));
                db.updateCollection(db.collection("tiers").config().withTiering(new TieringConfig("object", null, null,
                        TieringConfig.DEFAULT_PROMOTE_AFTER_HITS)));
                while (!db.collection("tiers").quantizationComplete()) {
                    Thread.sleep(100); // the reopened collection loads its codes: segments move out with them
                }
                System.err.println("moving segments to the object tier…");
                long moved = System.nanoTime();
                long bytes = 0;
                for (long b; (b = db.placeNow("tiers")) > 0; ) {
                    bytes += b;
                }
                System.err.printf(Locale.ROOT, "moved %,d MB in %.1f s%n", bytes >> 20, (System.nanoTime() - moved) / 1e9);
            }
            // reopened: the block cache starts empty (and the database closed the store it had)
            store = new Delayed(new S3ObjectStore(s3.settings()), latencyMs);
            options = options.withTiers(new TierSettings(store, (long) cacheMb << 20, 0, 3_600_000));
            try (Database db = Database.open(data, options)) {
                Collection c = db.collection("tiers");
                while (!c.quantizationComplete()) {
                    Thread.sleep(100); // codes load in the background
                }
                long readsBefore = store.reads.get();
                rows.add(measure("object (s3proxy + " + latencyMs + " ms per request, cache " + cacheMb + " MB)", c, distinct, draws,
                        truth, db));
                System.err.printf("object store reads: %,d%n", store.reads.get() - readsBefore);
                // archived: compressed, then restored by the next search
                db.updateCollection(c.config().withTiering(new TieringConfig("archive", null, null,
                        TieringConfig.DEFAULT_PROMOTE_AFTER_HITS)));
                long archiving = System.nanoTime();
                long raw = 0;
                for (long b; (b = db.placeNow("tiers")) > 0; ) {
                    raw += b;
                }
                double archiveSeconds = (System.nanoTime() - archiving) / 1e9;
                long packed = store.list("").stream().filter(o -> o.key().endsWith(".zst")).mapToLong(ObjectStore.ObjectInfo::size).sum();
                SearchResult first = db.collection("tiers").search(request(distinct[0]));
                int restoredSegments = first.tiers().restored();
                archive = String.format(Locale.ROOT, "archived %,d MB of vectors into %,d MB of zstd objects (%.1f%%) in %.1f s;"
                        + " the next search restored %d segments in %.1f s (%.2f s per segment of %,d points) and answered in %.1f s",
                        raw >> 20, packed >> 20, 100.0 * packed / raw, archiveSeconds, restoredSegments, first.tiers().restoreNanos() / 1e9,
                        first.tiers().restoreNanos() / 1e9 / Math.max(1, restoredSegments), segmentPoints, first.latencyNanos() / 1e9);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        System.out.printf(Locale.ROOT, "%ntiers: %,d × %d (generated clustered), %d sealed segments of %,d, int8 codes in RAM,"
                        + " oversampling %.0f, hnsw_ef %d; %,d searches per tier drawn by Zipf(%.1f) from %,d distinct queries; one"
                        + " thread, %d cores%n%n| tier | p50 ms | p99 ms | first 100: p50 ms | recall@10 | object tier |%n|---|---|---|---|---|---|%n",
                points, dim, (points + segmentPoints - 1) / segmentPoints, segmentPoints, oversampling, ef, queries, zipf, pool,
                Runtime.getRuntime().availableProcessors());
        for (Row r : rows) {
            long[] sorted = r.latencies().clone();
            Arrays.sort(sorted);
            long[] first = Arrays.copyOf(r.latencies(), Math.min(100, r.latencies().length));
            Arrays.sort(first);
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.4f | %s |%n", r.tier(), pct(sorted, 0.5), pct(sorted, 0.99),
                    pct(first, 0.5), r.recall(), r.extra());
        }
        System.out.printf(Locale.ROOT, "%nArchive (same store and latency): %s%n", archive);
        return 0;
    }

    private SearchRequest request(float[] q) {
        return new SearchRequest(q, 10, null, ef, false, false, false, false)
                .withQuantization(new io.vectorflow.engine.QuantizationParams(false, true, oversampling));
    }

    private Row measure(String tier, Collection c, float[][] distinct, int[] draws, int[][] truth, Database db) {
        System.err.println("measuring " + tier + "…");
        if (db == null) {
            for (int i = 0; i < Math.min(200, draws.length); i++) {
                c.search(request(distinct[draws[i]])); // warm-up; the object tier is measured from a cold cache
            }
        }
        long[] lat = new long[draws.length];
        double recall = 0;
        long fetched = 0, requests = 0, hits = 0;
        for (int i = 0; i < draws.length; i++) {
            int q = draws[i];
            long t = System.nanoTime();
            SearchResult r = c.search(request(distinct[q]));
            lat[i] = System.nanoTime() - t;
            Set<Long> expected = new HashSet<>();
            for (int id : truth[q]) {
                expected.add((long) id);
            }
            recall += r.points().stream().filter(p -> expected.contains(p.id().lsb())).count() / 10.0;
            fetched += r.tiers().bytesFetched();
            requests += r.tiers().blocksFetched();
            hits += r.tiers().cacheHits();
        }
        String extra = db == null ? "-" : String.format(Locale.ROOT, "%.1f KB and %.1f requests per query, block cache hit rate %.3f",
                fetched / 1024.0 / draws.length, (double) requests / draws.length, hits + requests == 0 ? 1 : (double) hits / (hits + requests));
        return new Row(tier, lat, recall / draws.length, extra);
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
    }

    /** Zipf-distributed indexes into {@code [0, n)}: index i drawn with weight 1 / (i + 1)^s. */
    static int[] zipfDraws(Random r, int count, int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            int at = Arrays.binarySearch(cdf, r.nextDouble() * sum);
            out[i] = Math.min(n - 1, at < 0 ? -at - 1 : at);
        }
        return out;
    }

    private static int[][] truth(float[][] base, float[][] queries) {
        VectorStore store = VectorStore.allocate(base[0].length, base.length);
        for (float[] v : base) {
            store.append(v);
        }
        return new ExactSearch(store, Metrics.EUCLIDEAN).searchAll(queries, 10, Runtime.getRuntime().availableProcessors(), done -> { });
    }
}
