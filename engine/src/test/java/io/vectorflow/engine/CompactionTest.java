package io.vectorflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.core.search.ExactSearch;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.storage.PointId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction merges small segments, drops deleted points, keeps recall, and survives a reopen. */
class CompactionTest {

    @TempDir
    Path dir;

    /** siftsmall from the shared data sets when present, else a generated set of the same shape. */
    static Dataset siftsmallOrSynthetic() throws IOException {
        Path sift = Path.of("..", "..", "shared", "datasets", "siftsmall");
        if (Files.isDirectory(sift)) {
            return Dataset.load(sift, 0);
        }
        SyntheticData gen = new SyntheticData(128, 42);
        float[][] base = gen.base(10_000);
        float[][] queries = gen.queries(100);
        VectorStore store = VectorStore.allocate(128, base.length);
        for (float[] v : base) {
            store.append(v);
        }
        return new Dataset("synthetic-10000x128", base, queries,
                new ExactSearch(store, Metrics.EUCLIDEAN).searchAll(queries, 100, 2, null));
    }

    private static double recall(Collection c, Dataset d, Set<Integer> deleted) {
        double hits = 0;
        for (int q = 0; q < d.queries().length; q++) {
            Set<Integer> truth = new HashSet<>();
            for (int t : d.groundTruth()[q]) {
                if (!deleted.contains(t) && truth.size() < 10) {
                    truth.add(t);
                }
            }
            for (ScoredPoint p : c.search(SearchRequest.of(d.queries()[q], 10).withEf(64)).points()) {
                hits += truth.contains((int) p.id().lsb()) ? 1 : 0;
            }
        }
        return hits / (10.0 * d.queries().length);
    }

    @Test
    void mergesSmallSegmentsKeepsRecallAndDropsDeletes() throws IOException {
        Dataset d = siftsmallOrSynthetic();
        int n = d.base().length;
        Set<Integer> deleted = new HashSet<>();
        Database.Options manual = Database.Options.defaults().withCompaction(false, 0);
        long bytesBefore;
        double recallBefore;
        try (Database db = Database.open(dir, manual)) {
            Collection c = db.createCollection(CollectionConfig.of("sift", d.dimension(), "euclidean")
                    .withHnsw(16, 100).withSegmentCapacity(4_000));
            for (int from = 0; from < n; from += 800) {
                List<Point> batch = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + 800); i++) {
                    batch.add(Point.of(i, d.base()[i], java.util.Map.of("i", i)));
                }
                c.upsert(batch);
                c.flush(); // one small sealed segment per batch
            }
            Random r = new Random(7);
            List<PointId> victims = new ArrayList<>();
            while (victims.size() < 1_000) {
                int v = r.nextInt(n);
                if (deleted.add(v)) {
                    victims.add(PointId.of(v));
                }
            }
            c.delete(victims);
            int before = c.store().view().sealed().size();
            assertThat(before).isGreaterThanOrEqualTo(5);
            recallBefore = recall(c, d, deleted);
            bytesBefore = c.bytesOnDisk();

            int merges = c.store().compact();
            int after = c.store().view().sealed().size();
            assertThat(merges).isPositive();
            assertThat(after).isLessThan(before);
            assertThat(c.count(null)).isEqualTo(n - deleted.size());
            double recallAfter = recall(c, d, deleted);
            assertThat(recallAfter).as("recall@10 after compaction (before: %.4f)", recallBefore)
                    .isGreaterThanOrEqualTo(recallBefore - 0.01);
            // Deleted points are gone from the merged segments' files, not just hidden.
            assertThat(c.store().view().sealed().stream().mapToInt(s -> s.size()).sum()).isLessThan(n);
            assertThat(c.bytesOnDisk()).isLessThan(bytesBefore);
            System.out.printf("compaction: %d segments -> %d, recall@10 %.4f -> %.4f, %,d -> %,d bytes%n",
                    before, after, recallBefore, recallAfter, bytesBefore, c.bytesOnDisk());
        }
        try (Database db = Database.open(dir, manual)) {
            Collection c = db.collection("sift");
            assertThat(c.count(null)).isEqualTo(n - deleted.size());
            assertThat(c.get(List.of(PointId.of(deleted.iterator().next())), false, false)).isEmpty();
            assertThat(recall(c, d, deleted)).isGreaterThanOrEqualTo(recallBefore - 0.01);
            try (Stream<Path> segs = Files.list(dir.resolve("tenants/default/collections/sift/segments"))) {
                assertThat(segs.count()).isEqualTo(c.store().view().sealed().size()); // inputs' files are gone
            }
        }
    }
}
