package io.vectorflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.core.quant.QuantizationSpec;
import io.vectorflow.storage.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collection's memory breakdown against what the process really holds: a child JVM with a
 * fixed, pre-touched heap opens a collection (its vectors, graph and int8 codes loaded into RAM)
 * and compares the growth of its {@code RssAnon} with the RAM the breakdown reports; the disk
 * side is compared with the bytes of the collection's files.
 */
class MemoryAccountingTest {

    private static final int N = 120_000;
    private static final int DIM = 256;

    @TempDir
    Path dir;

    @Test
    void theBreakdownMatchesWhatTheProcessHolds() throws Exception {
        Path data = dir.resolve("data");
        try (Database db = Database.open(data, Database.Options.defaults().withCompaction(false, 0))) {
            Collection c = db.createCollection(CollectionConfig.of("m", DIM, "euclidean").withHnsw(8, 16)
                    .withSegmentCapacity(N).withQuantization(new QuantizationSpec(QuantizationSpec.Scheme.INT8, 0.99f, true)));
            SyntheticData gen = new SyntheticData(DIM, 42);
            float[][] base = gen.base(N);
            for (int from = 0; from < N; from += 5_000) {
                List<Point> batch = new ArrayList<>();
                for (int i = from; i < from + 5_000; i++) {
                    batch.add(Point.of(i, base[i], java.util.Map.of()));
                }
                c.upsert(batch);
            }
            c.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!c.quantizationComplete() && System.nanoTime() < deadline) {
                c.search(SearchRequest.of(base[0], 1));
                Thread.sleep(50);
            }
            assertThat(c.quantizationComplete()).isTrue();
            MemoryUsage u = c.memoryUsage();
            long files;
            try (var walk = Files.walk(data.resolve("tenants/default/collections/m"))) {
                files = walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            assertThat((double) u.disk()).isCloseTo(files, org.assertj.core.data.Percentage.withPercentage(10));
            assertThat(u.disk("vectors")).isGreaterThanOrEqualTo(4L * DIM * N);
            assertThat(u.disk("quantized_vectors")).isGreaterThanOrEqualTo((long) DIM * N);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Xms96m", "-Xmx96m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classPath(), MemoryChild.class.getName(), data.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
        String log = Files.readString(dir.resolve("child.log"));
        assertThat(child.exitValue()).as(log).isZero();
        String line = log.lines().filter(l -> l.startsWith("rss-growth ")).findFirst().orElseThrow(() -> new AssertionError(log));
        String[] f = line.split(" ");
        long growth = Long.parseLong(f[1]);
        long reported = Long.parseLong(f[2]);
        System.out.printf("RssAnon grew by %,d bytes on open; the breakdown reports %,d in RAM (%s)%n", growth, reported,
                log.lines().filter(l -> l.startsWith("ram ")).findFirst().orElse(""));
        // vectors 123 MB, codes 31 MB, graph: the breakdown must account for what the process holds
        assertThat(reported).isGreaterThan(4L * DIM * N + (long) DIM * N);
        assertThat((double) reported).isCloseTo(growth, org.assertj.core.data.Percentage.withPercentage(10));
    }

    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** Opens the collection and prints how much its RssAnon grew, and what the breakdown says. */
    public static final class MemoryChild {
        public static void main(String[] args) throws Exception {
            Path data = Path.of(args[0]);
            Path scratch = Files.createTempDirectory("vf-warm");
            try (Database warm = Database.open(scratch)) { // load the classes first
                warm.createCollection(CollectionConfig.of("w", 4, "euclidean")).upsert(List.of(Point.of(1, new float[] {1, 2, 3, 4},
                        java.util.Map.of())));
            }
            settle();
            long before = rssAnon();
            try (Database db = Database.open(data, Database.Options.defaults().withCompaction(false, 0))) {
                Collection c = db.collection("m");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!c.quantizationComplete() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                settle();
                long after = rssAnon();
                MemoryUsage u = c.memoryUsage();
                StringBuilder ram = new StringBuilder("ram");
                for (String component : MemoryUsage.COMPONENTS) {
                    ram.append(' ').append(component).append('=').append(u.ram(component));
                }
                System.out.println(ram);
                System.out.println("rss-growth " + (after - before) + " " + u.ram());
            }
        }

        private static void settle() throws InterruptedException {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(200);
            }
        }

        private static long rssAnon() throws java.io.IOException {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("RssAnon:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            throw new IllegalStateException("no RssAnon in /proc/self/status");
        }
    }
}
