package io.vectorflow.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.storage.io.Disk;
import io.vectorflow.storage.segment.Segment;
import io.vectorflow.storage.segment.VectorLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Points carrying several dense vectors (some lacking one) and sparse vectors, through the log
 * (a crash before any seal), sealed segment files, a reopen and a compaction: every vector
 * comes back as written, lacking ones stay lacking and out of their graphs, deletes reach every
 * graph.
 */
class MultiVectorStoreTest {

    @TempDir
    Path dir;

    private static StoreOptions options() {
        return StoreTesting.options(120).withVectors(List.of(new VectorLayout.Dense(3, Metrics.COSINE, new HnswParams(6, 24, 1))), 1);
    }

    /** Point i: slot 0 unless i % 5 == 0, slot 1 unless i % 3 == 0, a sparse vector unless i % 4 == 0. */
    private static PointRecord point(long i) {
        float[] first = i % 5 == 0 ? null : StoreTesting.vector(i);
        float[] second = i % 3 == 0 ? null : new float[] {i, 1, 0}; // stored normalised (cosine)
        SparseVector sparse = i % 4 == 0 ? null : new SparseVector(new int[] {(int) (i % 7), 100 + (int) i}, new float[] {1, i});
        return new PointRecord(PointId.of(i), first, StoreTesting.payload(i), new float[][] {second},
                new SparseVector[] {sparse});
    }

    private static List<PointRecord> points(int from, int n) {
        List<PointRecord> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            out.add(point(i));
        }
        return out;
    }

    private static void check(CollectionStore store, int n) {
        for (long i = 0; i < n; i++) {
            CollectionStore.Location loc = store.find(PointId.of(i));
            assertThat(loc).as("point %d", i).isNotNull();
            Segment s = loc.segment();
            PointRecord want = point(i);
            if (want.vector() == null) {
                assertThat(s.vector(0, loc.ordinal())).isNull();
                assertThat(s.hasVector(0, loc.ordinal())).isFalse();
            } else {
                assertThat(s.vector(0, loc.ordinal())).containsExactly(want.vector());
            }
            if (want.dense(1) == null) {
                assertThat(s.vector(1, loc.ordinal())).isNull();
            } else {
                float norm = (float) Math.sqrt(i * i + 1.0);
                assertThat(s.vector(1, loc.ordinal())).containsExactly(new float[] {i / norm, 1 / norm, 0},
                        org.assertj.core.api.Assertions.within(1e-6f));
            }
            assertThat(s.sparse(0, loc.ordinal())).isEqualTo(want.sparse(0));
            assertThat(new String(s.payload(loc.ordinal()))).isEqualTo(new String(want.payload()));
        }
        for (Segment s : store.view().all()) {
            for (int slot = 0; slot < 2; slot++) {
                int present = 0;
                for (int o = 0; o < s.size(); o++) {
                    present += s.hasVector(slot, o) ? 1 : 0;
                }
                if (s.size() > 0 && s instanceof io.vectorflow.storage.segment.SealedSegment) {
                    assertThat(s.graph(slot).size()).as("graph of slot %d holds only points with that vector", slot)
                            .isEqualTo(present);
                }
            }
        }
    }

    @Test
    void everyVectorSurvivesTheLogSealedFilesAReopenAndCompaction() throws Exception {
        CollectionStore store = CollectionStore.open(Disk.REAL, dir, options());
        store.upsert(points(0, 100));
        store.awaitIndexing();
        store.halt(); // a crash: nothing sealed, the log holds it all
        store = CollectionStore.open(Disk.REAL, dir, options());
        assertThat(store.recovery().replayed()).isEqualTo(1);
        check(store, 100);
        for (int from = 100; from < 400; from += 50) {
            store.upsert(points(from, 50)); // freezes and seals segments of about 120 points
        }
        store.flush();
        assertThat(store.view().sealed()).hasSizeGreaterThan(2);
        try (var files = Files.list(store.view().sealed().getFirst().directory())) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).contains("vectors-1.f32", "graph-1.hnsw",
                    "absent.bin", "sparse-0.idx", "sparse-0.fwd");
        }
        check(store, 400);
        CollectionStore.Location gone = store.find(PointId.of(7));
        assertThat(store.delete(List.of(PointId.of(7)))).isEqualTo(1);
        assertThat(gone.segment().graph(1).isDeleted(gone.ordinal())).as("deletes reach every graph").isTrue();
        store.close();

        store = CollectionStore.open(Disk.REAL, dir, options());
        assertThat(store.find(PointId.of(7))).isNull();
        store.delete(List.of(PointId.of(8), PointId.of(9), PointId.of(10), PointId.of(11)));
        for (int i = 0; i < 60; i++) {
            store.delete(List.of(PointId.of(200 + i)));
        }
        assertThat(store.compact()).isPositive();
        CollectionStore.Location moved = store.find(PointId.of(13));
        assertThat(moved.segment().sparseIndex(0).documentFrequency(100 + 13)).isEqualTo(1);
        assertThat(moved.segment().sparseIndex(0).search(new SparseVector(new int[] {113}, new float[] {1}), 3, null, null)
                .ordinals()).containsExactly(moved.ordinal());
        for (long i = 0; i < 400; i++) {
            boolean deleted = i >= 7 && i <= 11 || i >= 200 && i < 260;
            assertThat(store.find(PointId.of(i)) == null).as("point %d", i).isEqualTo(deleted);
        }
        store.close();
    }
}
