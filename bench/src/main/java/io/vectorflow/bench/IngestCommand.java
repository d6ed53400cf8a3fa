package io.vectorflow.bench;

import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.SearchRequest;
import io.vectorflow.storage.io.Disk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ingest}: durable write throughput. For each dimension, batch size and number of client
 * threads, a fresh collection takes a burst of points (fsync durability; the unindexed-tail bound
 * set so that the whole burst stays below the point where writers are slowed) and reports
 * acknowledged points per second, then the
 * time until the background indexers have linked every point. Then, per dimension, a paced
 * ingest at fractions of the measured indexing rate while one thread searches, reporting whether
 * the tail stayed bounded and search p99 against idle.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Durable ingest: burst throughput and time to index, then paced ingest with search latency.")
final class IngestCommand implements Callable<Integer> {

    @Option(names = "--dims", split = ",", defaultValue = "128,768", description = "dimensions (default ${DEFAULT-VALUE})")
    int[] dims;

    @Option(names = "--batches", split = ",", defaultValue = "100,1000", description = "points per upsert (default ${DEFAULT-VALUE})")
    int[] batches;

    @Option(names = "--clients", split = ",", defaultValue = "1,4", description = "client threads (default ${DEFAULT-VALUE})")
    int[] clients;

    @Option(names = "--points", defaultValue = "200000", description = "points per burst (default ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--ef-construction", defaultValue = "100", description = "build beam width (default ${DEFAULT-VALUE})")
    int efConstruction;

    @Option(names = "--index-threads", description = "background indexer threads (default: all cores)")
    Integer indexThreads;

    @Option(names = "--paced-seconds", defaultValue = "20", description = "seconds per paced-ingest rate, 0 to skip (default ${DEFAULT-VALUE})")
    int pacedSeconds;

    @Option(names = "--paced-fractions", split = ",", defaultValue = "0.5,0.75,1.0",
            description = "paced rates as fractions of the measured indexing rate (default ${DEFAULT-VALUE})")
    double[] fractions;

