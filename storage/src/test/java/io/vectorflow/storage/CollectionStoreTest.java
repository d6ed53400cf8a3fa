package io.vectorflow.storage;

import static io.vectorflow.storage.StoreTesting.DIM;
import static io.vectorflow.storage.StoreTesting.open;
import static io.vectorflow.storage.StoreTesting.payload;
import static io.vectorflow.storage.StoreTesting.points;
import static io.vectorflow.storage.StoreTesting.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.core.search.SearchResults;
import io.vectorflow.storage.io.Disk;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.segment.Segment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectionStoreTest {

    @TempDir
    Path dir;

    private static void assertPoint(CollectionStore store, long id) {
        CollectionStore.Location loc = store.find(PointId.of(id));
        assertThat(loc).as("point %d", id).isNotNull();
        assertThat(loc.segment().vector(loc.ordinal())).containsExactly(vector(id));
        assertThat(loc.segment().payload(loc.ordinal())).isEqualTo(payload(id));
    }

    @Test
    void writesAreVisibleAtOnceAndSurviveReopenAcrossSeals() throws IOException {
        try (CollectionStore store = open(Disk.REAL, dir, 100)) {
            for (int b = 0; b < 7; b++) {
                store.upsert(points(b * 50L, 50));
                assertPoint(store, b * 50L + 49); // read-your-writes
            }
            store.awaitSealing();
            assertThat(store.view().sealed()).hasSize(3);
            assertThat(store.delete(List.of(PointId.of(10), PointId.of(330), PointId.of(9999)))).isEqualTo(2);
            assertThat(store.find(PointId.of(10))).isNull();
        }
        try (CollectionStore store = open(Disk.REAL, dir, 100)) {
            assertThat(store.recovery().replayed()).isZero(); // close sealed the tail: nothing to replay
            for (long id = 0; id < 350; id++) {
                if (id == 10 || id == 330) {
                    assertThat(store.find(PointId.of(id))).isNull();
                } else {
                    assertPoint(store, id);
                }
            }
            for (SealedSegment s : store.view().sealed()) {
                assertThat(s.mappings()).allMatch(m -> m.isMapped());
            }
        }
    }

    @Test
    void upsertReplacesAcrossSegmentsAndReplayRestoresUnsealedWrites() throws IOException {
        CollectionStore store = open(Disk.REAL, dir, 40);
        store.upsert(points(0, 60)); // seals once
        float[] changed = vector(1000);
        store.upsert(List.of(new PointRecord(PointId.of(5), changed, new byte[0])));
        CollectionStore.Location loc = store.find(PointId.of(5));
        assertThat(loc.segment().vector(loc.ordinal())).containsExactly(changed);
        // Not closed: a crash. The WAL tail must bring back the unsealed writes.
        abandon(store);
        try (CollectionStore reopened = open(Disk.REAL, dir, 40)) {
            assertThat(reopened.recovery().replayed()).isPositive();
            CollectionStore.Location again = reopened.find(PointId.of(5));
            assertThat(again.segment().vector(again.ordinal())).containsExactly(changed);
            assertThat(liveCount(reopened)).isEqualTo(60);
        }
    }

    /** Simulates a crash of the process: the store is dropped without closing (files stay as written). */
    private static void abandon(CollectionStore store) {
        store.halt(); // nothing flushed, nothing sealed; the OS keeps what was written
    }

    private static long liveCount(CollectionStore store) {
        return store.view().all().stream().mapToLong(Segment::liveCount).sum();
    }

    @Test
    void sealedSegmentSearchesExactlyLikeTheInMemoryOne() throws IOException {
        CollectionStore store = open(Disk.REAL, dir, 10_000);
        store.upsert(points(0, 2000));
        store.awaitIndexing();
        Segment mutable = store.view().mutable();
        mutable.index().connectComponents();
        List<float[]> queries = new ArrayList<>();
        List<int[]> before = new ArrayList<>();
        for (int q = 0; q < 20; q++) {
            float[] query = vector(50_000 + q);
            queries.add(query);
            SearchResults out = new SearchResults(10);
            mutable.index().search(query, 10, 50, null, out);
            before.add(out.ordinals());
        }
        store.flush();
        Segment sealed = store.view().sealed().getFirst();
        for (int q = 0; q < queries.size(); q++) {
            SearchResults out = new SearchResults(10);
            sealed.index().search(queries.get(q), 10, 50, null, out);
            assertThat(out.ordinals()).containsExactly(before.get(q));
        }
        store.close();
    }

    @Test
    void tornWalTailIsCutAndReported() throws IOException {
        CollectionStore store = open(Disk.REAL, dir, 1000);
        store.upsert(points(0, 10));
        store.upsert(points(10, 10));
        abandon(store);
        Path wal = onlyWalFile();
        long size = Files.size(wal);
        try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
            ch.truncate(size - 7); // the second record loses its last bytes
        }
        try (CollectionStore reopened = open(Disk.REAL, dir, 1000)) {
            assertThat(reopened.recovery().cutBytes()).isPositive();
            assertThat(reopened.readOnlyReason()).isNull();
            assertThat(liveCount(reopened)).isEqualTo(10);
            reopened.upsert(points(100, 5)); // and the log takes writes again
            assertPoint(reopened, 104);
        }
    }

    @Test
    void bitFlipInTheLastLogFileEndsTheLogThereAndIsReported() throws IOException {
        CollectionStore store = open(Disk.REAL, dir, 1000);
        for (int b = 0; b < 5; b++) {
            store.upsert(points(b * 10L, 10));
        }
        abandon(store);
        long recordBytes = 16 + 9 + 10 * (17 + 4 * DIM + 4) + 10 * payload(0).length;
        flipByte(onlyWalFile(), 16 + 2 * recordBytes + 40); // inside the third record's payload
        try (CollectionStore reopened = open(Disk.REAL, dir, 1000)) {
            assertThat(reopened.recovery().cutBytes()).isPositive();
            assertThat(reopened.recovery().discarded()).isEqualTo(2);
            assertThat(reopened.readOnlyReason()).isNull();
            assertThat(reopened.find(PointId.of(19))).isNotNull();
            assertThat(reopened.find(PointId.of(20))).isNull();
        }
    }

    @Test
    void aPointReplacedBeforeItsSegmentSealedIsStillFoundReplacedAndDeleted() throws IOException {
        try (CollectionStore store = open(Disk.REAL, dir, 100)) {
            store.upsert(points(0, 5));
            store.upsert(List.of(new PointRecord(PointId.of(3), vector(99), payload(99))));
            store.flush(); // the sealed segment holds id 3 twice, the first copy deleted
            CollectionStore.Location loc = store.find(PointId.of(3));
            assertThat(loc).isNotNull();
            assertThat(loc.segment().vector(loc.ordinal())).containsExactly(vector(99));
            store.upsert(List.of(new PointRecord(PointId.of(3), vector(98), payload(98))));
            assertThat(liveCount(store)).isEqualTo(5);
            assertThat(store.delete(List.of(PointId.of(3)))).isEqualTo(1);
            assertThat(store.find(PointId.of(3))).isNull();
            assertThat(liveCount(store)).isEqualTo(4);
        }
    }

    @Test
    void deletesAloneArePersistedByFlush() throws IOException {
        try (CollectionStore store = open(Disk.REAL, dir, 100)) {
            store.upsert(points(0, 10));
            store.flush();
            store.delete(List.of(PointId.of(4)));
            store.flush(); // nothing new to seal, but the delete bits are written and the log trimmed
        }
        try (CollectionStore reopened = open(Disk.REAL, dir, 100)) {
            assertThat(reopened.recovery().replayed()).isZero();
            assertThat(reopened.find(PointId.of(4))).isNull();
            assertThat(liveCount(reopened)).isEqualTo(9);
        }
    }

    @Test
    void damagedSegmentFileIsNamedAndLeftoversDoNotBlockOpening() throws IOException {
        try (CollectionStore store = open(Disk.REAL, dir, 50)) {
            store.upsert(points(0, 120));
        }
        Files.createDirectories(dir.resolve("segments/99.tmp"));
        Files.writeString(dir.resolve("segments/99.tmp/vectors.f32"), "half-written");
        Files.createDirectories(dir.resolve("segments/77"));
        try (CollectionStore store = open(Disk.REAL, dir, 50)) {
            assertThat(liveCount(store)).isEqualTo(120);
        }
        assertThat(dir.resolve("segments/99.tmp")).doesNotExist();
        assertThat(dir.resolve("segments/77")).doesNotExist();
        Path vectors;
        try (Stream<Path> s = Files.walk(dir.resolve("segments"))) {
            vectors = s.filter(p -> p.getFileName().toString().equals(SealedSegment.GRAPH)).findFirst().orElseThrow();
        }
        flipByte(vectors, 200);
        assertThatThrownBy(() -> open(Disk.REAL, dir, 50)).isInstanceOf(StorageException.class)
                .hasMessageContaining("graph file checksum mismatch").hasMessageContaining("segment");
    }

    private Path onlyWalFile() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("wal"))) {
            return s.filter(p -> p.toString().endsWith(".wal")).sorted().toList().getLast();
        }
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x10));
            ch.write(b.rewind(), at);
        }
    }

    @Test
    void badDimensionIsRefusedBeforeAnythingIsWritten() throws IOException {
        try (CollectionStore store = open(Disk.REAL, dir, 100)) {
            var bad = new PointRecord(PointId.of(1), new float[DIM + 1], new byte[0]);
            assertThatThrownBy(() -> store.upsert(List.of(bad))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("dimension");
            assertThat(store.find(PointId.of(1))).isNull();
        }
    }

    @Test
    void aBatchThatFindsNoMemoryIsNotAppliedNowNorAfterAReopen() throws IOException {
        CollectionStore store = open(Disk.REAL, dir, 1000);
        store.upsert(points(0, 10));
        CollectionStore.failReservationsFrom = 50;
        try {
            assertThatThrownBy(() -> store.upsert(points(100, 60))).isInstanceOf(OverloadedException.class)
                    .hasMessageContaining("not enough memory").hasMessageContaining("nothing was written");
        } finally {
            CollectionStore.failReservationsFrom = Integer.MAX_VALUE;
        }
        assertThat(liveCount(store)).as("none of the 60 points").isEqualTo(10);
        assertThat(store.find(PointId.of(100))).isNull();
        assertThat(store.readOnlyReason()).isNull();
        store.upsert(points(200, 5)); // the collection takes writes on
        abandon(store); // a crash: the refused batch is in the log, with the record that cancels it
        try (CollectionStore reopened = open(Disk.REAL, dir, 1000)) {
            assertThat(liveCount(reopened)).isEqualTo(15);
            assertThat(reopened.find(PointId.of(100))).as("the refused batch does not come back").isNull();
            assertPoint(reopened, 203);
        }
    }

    @Test
    void aCollectionOfHundredsOfTinySegmentsOpensWithoutMappingAnyAndCompactsThemAway() throws IOException {
        var tiny = new StoreOptions(DIM, io.vectorflow.core.metric.Metrics.EUCLIDEAN,
                new io.vectorflow.core.hnsw.HnswParams(6, 24, 1), 1, StoreOptions.DEFAULT_SEGMENT_PAYLOAD_BYTES,
                Durability.ASYNC, 1000, 1, false, false, 100_000, 0, false);
        try (CollectionStore store = CollectionStore.open(Disk.REAL, dir, tiny)) {
            for (long id = 0; id < 600; id++) {
                store.upsert(points(id, 1)); // one segment each
            }
            store.awaitSealing();
        }
        try (CollectionStore store = CollectionStore.open(Disk.REAL, dir, tiny)) {
            assertThat(store.view().sealed()).hasSize(600);
            assertThat(store.view().sealed().stream().mapToInt(s -> s.mappings().size()).sum()).as("mappings").isZero();
            assertThat(liveCount(store)).isEqualTo(600);
            assertThat(store.compact()).isPositive();
            assertThat(store.view().sealed().size()).as("segments after compaction").isLessThanOrEqualTo(Compactor.MAX_SEGMENTS);
            assertThat(liveCount(store)).isEqualTo(600);
            assertPoint(store, 345);
        }
    }

    @Test
    void aWriteToAFullDiskIsRefusedReadsGoOnAndWritesResumeWhenSpaceIsBack() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        CollectionStore store = open(disk, dir, 1000);
        store.upsert(points(0, 20));
        store.awaitIndexing();
        disk.failAt = disk.operations() + 1; // the next write: "No space left on device"
        assertThatThrownBy(() -> store.upsert(points(100, 5))).isInstanceOf(DiskFullException.class)
                .hasMessageContaining("no space left").hasMessageContaining("nothing of this write was kept");
        assertThat(store.find(PointId.of(100))).isNull();
        assertPoint(store, 7); // reads still work
        SearchResults out = new SearchResults(1);
        store.view().mutable().index().search(vector(7), 1, 10, null, out);
        assertThat(out.ordinal(0)).isEqualTo(7);
        assertThat(store.readOnlyReason()).isNull();
        store.upsert(points(200, 3)); // the disk has room again: writes go on by themselves
        assertPoint(store, 201);
        store.close();
        try (CollectionStore reopened = open(Disk.REAL, dir, 1000)) {
            assertThat(reopened.readOnlyReason()).isNull();
            assertThat(liveCount(reopened)).isEqualTo(23);
            assertThat(reopened.find(PointId.of(100))).isNull();
        }
    }

    @Test
    void aFullDiskAtForceTimeIsUndoneByTheNextWrite() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        CollectionStore store = open(disk, dir, 1000);
        store.upsert(points(0, 10));
        disk.failAt = disk.operations() + 2; // the write goes through, its force finds the disk full
        assertThatThrownBy(() -> store.upsert(points(100, 5))).isInstanceOf(DiskFullException.class);
        assertThat(store.find(PointId.of(100))).isNull();
        store.upsert(points(200, 2)); // cuts the unforced record off, then writes
        store.close();
        try (CollectionStore reopened = open(Disk.REAL, dir, 1000)) {
            assertThat(liveCount(reopened)).isEqualTo(12);
            assertThat(reopened.find(PointId.of(100))).as("the refused write never appears").isNull();
        }
    }

    @Test
    void anyOtherFailedWriteMakesTheCollectionReadOnlyUntilReopened() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        disk.failMessage = "Input/output error";
        CollectionStore store = open(disk, dir, 1000);
        store.upsert(points(0, 20));
        store.awaitIndexing();
        disk.failAt = disk.operations() + 1;
        assertThatThrownBy(() -> store.upsert(points(100, 5))).isInstanceOf(StorageException.class)
                .hasMessageContaining("Input/output error").hasMessageContaining("not acknowledged");
        assertThat(store.find(PointId.of(100))).isNull();
        assertPoint(store, 7); // reads still work
        assertThatThrownBy(() -> store.upsert(points(200, 1))).isInstanceOf(StorageException.class)
                .hasMessageContaining("read-only");
        store.close();
        try (CollectionStore reopened = open(Disk.REAL, dir, 1000)) {
            assertThat(reopened.readOnlyReason()).isNull();
            assertThat(liveCount(reopened)).isEqualTo(20);
        }
    }

    @Test
    void asyncDurabilityAcknowledgesBeforeTheForceAndStillRecovers() throws IOException {
        var async = new StoreOptions(DIM, io.vectorflow.core.metric.Metrics.EUCLIDEAN,
                new io.vectorflow.core.hnsw.HnswParams(6, 24, 1), 1000, StoreOptions.DEFAULT_SEGMENT_PAYLOAD_BYTES, Durability.ASYNC, 20, 1, false, false, 100_000, 0, true);
        FaultyDisk disk = new FaultyDisk();
        CollectionStore store = CollectionStore.open(disk, dir, async);
        long forcesBefore = disk.operations();
        store.upsert(points(0, 10));
        assertPoint(store, 3);
        abandon(store); // a process crash: the page cache keeps what was written
        try (CollectionStore reopened = CollectionStore.open(Disk.REAL, dir, async)) {
            assertThat(liveCount(reopened)).isEqualTo(10);
        }
        assertThat(disk.operations()).isGreaterThan(forcesBefore);
    }

    @Test
    void writesOutrunningTheIndexerAreSlowedThenRefusedAndNothingIsLost() throws IOException {
        var tight = new StoreOptions(DIM, io.vectorflow.core.metric.Metrics.EUCLIDEAN,
                new io.vectorflow.core.hnsw.HnswParams(16, 200, 1), 200_000, StoreOptions.DEFAULT_SEGMENT_PAYLOAD_BYTES, Durability.FSYNC, 100, 1, false, true, 4_000, 0, true);
        try (CollectionStore store = CollectionStore.open(Disk.REAL, dir, tight)) {
            int accepted = 0;
            OverloadedException refused = null;
            // 50,000 points in one write leave the one indexer thread far behind; the next write waits a
            // second for it, finds it still past the bound of 4,000, and is refused.
            for (int b = 0; b < 3 && refused == null; b++) {
                try {
                    store.upsert(points(b * 50_000L, 50_000));
                    accepted++;
                } catch (OverloadedException e) {
                    refused = e;
                }
            }
            assertThat(refused).as("a write past the bound").isNotNull();
            assertThat(refused.getMessage()).contains("overloaded").contains("retry");
            assertThat(store.readOnlyReason()).isNull(); // refusing is not a failure
            long written = accepted * 50_000L;
            assertThat(liveCount(store)).isEqualTo(written); // the refused batch wrote nothing
            store.awaitIndexing();
            assertThat(store.unindexedPoints()).isZero();
            store.upsert(points(written, 10)); // and writes are taken again
            assertPoint(store, written + 9);
        }
    }

    @Test
    void aManifestNamingFilesOutsideItsSegmentIsRefused() throws IOException {
        try (CollectionStore store = open(Disk.REAL, dir, 50)) {
            store.upsert(points(0, 60));
        }
        Manifest m = Manifest.read(dir);
        Manifest hostile = new Manifest(m.generation(), m.sealedThrough(), m.nextSegment(),
                List.of(new Manifest.Entry(m.segments().getFirst().number(), 50, "../../../elsewhere/deletes-1.bin")));
        hostile.write(Disk.REAL, dir);
        assertThatThrownBy(() -> open(Disk.REAL, dir, 50)).isInstanceOf(StorageException.class)
                .hasMessageContaining("bad delete file name");
        Manifest reused = new Manifest(m.generation(), m.sealedThrough(), 1, m.segments()); // next-segment not past the ones in use
        reused.write(Disk.REAL, dir);
        assertThatThrownBy(() -> open(Disk.REAL, dir, 50)).isInstanceOf(StorageException.class)
                .hasMessageContaining("bad segment entry");
    }
}
