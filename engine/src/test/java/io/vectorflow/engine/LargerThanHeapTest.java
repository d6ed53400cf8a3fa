package io.vectorflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.storage.segment.SealedSegment;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collection whose vectors are more than twice the heap of the JVM that opens it: the sealed
 * segments are memory-mapped and searched in place, so it opens and answers within
 * {@code -Xmx64m}, with the same results the writing JVM got.
 */
class LargerThanHeapTest {

    static final int DIM = 1024;
    static final int POINTS = 34_000; // 34,000 × 1024 × 4 bytes = 139 MB of vectors

    @TempDir
    Path dir;

    static float[] vector(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void opensAndSearchesInAJvmWhoseHeapIsLessThanHalfTheVectors() throws Exception {
        Path data = dir.resolve("data");
        List<String> expected = new ArrayList<>();
        try (Database db = Database.open(data, Database.Options.defaults().withPrefault(false))) {
            Collection c = db.createCollection(CollectionConfig.of("big", DIM, "euclidean").withHnsw(6, 24)
                    .withSegmentCapacity(POINTS).withOnDisk(true));
            for (int from = 0; from < POINTS; from += 2_000) {
                List<Point> batch = new ArrayList<>();
                for (int i = from; i < Math.min(POINTS, from + 2_000); i++) {
                    batch.add(Point.of(i, vector(i)));
                }
                c.upsert(batch);
            }
            c.flush();
            for (int q = 0; q < 5; q++) {
                SearchResult r = c.search(SearchRequest.of(vector(1_000_000 + q), 5));
                expected.add(r.points().stream().map(p -> p.id().toString()).toList().toString());
            }
        }
        Path expectedFile = dir.resolve("expected.txt");
        Files.write(expectedFile, expected);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Xmx64m", "-cp", cp, SmallHeapReader.class.getName(), data.toString(), expectedFile.toString())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("max heap 64 MiB").contains("vectors mapped: true").contains("results match: true");
    }

    /** The child: opens the database with a 64 MiB heap, checks the mappings, re-runs the searches. */
    public static final class SmallHeapReader {
        public static void main(String[] args) throws Exception {
            long maxHeap = Runtime.getRuntime().maxMemory();
            System.out.println("max heap " + (maxHeap >> 20) + " MiB");
            List<String> expected = Files.readAllLines(Path.of(args[1]));
            try (Database db = Database.open(Path.of(args[0]), Database.Options.defaults().withPrefault(false))) {
                Collection c = db.collection("big");
                long vectorBytes = 0;
                boolean mapped = true;
                for (SealedSegment s : c.store().view().sealed()) {
                    MemorySegment vectors = s.mappings().getFirst(); // vectors.f32
                    // mapped, and searched in place: the store reads the mapping's own pages
                    mapped &= vectors.isMapped() && s.vectors().segment().address() == vectors.address() + 64;
                    vectorBytes += vectors.byteSize();
                }
                System.out.println("vectors mapped: " + mapped + ", " + (vectorBytes >> 20) + " MiB");
                if (vectorBytes < 2 * maxHeap) {
                    throw new AssertionError("vectors (" + vectorBytes + " bytes) are not twice the heap (" + maxHeap + ")");
                }
                boolean match = true;
                for (int q = 0; q < expected.size(); q++) {
                    SearchResult r = c.search(SearchRequest.of(vector(1_000_000 + q), 5));
                    match &= r.points().stream().map(p -> p.id().toString()).toList().toString().equals(expected.get(q));
                }
                System.out.println("results match: " + match);
                System.exit(match && mapped ? 0 : 1);
            }
        }
    }
}
