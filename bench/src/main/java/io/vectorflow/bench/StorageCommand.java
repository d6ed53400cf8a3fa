package io.vectorflow.bench;

import io.vectorflow.bench.data.DataSources;
import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.search.SearchResults;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.SearchRequest;
import io.vectorflow.storage.io.Disk;
import io.vectorflow.storage.segment.SealedSegment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code storage}: a data set through the durable path. Ingests it into a collection (WAL, group
 * commit, graph), closes it (sealing the segment to mapped files), times reopening, and compares
 * search on the same graph three ways in interleaved rounds: still in memory as built, loaded at
 * open, and searched in place in the mapping; then reports bytes on disk.
 */
@Command(name = "storage", mixinStandardHelpOptions = true,
        description = "Durable collection benchmark: ingest, restart time, mapped vs in-memory search, bytes on disk.")
final class StorageCommand implements Callable<Integer> {

    @Option(names = "--dataset", defaultValue = "synthetic:1000000,128", description = "data set (default ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--m", defaultValue = "16", description = "links per node (default ${DEFAULT-VALUE})")
    int m;

    @Option(names = "--ef-construction", defaultValue = "100", description = "build beam width (default ${DEFAULT-VALUE})")
    int efConstruction;

    @Option(names = "--ef", split = ",", defaultValue = "32,64", description = "search beam widths (default ${DEFAULT-VALUE})")
    int[] efs;

    @Option(names = "--batch", defaultValue = "10000", description = "points per upsert (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--rounds", defaultValue = "5", description = "interleaved QPS rounds (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--seconds", defaultValue = "1.0", description = "time per QPS measurement (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--dir", description = "database directory (default: a new temporary directory, removed after)")
    Path dir;

    @Option(names = "--cache-dir", description = "where synthetic sets are cached (default ~/.cache/vectorflow/datasets)")
    Path cacheDir;

    @Override
    public Integer call() throws Exception {
        Consumer<String> log = System.err::println;
        Path cache = cacheDir != null ? cacheDir : Path.of(System.getProperty("user.home"), ".cache", "vectorflow", "datasets");
        Dataset data = DataSources.load(dataset, 1000, 42, cache, log).data();
        int n = data.base().length, dim = data.dimension();
        boolean temporary = dir == null;
        Path root = temporary ? Files.createTempDirectory("vectorflow-storage-bench") : dir;
        try {
            return run(data, n, dim, root, log);
        } finally {
            if (temporary) {
                Disk.REAL.deleteTree(root);
            }
        }
    }