    @Override
    public Integer call() throws Exception {
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "ingest: bursts of %,d points, fsync durability, efConstruction=%d, %d cores,"
                + " %d indexer threads%n%n", points, efConstruction, Runtime.getRuntime().availableProcessors(),
                indexThreads != null ? indexThreads : Runtime.getRuntime().availableProcessors()));
        report.append("| dim | batch | clients | acknowledged points/s | burst acknowledged in | all indexed after | indexing points/s |\n");
        report.append("|---|---|---|---|---|---|---|\n");
        for (int dim : dims) {
            float[][] data = new SyntheticData(dim, 42).base(points);
            double indexRate = 0;
            for (int batch : batches) {
                for (int c : clients) {
                    double[] r = burst(data, dim, batch, c);
                    indexRate = Math.max(indexRate, points / r[1]);
                    report.append(String.format(Locale.ROOT, "| %d | %,d | %d | %,.0f | %.1f s | %.1f s | %,.0f |%n",
                            dim, batch, c, points / r[0], r[0], r[1], points / r[1]));
                    System.err.print(report.substring(report.lastIndexOf("| " + dim)));
                }
            }
            if (pacedSeconds > 0) {
                paced(report, data, dim, indexRate);
            }
        }
        System.out.print(report);
        return 0;
    }

    private Database open(Path dir, int bound) {
        Database.Options o = Database.Options.defaults().withMaxUnindexed(bound);
        return Database.open(dir, indexThreads == null ? o : o.withIndexThreads(indexThreads));
    }

    /** One burst; returns {seconds until acknowledged, seconds until indexed}. */
    private double[] burst(float[][] data, int dim, int batch, int clientThreads) throws Exception {
        Path dir = Files.createTempDirectory("vectorflow-ingest");
        try (Database db = open(dir, 2 * points + 2)) { // writers slow down from half the bound: the whole burst fits below it
            Collection c = db.createCollection(CollectionConfig.of("ingest", dim, "euclidean").withHnsw(16, efConstruction)
                    .withSegmentCapacity(points));
            AtomicInteger next = new AtomicInteger();
            AtomicReference<Throwable> error = new AtomicReference<>();
            long start = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < clientThreads; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int from; (from = next.getAndAdd(batch)) < points; ) {
                            List<Point> b = new ArrayList<>(batch);
                            for (int i = from; i < Math.min(points, from + batch); i++) {
                                b.add(Point.of(i, data[i]));
                            }
                            c.upsert(b);
                        }
                    } catch (Throwable e) {
                        error.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            if (error.get() != null) {
                throw new IllegalStateException("ingest failed", error.get());
            }
            double acked = (System.nanoTime() - start) / 1e9;
            c.store().awaitIndexing();
            double indexed = (System.nanoTime() - start) / 1e9;
            if (c.count(null) != points) {
                throw new IllegalStateException("expected " + points + " points, found " + c.count(null));
            }
            return new double[] {acked, indexed};
        } finally {
            Disk.REAL.deleteTree(dir);
        }
    }

    /**
     * Paced ingest (batches of 100, one client) at fractions of the indexing rate, while one thread
     * searches; reports the largest unindexed tail seen and search p99 against idle.
     */
    private void paced(StringBuilder report, float[][] data, int dim, double indexRate) throws Exception {
        Path dir = Files.createTempDirectory("vectorflow-ingest");
        int bound = 100_000;
        try (Database db = open(dir, bound)) {
            Collection c = db.createCollection(CollectionConfig.of("paced", dim, "euclidean").withHnsw(16, efConstruction)
                    .withSegmentCapacity(4 * points));
            int warm = Math.min(points / 4, 50_000);
            for (int from = 0; from < warm; from += 1000) {
                List<Point> b = new ArrayList<>();
                for (int i = from; i < from + 1000; i++) {
                    b.add(Point.of(i, data[i]));
                }
                c.upsert(b);
            }
            c.store().awaitIndexing();
            double idleP99 = searchP99(c, data, 5, null);
            report.append(String.format(Locale.ROOT, "%npaced ingest at %d-d (batches of 100, 1 client, one search thread; tail bound %,d;"
                    + " search p99 idle %.2f ms):%n%n", dim, bound, idleP99));
            report.append("| target points/s | achieved points/s | largest unindexed tail | tail at end | search p99 | ÷ idle p99 |\n");
            report.append("|---|---|---|---|---|---|\n");
            int id = points;
            for (double f : fractions) {
                double rate = f * indexRate;
                AtomicInteger maxTail = new AtomicInteger();
                int startId = id;
                int[] nextId = {id};
                Thread writer = Thread.ofPlatform().start(() -> {
                    long start = System.nanoTime();
                    long end = start + pacedSeconds * 1_000_000_000L;
                    int written = 0;
                    while (System.nanoTime() < end) {
                        long due = start + (long) (written / rate * 1e9);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        List<Point> b = new ArrayList<>(100);
                        for (int i = 0; i < 100; i++) {
                            int n = nextId[0]++;
                            b.add(Point.of(n, data[n % data.length]));
                        }
                        c.upsert(b);
                        written += 100;
                        maxTail.accumulateAndGet(c.store().unindexedPoints(), Math::max);
                    }
                });
                double p99 = searchP99(c, data, pacedSeconds, writer);
                writer.join();
                double achieved = (nextId[0] - startId) / (double) pacedSeconds;
                id = nextId[0];
                report.append(String.format(Locale.ROOT, "| %,.0f | %,.0f | %,d | %,d | %.2f ms | %.1f× |%n",
                        rate, achieved, maxTail.get(), c.store().unindexedPoints(), p99, p99 / idleP99));
                System.err.println(String.format(Locale.ROOT, "paced %.0f/s: tail max %d, p99 %.2f ms", rate, maxTail.get(), p99));
                c.store().awaitIndexing();
            }
        } finally {
            Disk.REAL.deleteTree(dir);
        }
    }

    /** Search latency p99 (k=10, default ef) over {@code seconds}, or until {@code until} ends. */
    private static double searchP99(Collection c, float[][] data, int seconds, Thread until) {
        List<Long> lat = new ArrayList<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int i = 0;
        while (until != null ? until.isAlive() : System.nanoTime() < end) {
            long t = System.nanoTime();
            c.search(new SearchRequest(data[(i++ * 7919) % data.length], 10, null, 0, false, false, false, false));
            lat.add(System.nanoTime() - t);
        }
        long[] sorted = lat.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted.length == 0 ? 0 : sorted[(int) (sorted.length * 0.99)] / 1e6;
    }
}
