package io.vectorflow.bench.resources;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vectorflow resources}: what a server holds for what it stores, measured on a server in a
 * process of its own ({@link ServerProcess}): heap, resident memory and threads per idle
 * collection and per 1,000 points (in memory and sealed), restart time with many collections,
 * search latency at 1, 8 and 64 clients through admission control, and, on request, the most
 * collections a heap holds.
 */
@Command(name = "resources", mixinStandardHelpOptions = true,
        description = "Memory, threads and restart time per collection and per point, search latency under load, on a server process.")
public final class ResourcesCommand implements Callable<Integer> {

    @Option(names = "--collections", defaultValue = "10000", description = "idle collections to create, 0 to skip"
            + " (default ${DEFAULT-VALUE})")
    int collections;

    @Option(names = "--points", defaultValue = "200000", description = "points of 128 dimensions for the per-point rows and"
            + " the search runs, 0 to skip (default ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--clients", split = ",", defaultValue = "1,8,64", description = "search clients (default ${DEFAULT-VALUE})")
    int[] clients;

    @Option(names = "--seconds", defaultValue = "20", description = "seconds per search run (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--most", split = ",", description = "heaps (e.g. 1g,4g) to fill with empty collections until the server refuses;"
            + " slow (minutes per 100,000)")
    List<String> most = new ArrayList<>();

    @Option(names = "--most-cap", defaultValue = "1000000", description = "stop --most runs at this many collections (default ${DEFAULT-VALUE})")
    int mostCap;

    private static final String DIM4 = "{\"vectors\": {\"size\": 4, \"distance\": \"Dot\"}}";

    @Override
    public Integer call() throws Exception {
        Path root = Files.createTempDirectory("vectorflow-resources");
        try {
            if (collections > 0) {
                idle(root.resolve("idle"));
            }
            if (points > 0) {
                perPoint(root.resolve("points"));
            }
            for (String heap : most) {
                most(root.resolve("most-" + heap), heap);
            }
        } finally {
            delete(root);
        }
        return 0;
    }

    private void idle(Path data) throws Exception {
        long perHeap;
        try (ServerProcess s = ServerProcess.start(data, "1g")) {
            long heap0 = s.heapAfterGc();
            long rss0 = s.stats().anonymousBytes();
            int threads0 = s.threads();
            long start = System.nanoTime();
            for (int i = 0; i < collections; i++) {
                must(s.call("PUT", "/collections/c" + i, DIM4));
                if (i % 2000 == 1999) {
                    System.err.printf("created %,d collections%n", i + 1);
                }
            }
            double createMs = (System.nanoTime() - start) / 1e6 / collections;
            for (int i = 0; i < collections; i++) {
                must(s.call("POST", "/collections/c" + i + "/points/query", "{\"query\": [1, 0, 0, 0]}"));
            }
            must(s.call("GET", "/metrics", null));
            long heap1 = s.heapAfterGc();
            long rss1 = s.stats().anonymousBytes();
            int threads1 = s.threads();
            perHeap = (heap1 - heap0) / collections;
            System.out.printf(Locale.ROOT, "%n| idle collections (-Xmx1g, created, searched once, scraped) | per collection |%n|---|---|%n"
                            + "| heap after GC | %,d bytes (%,d MB for %,d) |%n| resident anonymous memory | %,d bytes |%n"
                            + "| threads | %+d for %,d collections |%n| create | %.2f ms each |%n", perHeap, (heap1 - heap0) >> 20,
                    collections, (rss1 - rss0) / collections, threads1 - threads0, collections, createMs);
        }
        try (ServerProcess s = ServerProcess.start(data, "1g")) {
            System.out.printf(Locale.ROOT, "| restart with %,d collections | %,d ms to open; heap %,d MB after |%n", collections,
                    s.openMillis, s.heapAfterGc() >> 20);
        }
    }