    private int run(Dataset data, int n, int dim, Path root, Consumer<String> log) throws IOException, InterruptedException {
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "data set %s: %,d × %d, M=%d, efConstruction=%d, %d cores%n",
                data.name(), n, dim, m, efConstruction, Runtime.getRuntime().availableProcessors()));
        HnswIndex inMemory;
        long ingestNanos, indexedNanos, closeNanos;
        try (Database db = Database.open(root)) {
            Collection c = db.createCollection(CollectionConfig.of("bench", dim, "euclidean").withHnsw(m, efConstruction)
                    .withSegmentCapacity(n));
            long start = System.nanoTime();
            for (int from = 0; from < n; from += batch) {
                List<Point> points = new ArrayList<>(batch);
                for (int i = from; i < Math.min(n, from + batch); i++) {
                    points.add(Point.of(i, data.base()[i]));
                }
                c.upsert(points);
                double s = (System.nanoTime() - start) / 1e9;
                log.accept(String.format(Locale.ROOT, "ingest: %,d / %,d points, %.0f s, %,.0f points/s",
                        Math.min(n, from + batch), n, s, Math.min(n, from + batch) / s));
            }
            ingestNanos = System.nanoTime() - start;
            c.store().awaitIndexing();
            indexedNanos = System.nanoTime() - start;
            inMemory = c.store().view().mutable().index();
            inMemory.connectComponents();
            long t = System.nanoTime();
            db.close();
            closeNanos = System.nanoTime() - t;
        }
        report.append(String.format(Locale.ROOT, "ingest (fsync durability, batches of %,d, 1 client): acknowledged in %.1f s,"
                + " %,.0f points/s; all in the graph after %.1f s, %,.0f points/s (%d indexer threads)%n", batch, ingestNanos / 1e9,
                n / (ingestNanos / 1e9), indexedNanos / 1e9, n / (indexedNanos / 1e9), Runtime.getRuntime().availableProcessors()));
        report.append(String.format(Locale.ROOT, "close (seal: write and force vectors, graph, ids, payloads; manifest): %.2f s%n",
                closeNanos / 1e9));

        double[] warm = timeReopens(root, data, null, log);
        report.append(String.format(Locale.ROOT, "restart, files in the page cache (open, map, verify checksums, load vectors and graph"
                + " into memory, first query): median %.2f s of 3 (%.2f–%.2f s)%n", warm[1], warm[0], warm[2]));
        Path dropCaches = Path.of("/proc/sys/vm/drop_caches");
        if (Files.isWritable(dropCaches)) {
            double[] cold = timeReopens(root, data, dropCaches, log);
            report.append(String.format(Locale.ROOT, "restart, page cache dropped first (everything read from disk): median %.2f s of 3"
                    + " (%.2f–%.2f s)%n", cold[1], cold[0], cold[2]));
        }

        try (Database db = Database.open(root)) {
            Collection c = db.collection("bench");
            SealedSegment loaded = c.store().view().sealed().getFirst();
            long t = System.nanoTime();
            SealedSegment mapped = SealedSegment.open(Disk.REAL, loaded.directory(), loaded.number(), null, true, true);
            double mappedOpen = (System.nanoTime() - t) / 1e9;
            report.append(String.format(Locale.ROOT, "opening the same segment to search in place (on_disk: map, verify, prefault): %.2f s%n",
                    mappedOpen));
            int falsePositives = 0;
            for (long id = n; id < 2L * n; id++) {
                falsePositives += loaded.mightContain(io.vectorflow.storage.PointId.of(id)) ? 1 : 0;
            }
            report.append(String.format(Locale.ROOT, "id Bloom filter (%d bits per id, %d hashes): %.2f%% false positives over %,d absent ids%n",
                    io.vectorflow.storage.segment.BloomFilter.BITS_PER_ID, io.vectorflow.storage.segment.BloomFilter.HASHES,
                    100.0 * falsePositives / n, n));
            long total = c.bytesOnDisk();
            long raw = 4L * n * dim;
            long graph = Files.size(loaded.directory().resolve(SealedSegment.GRAPH));
            report.append(String.format(Locale.ROOT, "on disk: %,d bytes = %.1f bytes/vector (raw float32 vectors %d bytes/vector);"
                    + " index (everything) / raw vectors = %.2f×; graph file alone %.1f bytes/vector%n",
                    total, total / (double) n, 4 * dim, total / (double) raw, graph / (double) n));
            report.append("\nSearch, 1 thread, k=10, one graph three ways: the in-memory index as built, the sealed segment"
                    + " loaded into memory at open (default), and the sealed segment searched in place in its mapping"
                    + " (on_disk); median of ").append(rounds).append(" interleaved rounds\n\n");
            report.append("| ef | recall@10 | in-memory QPS | loaded QPS | mapped QPS | loaded ÷ in-memory | mapped ÷ in-memory"
                    + " | Collection.search QPS |\n");
            report.append("|---|---|---|---|---|---|---|---|\n");
            HnswIndex[] indexes = {inMemory, loaded.index(), mapped.index()};
            for (int ef : efs) {
                double[][] qps = new double[3][rounds];
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < 3; i++) {
                        int which = (i + r) % 3; // rotate the order each round
                        qps[which][r] = qps(indexes[which], data, ef);
                    }
                }
                double e2e = collectionQps(c, data, ef);
                double recall = recall(loaded.index(), data, ef);
                double mem = median(qps[0]), load = median(qps[1]), map = median(qps[2]);
                report.append(String.format(Locale.ROOT, "| %d | %.4f | %,.0f | %,.0f | %,.0f | %.2f× | %.2f× | %,.0f |%n",
                        ef, recall, mem, load, map, load / mem, map / mem, e2e));
                log.accept("ef " + ef + " measured");
            }
            mapped.close();
        }
        System.out.print(report);
        return 0;
    }

    /** Three timed reopens (open and first query), sorted; each after dropping the page cache when given. */
    private static double[] timeReopens(Path root, Dataset data, Path dropCaches, Consumer<String> log)
            throws IOException, InterruptedException {
        double[] seconds = new double[3];
        for (int i = 0; i < seconds.length; i++) {
            if (dropCaches != null) {
                new ProcessBuilder("sync").start().waitFor();
                Files.writeString(dropCaches, "1");
            }
            long t = System.nanoTime();
            try (Database db = Database.open(root)) {
                db.collection("bench").search(SearchRequest.of(data.queries()[0], 10));
                seconds[i] = (System.nanoTime() - t) / 1e9;
            }
            log.accept(String.format(Locale.ROOT, "%sreopen %d: %.2f s", dropCaches != null ? "cold " : "", i + 1, seconds[i]));
        }
        Arrays.sort(seconds);
        return seconds;
    }

    private double qps(HnswIndex index, Dataset data, int ef) {
        SearchResults out = new SearchResults(10);
        float[][] q = data.queries();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        int done = 0;
        while (System.nanoTime() < deadline) {
            index.search(q[done % q.length], 10, ef, null, out);
            done++;
        }
        return done / ((System.nanoTime() - start) / 1e9);
    }

    private double collectionQps(Collection c, Dataset data, int ef) {
        float[][] q = data.queries();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        int done = 0;
        while (System.nanoTime() < deadline) {
            c.search(new SearchRequest(q[done % q.length], 10, null, ef, false, false, false, false));
            done++;
        }
        return done / ((System.nanoTime() - start) / 1e9);
    }

    private static double recall(HnswIndex index, Dataset data, int ef) {
        SearchResults out = new SearchResults(10);
        long hits = 0;
        for (int i = 0; i < data.queries().length; i++) {
            index.search(data.queries()[i], 10, ef, null, out);
            int[] truth = Arrays.copyOf(data.groundTruth()[i], 10);
            for (int j = 0; j < out.size(); j++) {
                int ord = out.ordinal(j);
                for (int t : truth) {
                    if (t == ord) {
                        hits++;
                        break;
                    }
                }
            }
        }
        return hits / (10.0 * data.queries().length);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
