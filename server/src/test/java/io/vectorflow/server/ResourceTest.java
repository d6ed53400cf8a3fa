package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a server holds follows what is stored and asked, not what is configured: a child-process
 * server at a small heap, loaded the way that used to exhaust it. Figures are printed (and
 * recorded in docs/benchmarks.md).
 */
class ResourceTest {

    @Test
    void tenThousandCollectionsFitInAGigabyteOfHeapAndReopenInSeconds(@TempDir Path dir) throws Exception {
        int n = 10_000;
        Path data = dir.resolve("data");
        long emptyHeap;
        try (ChildServer s = ChildServer.start(data, "1g")) {
            emptyHeap = s.heapUsed();
            int threadsBefore = s.threads();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ChildServer.Answer a = s.call("PUT", "/collections/c" + i, "{\"vectors\": {\"size\": 4, \"distance\": \"Dot\"}}");
                assertThat(a.status()).as(a.body()).isEqualTo(200);
            }
            long createMillis = (System.nanoTime() - start) / 1_000_000;
            start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ChildServer.Answer a = s.call("POST", "/collections/c" + i + "/points/query", "{\"query\": [1, 0, 0, 0], \"limit\": 3}");
                assertThat(a.status()).as(a.body()).isEqualTo(200);
            }
            long searchMillis = (System.nanoTime() - start) / 1_000_000;
            start = System.nanoTime();
            ChildServer.Answer metrics = s.call("GET", "/metrics", null);
            long scrapeMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("vectorflow_collection_points{collection=\"c9999\"}");
            long heap = s.heapUsed();
            long perCollection = (heap - emptyHeap) / n;
            System.out.printf("%,d empty collections: created in %,d ms, searched in %,d ms, /metrics scraped in %,d ms; heap %,d -> %,d"
                            + " bytes (%,d per collection, metrics included); RSS %,d MB; threads %d -> %d; %d mappings; %d open files%n",
                    n, createMillis, searchMillis, scrapeMillis, emptyHeap, heap, perCollection, s.stats().residentBytes() >> 20, threadsBefore,
                    s.threads(), s.stats().mappings(), s.stats().openFiles());
            assertThat(perCollection).as("heap per idle collection").isLessThanOrEqualTo(64 << 10);
            assertThat(s.terminate(Duration.ofSeconds(60))).as("graceful stop").isNotNegative();
        }
        try (ChildServer s = ChildServer.start(data, "1g")) {
            System.out.printf("reopened %,d collections in %,d ms; heap %,d bytes; RSS %,d MB%n", n, s.openMillis, s.heapUsed(),
                    s.stats().residentBytes() >> 20);
            ChildServer.Answer a = s.call("POST", "/collections/c" + (n - 1) + "/points/query", "{\"query\": [1, 0, 0, 0]}");
            assertThat(a.status()).as(a.body()).isEqualTo(200);
            assertThat(s.call("GET", "/collections", null).json().at("/result/collections").size()).isEqualTo(n);
        }
    }

    /** Counts answers by status, checks every 503 says when to retry, fails on any other 5xx. */
    private static final class Statuses {
        final Map<Integer, AtomicLong> counts = new ConcurrentHashMap<>();
        final AtomicReference<String> unexpected = new AtomicReference<>();

        void record(ChildServer.Answer a) {
            counts.computeIfAbsent(a.status(), k -> new AtomicLong()).incrementAndGet();
            if (a.status() == 503 && a.headers().firstValue("retry-after").isEmpty()) {
                unexpected.compareAndSet(null, "503 without Retry-After: " + a.body());
            } else if (a.status() >= 500 && a.status() != 503) {
                unexpected.compareAndSet(null, a.status() + ": " + a.body());
            }
        }
    }

    @Test
    void sixtyFourClientsOverTwelveCollectionsAtHalfAGigabyte(@TempDir Path dir) throws Exception {
        int dim = 64;
        Set<Long> acknowledged = new ConcurrentSkipListSet<>();
        try (ChildServer s = ChildServer.start(dir.resolve("data"), "512m")) {
            for (int c = 0; c < 12; c++) {
                assertThat(s.call("PUT", "/collections/c" + c, "{\"vectors\": {\"size\": " + dim + ", \"distance\": \"Cosine\"}}")
                        .status()).isEqualTo(200);
                for (int b = 0; b < 3; b++) {
                    ChildServer.Answer a = s.call("PUT", "/collections/c" + c + "/points",
                            Load.upsert(b * 1000L, 1000, dim, id -> "{\"g\": " + id % 10 + "}"));
                    assertThat(a.status()).as(a.body()).isEqualTo(200);
                }
            }
            Statuses statuses = new Statuses();
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean terminating = new AtomicBoolean();
            AtomicLong nextId = new AtomicLong(1_000_000);
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                boolean writer = t < 8;
                int seed = t;
                clients.add(Thread.ofPlatform().start(() -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    while (!stop.get()) {
                        String c = "c" + r.nextInt(12);
                        try {
                            if (writer) {
                                long first = nextId.getAndAdd(50);
                                ChildServer.Answer a = s.call("PUT", "/collections/" + c + "/points",
                                        Load.upsert(first, 50, dim, id -> "{\"g\": " + id % 10 + "}"));
                                statuses.record(a);
                                if (a.status() == 200) {
                                    for (long id = first; id < first + 50; id++) {
                                        acknowledged.add(id * 100 + Integer.parseInt(c.substring(1)));
                                    }
                                }
                            } else {
                                String filter = r.nextInt(4) == 0 ? ", \"filter\": {\"must\": [{\"key\": \"g\", \"match\": {\"value\": "
                                        + r.nextInt(10) + "}}]}" : "";
                                long start = System.nanoTime();
                                ChildServer.Answer a = s.call("POST", "/collections/" + c + "/points/query", "{\"query\": "
                                        + Load.vector(r.nextLong(), dim) + ", \"limit\": 10, \"with_payload\": true" + filter + "}");
                                statuses.record(a);
                                if (a.status() == 200) {
                                    latencies.add((System.nanoTime() - start) / 1000);
                                }
                            }
                        } catch (RuntimeException e) {
                            if (!terminating.get()) {
                                statuses.unexpected.compareAndSet(null, "client failed: " + e);
                            }
                        }
                    }
                }));
            }
            Thread.sleep(30_000);
            long rss = s.stats().residentBytes();
            int threads = s.threads();
            List<Long> measured;
            synchronized (latencies) {
                measured = new ArrayList<>(latencies);
            }
            System.out.printf("64 clients x 30 s over 12 collections at -Xmx512m: answers %s; search p50 %,d us, p99 %,d us (%,d searches);"
                            + " RSS %,d MB, %d threads%n", statuses.counts, Load.percentile(measured, 0.5),
                    Load.percentile(measured, 0.99), measured.size(), rss >> 20, threads);
            // Stop it under load, as an orchestrator would: it must be gone within its grace period.
            terminating.set(true);
            long stoppedIn = s.terminate(Duration.ofSeconds(45));
            stop.set(true);
            for (Thread c : clients) {
                c.join();
            }
            System.out.printf("SIGTERM under load: stopped in %,d ms%n", stoppedIn);
            assertThat(statuses.unexpected.get()).as("an answer other than 2xx, 4xx or 503 with Retry-After").isNull();
            assertThat(s.output()).doesNotContain("OutOfMemoryError");
            assertThat(stoppedIn).as("graceful stop under load: requests get 10 s, sealing 5 s").isBetween(0L, 20_000L);
            assertThat(measured).hasSizeGreaterThan(1000);
        }
        try (ChildServer s = ChildServer.start(dir.resolve("data"), "512m")) {
            for (int c = 0; c < 12; c++) {
                List<Long> ids = new ArrayList<>();
                for (long key : acknowledged) {
                    if (key % 100 == c) {
                        ids.add(key / 100);
                    }
                }
                for (int from = 0; from < ids.size(); from += 1000) {
                    List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
                    ChildServer.Answer a = s.call("POST", "/collections/c" + c + "/points", "{\"ids\": " + chunk + "}");
                    assertThat(a.json().get("result").size()).as("acknowledged writes after the stop").isEqualTo(chunk.size());
                }
            }
        }
    }

    @Test
    void twoHundredThousandPointsWithTwentyKilobytePayloadsAtAGigabyte(@TempDir Path dir) throws Exception {
        int n = 200_000;
        int batch = 100;
        int size = 20_000;
        Path data = dir.resolve("data");
        try (ChildServer s = ChildServer.start(data, "1g")) {
            assertThat(s.call("PUT", "/collections/p", "{\"vectors\": {\"size\": 8, \"distance\": \"Euclid\"}}").status()).isEqualTo(200);
            AtomicLong next = new AtomicLong();
            AtomicLong busy = new AtomicLong();
            AtomicLong peakRss = new AtomicLong();
            AtomicLong peakAnon = new AtomicLong();
            AtomicReference<String> failure = new AtomicReference<>();
            long start = System.nanoTime();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                writers.add(Thread.ofPlatform().start(() -> {
                    for (long from; (from = next.getAndAdd(batch)) < n && failure.get() == null; ) {
                        String body = Load.upsert(from, batch, 8, id -> "{\"id\": " + id + ", \"text\": \"" + Load.text(id, size) + "\"}");
                        while (true) {
                            ChildServer.Answer a = s.call("PUT", "/collections/p/points", body);
                            if (a.status() == 200) {
                                break;
                            }
                            if (a.status() != 503) {
                                failure.compareAndSet(null, a.status() + " " + a.body());
                                return;
                            }
                            busy.incrementAndGet();
                            try {
                                Thread.sleep(1000L * Integer.parseInt(a.headers().firstValue("retry-after").orElse("1")));
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                        if (from % 20_000 == 0) {
                            peakRss.accumulateAndGet(s.stats().residentBytes(), Math::max);
                            peakAnon.accumulateAndGet(s.stats().anonymousBytes(), Math::max);
                        }
                    }
                }));
            }
            for (Thread w : writers) {
                w.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(failure.get()).isNull();
            assertThat(s.call("POST", "/collections/p/points/count", "{}").json().at("/result/count").asLong()).isEqualTo(n);
            JsonNode info = s.call("GET", "/collections/p", null).json().get("result");
            System.out.printf("%,d points with %,d-byte payloads at -Xmx1g: %.0f s (%.0f MB/s of payload, %,d busy answers retried);"
                            + " peak RSS %,d MB (anonymous %,d MB), heap after %,d MB; %d segments, %,d MB on disk%n", n, size, seconds,
                    (double) n * size / seconds / 1e6, busy.get(), peakRss.get() >> 20, peakAnon.get() >> 20, s.heapUsed() >> 20,
                    info.get("segments_count").asInt(), info.at("/vectorflow/bytes_on_disk").asLong() >> 20);
            assertThat(s.terminate(Duration.ofSeconds(60))).isNotNegative();
        }
        try (ChildServer s = ChildServer.start(data, "1g")) {
            System.out.printf("reopened in %,d ms%n", s.openMillis);
            assertThat(s.call("POST", "/collections/p/points/count", "{}").json().at("/result/count").asLong()).isEqualTo(n);
            for (int from = 0; from < n; from += 1000) {
                List<Integer> ids = new ArrayList<>();
                for (int id = from; id < from + 1000; id++) {
                    ids.add(id);
                }
                ChildServer.Answer a = s.call("POST", "/collections/p/points", "{\"ids\": " + ids + ", \"with_payload\": true}");
                assertThat(a.status()).as(a.body()).isEqualTo(200);
                JsonNode points = a.json().get("result");
                assertThat(points.size()).isEqualTo(1000);
                for (JsonNode p : points) {
                    long id = p.get("id").asLong();
                    assertThat(p.at("/payload/id").asLong()).isEqualTo(id);
                    assertThat(p.at("/payload/text").asText()).isEqualTo(Load.text(id, size));
                }
            }
        }
    }

    @Test
    void theSmallestSegmentsStillLeaveABoundedNumberOfSegmentsAndMappings(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        int dim = 256;
        try (ChildServer s = ChildServer.start(data, "512m")) {
            long mappingsBefore = s.stats().mappings();
            ChildServer.Answer created = s.call("PUT", "/collections/tiny", "{\"vectors\": {\"size\": " + dim + ", \"distance\": \"Dot\"},"
                    + " \"optimizers_config\": {\"max_segment_size\": 1}}");
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            long start = System.nanoTime();
            for (long from = 0; from < 20_000; from += 100) {
                ChildServer.Answer a;
                do {
                    a = s.call("PUT", "/collections/tiny/points", Load.upsert(from, 100, dim, id -> "{}"));
                } while (a.status() == 503);
                assertThat(a.status()).as(a.body()).isEqualTo(200);
            }
            long ingest = (System.nanoTime() - start) / 1_000_000;
            int segments = Integer.MAX_VALUE;
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (System.nanoTime() < deadline && segments > 30) {
                Thread.sleep(500);
                segments = s.call("GET", "/collections/tiny", null).json().at("/result/segments_count").asInt();
            }
            System.out.printf("20,000 points at max_segment_size 1 KB (1 point per segment) in batches of 100: %,d ms;"
                            + " %d segments once compaction settled; mappings %d -> %d%n", ingest, segments, mappingsBefore, s.stats().mappings());
            assertThat(segments).as("segments after compaction").isLessThanOrEqualTo(30);
            assertThat(s.stats().mappings() - mappingsBefore).as("mappings added").isLessThan(200);
            assertThat(s.terminate(Duration.ofSeconds(60))).isNotNegative();
        }
        try (ChildServer s = ChildServer.start(data, "512m")) {
            System.out.printf("reopened in %,d ms%n", s.openMillis);
            assertThat(s.call("POST", "/collections/tiny/points/count", "{}").json().at("/result/count").asLong()).isEqualTo(20_000);
        }
    }

    @Test
    void abandonedAndTimedOutRequestsStopWorking(@TempDir Path dir) throws Exception {
        try (ChildServer s = ChildServer.start(dir.resolve("data"), "512m")) {
            assertThat(s.call("PUT", "/collections/slow", "{\"vectors\": {\"size\": 16, \"distance\": \"Dot\"}}").status()).isEqualTo(200);
            for (long from = 0; from < 30_000; from += 5000) {
                assertThat(s.call("PUT", "/collections/slow/points", Load.upsert(from, 5000, 16, id -> "{\"tag\": \"t" + id % 7 + "\"}"))
                        .status()).isEqualTo(200);
            }
            awaitIndexed(s, "slow"); // so that what the CPU does afterwards is the requests' work alone
            StringBuilder b = new StringBuilder("{\"query\": " + Load.vector(1, 16) + ", \"params\": {\"exact\": true}, \"filter\": {\"should\": [");
            for (int i = 0; i < 9_999; i++) {
                b.append(i == 0 ? "" : ",").append("{\"key\": \"tag\", \"match\": {\"value\": \"x").append(i).append("\"}}");
            }
            String heavy = b.append("]}}").toString(); // 30,000 points x 10,000 conditions: about a minute of work
            long start = System.nanoTime();
            ChildServer.Answer timedOut = s.call("POST", "/collections/slow/points/query?timeout=1", heavy);
            long took = (System.nanoTime() - start) / 1_000_000;
            assertThat(timedOut.status()).as(timedOut.body()).isEqualTo(408);
            assertThat(took).as("answered soon after its 1 s timeout").isLessThan(3_000);
            Thread.sleep(500);
            long idleBefore = Load.cpuMillis(s.process.pid());
            Thread.sleep(3_000);
            long idle = Load.cpuMillis(s.process.pid()) - idleBefore;
            // Four clients send the heavy request and go away after 300 ms.
            for (int i = 0; i < 4; i++) {
                try (Socket socket = new Socket("127.0.0.1", s.port)) {
                    OutputStream out = socket.getOutputStream();
                    byte[] body = heavy.getBytes(StandardCharsets.UTF_8);
                    out.write(("POST /collections/slow/points/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    Thread.sleep(300);
                }
            }
            Thread.sleep(100); // the cancellations arrive; the work stops at its next budget check
            long cpuBefore = Load.cpuMillis(s.process.pid());
            Thread.sleep(3_000);
            long cpu = Load.cpuMillis(s.process.pid()) - cpuBefore;
            System.out.printf("timeout=1 on a minute of work: 408 after %,d ms; 4 abandoned requests: %,d ms of CPU from 0.1 to 3.1 s after"
                    + " (idle: %,d ms in 3 s)%n", took, cpu, idle);
            assertThat(cpu).as("CPU used by abandoned requests after their clients left").isLessThan(idle + 300);
        }
    }

    @Test
    void aSnapshotLargerThanTheHeapStreamsThroughDownloadAndUpload(@TempDir Path dir) throws Exception {
        try (ChildServer s = ChildServer.start(dir.resolve("data"), "256m")) {
            assertThat(s.call("PUT", "/collections/big", "{\"vectors\": {\"size\": 8, \"distance\": \"Dot\"}}").status()).isEqualTo(200);
            int n = 16_000;
            for (long from = 0; from < n; from += 200) {
                ChildServer.Answer a;
                do {
                    a = s.call("PUT", "/collections/big/points", Load.upsert(from, 200, 8, id -> "{\"t\": \"" + Load.text(id, 20_000) + "\"}"));
                } while (a.status() == 503);
                assertThat(a.status()).as(a.body()).isEqualTo(200);
            }
            ChildServer.Answer made = s.call("POST", "/collections/big/snapshots", "");
            assertThat(made.status()).as(made.body()).isEqualTo(200);
            String name = made.json().at("/result/name").asText();
            Path archive = dir.resolve("big.snapshot");
            var down = ChildServer.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.url()
                    + "/collections/big/snapshots/" + name)).build(), java.net.http.HttpResponse.BodyHandlers.ofFile(archive));
            assertThat(down.statusCode()).isEqualTo(200);
            long size = Files.size(archive);
            assertThat(size).as("archive larger than the 256 MiB heap").isGreaterThan(300L << 20);
            long start = System.nanoTime();
            ChildServer.Answer up = s.call("POST", "/collections/copy/snapshots/upload",
                    java.net.http.HttpRequest.BodyPublishers.ofFile(archive), Duration.ofMinutes(10));
            System.out.printf("%,d MB snapshot downloaded and uploaded again at -Xmx256m: restored in %,d ms%n", size >> 20,
                    (System.nanoTime() - start) / 1_000_000);
            assertThat(up.status()).as(up.body()).isEqualTo(200);
            assertThat(s.call("POST", "/collections/copy/points/count", "{}").json().at("/result/count").asLong()).isEqualTo(n);
            assertThat(s.output()).doesNotContain("OutOfMemoryError");
        }
    }

    @Test
    void aFullDiskAnswers507KeepsReadsGoingAndWritesResumeWhenSpaceIsBack(@TempDir Path dir) throws Exception {
        Path mount = dir.resolve("tmpfs");
        Files.createDirectories(mount);
        boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", mount.toString());
        Assumptions.assumeTrue(mounted, "skipped: mounting a 40 MiB tmpfs for the full-disk test needs root");
        try {
            Path data = mount.resolve("data");
            Set<Long> acknowledged = new ConcurrentSkipListSet<>();
            try (ChildServer s = ChildServer.start(data, "256m")) {
                assertThat(s.call("PUT", "/collections/f", "{\"vectors\": {\"size\": 16, \"distance\": \"Dot\"}}").status()).isEqualTo(200);
                Path filler = mount.resolve("filler");
                fill(filler, mount);
                ChildServer.Answer refused = null;
                for (long from = 0; from < 400_000 && refused == null; from += 200) {
                    ChildServer.Answer a = s.call("PUT", "/collections/f/points", Load.upsert(from, 200, 16, id -> "{\"n\": " + id + "}"));
                    if (a.status() == 200) {
                        for (long id = from; id < from + 200; id++) {
                            acknowledged.add(id);
                        }
                    } else {
                        refused = a;
                    }
                }
                assertThat(refused).isNotNull();
                assertThat(refused.status()).as(refused.body()).isEqualTo(507);
                assertThat(refused.error()).contains("no space left").contains(mount.toString());
                // Reads and searches go on.
                assertThat(s.call("POST", "/collections/f/points/count", "{}").json().at("/result/count").asLong())
                        .isEqualTo(acknowledged.size());
                assertThat(s.call("POST", "/collections/f/points/query", "{\"query\": " + Load.vector(3, 16) + "}").status()).isEqualTo(200);
                // With not a byte left, a collection cannot be created, and nothing of it is left.
                Path rest = mount.resolve("rest");
                fill(rest, mount, 0);
                ChildServer.Answer create = s.call("PUT", "/collections/g", "{\"vectors\": {\"size\": 16, \"distance\": \"Dot\"}}");
                assertThat(create.status()).as(create.body()).isEqualTo(507);
                assertThat(s.call("GET", "/collections/g", null).status()).isEqualTo(404);
                try (var entries = Files.list(data.resolve("tenants/default/collections"))) {
                    assertThat(entries.map(p -> p.getFileName().toString()).toList()).containsExactly("f");
                }
                // Space is back: writes resume by themselves.
                Files.delete(rest);
                Files.delete(filler);
                ChildServer.Answer resumed = s.call("PUT", "/collections/f/points", Load.upsert(900_000, 200, 16, id -> "{}"));
                assertThat(resumed.status()).as(resumed.body()).isEqualTo(200);
                for (long id = 900_000; id < 900_200; id++) {
                    acknowledged.add(id);
                }
                assertThat(s.terminate(Duration.ofSeconds(60))).isNotNegative();
            }
            try (ChildServer s = ChildServer.start(data, "256m")) {
                List<Long> ids = new ArrayList<>(acknowledged);
                for (int from = 0; from < ids.size(); from += 2000) {
                    List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 2000));
                    assertThat(s.call("POST", "/collections/f/points", "{\"ids\": " + chunk + "}").json().get("result").size())
                            .as("acknowledged points after the disk filled").isEqualTo(chunk.size());
                }
                System.out.printf("full disk: %,d acknowledged points kept, writes resumed after space was freed%n", ids.size());
            }
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    @Test
    void aDropThatCannotChangeTheDataDirectoryLeavesTheCollectionAsItWas(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (ChildServer s = ChildServer.start(data, "256m")) {
            assertThat(s.call("PUT", "/collections/keep", "{\"vectors\": {\"size\": 4, \"distance\": \"Dot\"}}").status()).isEqualTo(200);
            assertThat(s.call("PUT", "/collections/keep/points", Load.upsert(0, 10, 4, id -> "{}")).status()).isEqualTo(200);
            Path collections = data.resolve("tenants/default/collections");
            boolean immutable = run("chattr", "+i", collections.toString());
            Assumptions.assumeTrue(immutable, "skipped: making the collections directory immutable needs root and chattr");
            ChildServer.Answer drop;
            try {
                drop = s.call("DELETE", "/collections/keep", null);
            } finally {
                run("chattr", "-i", collections.toString());
            }
            assertThat(drop.status()).as(drop.body()).isEqualTo(503);
            assertThat(drop.error()).contains("cannot be changed").contains("unchanged");
            assertThat(s.call("POST", "/collections/keep/points/count", "{}").json().at("/result/count").asLong()).isEqualTo(10);
            assertThat(s.call("PUT", "/collections/keep/points", Load.upsert(10, 5, 4, id -> "{}")).status()).isEqualTo(200);
            assertThat(s.call("DELETE", "/collections/keep", null).status()).isEqualTo(200); // and now it can go
            assertThat(s.call("GET", "/collections/keep", null).status()).isEqualTo(404);
        }
    }

    /** Waits until every point of the collection is in its graph. */
    private static void awaitIndexed(ChildServer s, String collection) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline
                && s.call("GET", "/collections/" + collection, null).json().at("/result/vectorflow/unindexed_points").asInt() > 0) {
            Thread.sleep(200);
        }
    }

    /** Fills the file system holding {@code dir} until about 1 MiB is left, with one file. */
    private static void fill(Path filler, Path dir) throws IOException {
        fill(filler, dir, 1 << 20);
    }

    /** Fills the file system holding {@code dir} until {@code leave} bytes (or less) are left, with one file. */
    private static void fill(Path filler, Path dir, long leave) throws IOException {
        long free = Files.getFileStore(dir).getUsableSpace();
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (long written = 0; written < free - leave; written += chunk.length) {
                out.write(chunk);
            }
        } catch (IOException full) {
            // full: what was asked for
        }
    }

    private static boolean run(String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