    private void perPoint(Path data) throws Exception {
        int dim = 128;
        long heapEmpty;
        long nativeEmpty;
        long rssEmpty;
        try (ServerProcess s = ServerProcess.start(data, "1g")) {
            must(s.call("PUT", "/collections/p", "{\"vectors\": {\"size\": " + dim + ", \"distance\": \"Cosine\"}}"));
            heapEmpty = s.heapAfterGc();
            nativeEmpty = s.nativeBytes();
            rssEmpty = s.stats().anonymousBytes();
            List<String> batches = new ArrayList<>(); // built before the clock starts
            for (int from = 0; from < points; from += 1000) {
                batches.add(upsert(from, Math.min(1000, points - from), dim));
            }
            long start = System.nanoTime();
            for (String batch : batches) {
                must(s.call("PUT", "/collections/p/points", batch));
            }
            batches.clear();
            double ingest = (System.nanoTime() - start) / 1e9;
            s.awaitIndexed("p");
            double indexed = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "%n| %,d points of 128 dimensions, ~60-byte payloads (-Xmx1g) | per 1,000 points |%n|---|---|%n"
                            + "| heap, in the segment taking writes (indexed) | %,d KB |%n| off-heap (vectors, graph, payloads), same | %,d KB |%n"
                            + "| resident anonymous memory, same (the heap as committed included) | %,d KB |%n"
                            + "| ingest, one client, batches of 1,000 (acknowledged / indexed) | %,.0f / %,.0f points/s |%n",
                    points, perThousand(s.heapAfterGc() - heapEmpty), perThousand(s.nativeBytes() - nativeEmpty),
                    perThousand(s.stats().anonymousBytes() - rssEmpty), points / ingest, points / indexed);
        }
        try (ServerProcess s = ServerProcess.start(data, "1g")) {
            must(s.call("POST", "/collections/p/points/count", "{}"));
            System.out.printf(Locale.ROOT, "| heap, sealed (after a restart) | %,d KB |%n| off-heap, sealed | %,d KB |%n"
                            + "| resident anonymous memory, sealed | %,d KB |%n| restart | %,d ms |%n",
                    perThousand(s.heapAfterGc() - heapEmpty), perThousand(s.nativeBytes() - nativeEmpty),
                    perThousand(s.stats().anonymousBytes() - rssEmpty), s.openMillis);
            latency(s, dim);
        }
    }

    private long perThousand(long bytes) {
        return bytes * 1000 / points >> 10;
    }

    private void latency(ServerProcess s, int dim) throws Exception {
        System.out.printf(Locale.ROOT, "%n| search clients (%,d points, limit 10, with payload) | QPS | p50 µs | p99 µs | 503 answers |%n"
                + "|---|---|---|---|---|%n", points);
        List<String> bodies = new ArrayList<>(); // made once, so the clients cost the server's cores little
        for (int q = 0; q < 1000; q++) {
            bodies.add("{\"query\": " + vector(1_000_000 + q, dim) + ", \"limit\": 10, \"with_payload\": true}");
        }
        for (int c : clients) {
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicLong busy = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < c; t++) {
                int seed = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    while (!stop.get()) {
                        String body = bodies.get(r.nextInt(bodies.size()));
                        long start = System.nanoTime();
                        ServerProcess.Answer a = s.call("POST", "/collections/p/points/query", body);
                        if (a.status() == 200) {
                            latencies.add((System.nanoTime() - start) / 1000);
                        } else if (a.status() == 503) {
                            busy.incrementAndGet();
                        }
                    }
                }));
            }
            Thread.sleep(2000); // warm-up, not counted
            latencies.clear();
            busy.set(0);
            Thread.sleep(seconds * 1000L);
            List<Long> measured;
            synchronized (latencies) {
                measured = new ArrayList<>(latencies);
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            Collections.sort(measured);
            System.out.printf(Locale.ROOT, "| %d | %,.0f | %,d | %,d | %,d |%n", c, measured.size() / (double) seconds,
                    measured.get(measured.size() / 2), measured.get((int) (measured.size() * 0.99)), busy.get());
        }
    }

    /** Creates empty collections from four clients until the server refuses one (or the cap is reached). */
    private void most(Path data, String heap) throws Exception {
        try (ServerProcess s = ServerProcess.start(data, heap)) {
            AtomicLong next = new AtomicLong();
            java.util.concurrent.atomic.AtomicReference<String> refused = new java.util.concurrent.atomic.AtomicReference<>();
            long start = System.nanoTime();
            List<Thread> creators = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                creators.add(Thread.ofPlatform().start(() -> {
                    for (long i; refused.get() == null && (i = next.getAndIncrement()) < mostCap; ) {
                        ServerProcess.Answer a = s.call("PUT", "/collections/c" + i, DIM4);
                        if (a.status() != 200) {
                            refused.compareAndSet(null, "collection " + i + " refused: " + a.status() + " "
                                    + a.body().substring(0, Math.min(200, a.body().length())));
                        }
                        if (i % 50_000 == 49_999) {
                            System.err.printf("-Xmx%s: %,d collections%n", heap, i + 1);
                        }
                    }
                }));
            }
            for (Thread t : creators) {
                t.join();
            }
            long created = Math.min(next.get(), mostCap) - (refused.get() == null ? 0 : 4);
            long used = s.process.isAlive() ? s.heapAfterGc() : -1;
            System.out.printf(Locale.ROOT, "%n| -Xmx%s | about %,d collections created (%s) in %,.0f s; heap after GC %,d MB |%n", heap,
                    created, refused.get() == null ? "stopped at --most-cap" : refused.get(), (System.nanoTime() - start) / 1e9,
                    used >> 20);
        }
    }

    private static String upsert(int from, int count, int dim) {
        StringBuilder b = new StringBuilder("{\"points\": [");
        for (int id = from; id < from + count; id++) {
            b.append(id == from ? "" : ",").append("{\"id\": ").append(id).append(", \"vector\": ").append(vector(id, dim))
                    .append(", \"payload\": {\"title\": \"document ").append(id).append("\", \"group\": ").append(id % 100)
                    .append(", \"lang\": \"en\"}}");
        }
        return b.append("]}").toString();
    }

    private static String vector(long seed, int dim) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder("[");
        for (int j = 0; j < dim; j++) {
            b.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", r.nextGaussian()));
        }
        return b.append(']').toString();
    }

    private static void must(ServerProcess.Answer a) {
        if (a.status() != 200) {
            throw new IllegalStateException("the server answered " + a.status() + ": " + a.body());
        }
    }

    private static void delete(Path root) throws java.io.IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
