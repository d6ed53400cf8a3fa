package io.vectorflow.storage;

import static io.vectorflow.storage.StoreTesting.payload;
import static io.vectorflow.storage.StoreTesting.points;
import static io.vectorflow.storage.StoreTesting.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.core.quant.QuantizationSpec;
import io.vectorflow.core.quant.QuantizedVectors;
import io.vectorflow.storage.io.Disk;
import io.vectorflow.storage.object.LocalObjectStore;
import io.vectorflow.storage.object.ObjectStore;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.tier.BlockCache;
import io.vectorflow.storage.tier.ObjectTier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentTiersTest {

    private static final int POINTS = 100;
    private static final QuantizationSpec INT8 = new QuantizationSpec(QuantizationSpec.Scheme.INT8, 0.99f, true);

    @TempDir
    Path root;

    private static ObjectTier tier(ObjectStore store) {
        return new ObjectTier(store, new BlockCache(64 << 10), "db/default/c");
    }

    private static CollectionStore open(Disk disk, Path dir, ObjectTier tier) throws IOException {
        return CollectionStore.open(disk, dir, StoreTesting.options(40).withObjectTier(tier));
    }

    /** 100 points in sealed segments of at most 40, each with int8 codes on disk and in use. */
    private static void fill(CollectionStore store) throws IOException {
        for (int from = 0; from < POINTS; from += 20) {
            store.upsert(points(from, 20)); // a segment freezes at 40 points, between writes
        }
        store.flush();
        store.awaitSealing();
        for (SealedSegment s : store.view().sealed()) {
            s.codes().install(Disk.REAL, 0, QuantizedVectors.build(INT8, s.graph(0).metric(), s.vectors(0), s.size()));
        }
    }

    private static void loadCodes(CollectionStore store, Disk disk) throws IOException {
        for (SealedSegment s : store.view().sealed()) {
            s.codes().load(disk, 0, true);
        }
    }

    /** Every point has its own vector and payload, wherever its segment's vectors are. */
    private static List<String> problems(CollectionStore store) {
        List<String> out = new ArrayList<>();
        for (long id = 0; id < POINTS; id++) {
            CollectionStore.Location loc = store.find(PointId.of(id));
            if (loc == null) {
                out.add("point " + id + " is lost");
            } else if (!Arrays.equals(loc.segment().vector(loc.ordinal()), vector(id))
                    || !Arrays.equals(loc.segment().payload(loc.ordinal()), payload(id))) {
                out.add("point " + id + " has the wrong vector or payload");
            }
        }
        return out;
    }

    private static boolean localVectors(SealedSegment s) {
        return Files.exists(s.directory().resolve(SealedSegment.VECTORS));
    }

    @Test
    void segmentsMoveOutAndBackWithEveryVectorIntactAcrossRestarts() throws IOException {
        Path dir = root.resolve("c");
        LocalObjectStore objects = new LocalObjectStore(root.resolve("objects"));
        ObjectTier tier = tier(objects);
        try (CollectionStore store = open(Disk.REAL, dir, tier)) {
            fill(store);
            int segments = store.view().sealed().size();
            assertThat(segments).isGreaterThanOrEqualTo(3);
            for (SealedSegment s : store.view().sealed()) {
                assertThat(SegmentTiers.demote(store, s)).isTrue();
            }
            assertThat(store.view().sealed()).allMatch(SealedSegment::isCold).noneMatch(SegmentTiersTest::localVectors);
            assertThat(objects.list("db/default/c/")).hasSize(segments);
            assertThat(problems(store)).isEmpty();
            assertThat(tier.cache().stats().misses()).isPositive();
        }
        try (CollectionStore store = open(Disk.REAL, dir, tier)) {
            assertThat(store.view().sealed()).allMatch(SealedSegment::isCold);
            assertThat(problems(store)).isEmpty();
            loadCodes(store, Disk.REAL);
            for (SealedSegment s : store.view().sealed()) {
                assertThat(SegmentTiers.promote(store, s)).isTrue();
            }
            assertThat(store.view().sealed()).noneMatch(SealedSegment::isCold).allMatch(SegmentTiersTest::localVectors);
            assertThat(objects.list("db/default/c/")).isEmpty();
            assertThat(problems(store)).isEmpty();
            store.upsert(points(POINTS, 5)); // still takes writes
        }
        try (CollectionStore store = open(Disk.REAL, dir, tier)) {
            assertThat(store.view().sealed()).noneMatch(SealedSegment::isCold);
            assertThat(problems(store)).isEmpty();
        }
    }

    @Test
    void aSegmentWithoutCodesOrAStoreThatFailsStaysLocal() throws IOException {
        Path dir = root.resolve("c");
        LocalObjectStore real = new LocalObjectStore(root.resolve("objects"));
        boolean[] failReads = {true};
        ObjectStore flaky = new io.vectorflow.storage.object.ForwardingObjectStore(real) {
            @Override
            public ByteBuffer read(String key, long offset, int length) throws IOException {
                if (failReads[0]) {
                    throw new IOException("injected: connection reset reading " + key);
                }
                return super.read(key, offset, length);
            }
        };
        try (CollectionStore store = open(Disk.REAL, dir, tier(flaky))) {
            for (int from = 0; from < POINTS; from += 20) {
                store.upsert(points(from, 20));
            }
            store.flush();
            store.awaitSealing();
            SealedSegment first = store.view().sealed().getFirst();
            assertThatThrownBy(() -> SegmentTiers.demote(store, first)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("quantized codes");
            for (SealedSegment seg : store.view().sealed()) { // now with codes
                seg.codes().install(Disk.REAL, 0, QuantizedVectors.build(INT8, seg.graph(0).metric(), seg.vectors(0), seg.size()));
            }
            SealedSegment s = store.view().sealed().getFirst();
            // the read-back that verifies the upload fails: nothing moves, nothing is left behind
            assertThatThrownBy(() -> SegmentTiers.demote(store, s)).isInstanceOf(IOException.class).hasMessageContaining("injected");
            assertThat(store.view().sealed()).noneMatch(SealedSegment::isCold).allMatch(SegmentTiersTest::localVectors);
            assertThat(real.list("")).isEmpty();
            failReads[0] = false;
            assertThat(SegmentTiers.demote(store, store.view().sealed().getFirst())).isTrue();
            // the store goes away: reads of the cold segment's vectors fail loudly, not with wrong data
            failReads[0] = true;
            SealedSegment cold = store.view().sealed().stream().filter(SealedSegment::isCold).findFirst().orElseThrow();
            assertThatThrownBy(() -> cold.vector(0, 0)).isInstanceOf(io.vectorflow.storage.tier.TierUnavailableException.class)
                    .hasMessageContaining("injected");
        }
        failReads[0] = true;
        try (CollectionStore store = open(Disk.REAL, dir, tier(flaky))) {
            // opening needs nothing from the store: graphs, codes, ids and payloads are local
            assertThat(store.view().sealed()).anyMatch(SealedSegment::isCold);
            assertThat(store.view().sealed().stream().filter(s -> !s.isCold()).mapToInt(SealedSegment::size).sum()).isPositive();
        }
    }

    @Test
    void archivedSegmentsComeBackWhole() throws IOException {
        Path dir = root.resolve("c");
        LocalObjectStore objects = new LocalObjectStore(root.resolve("objects"));
        try (CollectionStore store = open(Disk.REAL, dir, tier(objects))) {
            fill(store);
            List<SealedSegment> sealed = List.copyOf(store.view().sealed());
            assertThat(SegmentTiers.demote(store, sealed.get(0))).isTrue();
            SealedSegment cold = store.view().sealed().get(0);
            assertThat(SegmentTiers.archive(store, cold)).as("from the object tier").isTrue();
            assertThat(SegmentTiers.archive(store, sealed.get(1))).as("from disk").isTrue();
            assertThat(store.view().sealed().stream().filter(SealedSegment::isArchived).count()).isEqualTo(2);
            List<String> keys = objects.list("db/default/c/").stream().map(ObjectStore.ObjectInfo::key).toList();
            assertThat(keys).hasSize(2).allMatch(k -> k.endsWith("/vectors.f32.zst"));
            SealedSegment archived = store.view().sealed().get(1);
            assertThatThrownBy(() -> archived.vector(0, 0)).isInstanceOf(io.vectorflow.storage.tier.TierUnavailableException.class)
                    .hasMessageContaining("archived");
        }
        try (CollectionStore store = open(Disk.REAL, dir, tier(objects))) {
            assertThat(store.view().sealed().stream().filter(SealedSegment::isArchived).count()).isEqualTo(2);
            loadCodes(store, Disk.REAL);
            for (SealedSegment s : List.copyOf(store.view().sealed())) {
                if (s.isArchived()) {
                    assertThat(SegmentTiers.promote(store, s)).isTrue();
                }
            }
            assertThat(store.view().sealed()).noneMatch(SealedSegment::isCold);
            assertThat(objects.list("")).isEmpty();
            assertThat(problems(store)).isEmpty();
        }
    }

    @Test
    void sweepDeletesObjectsNoSegmentNames() throws IOException {
        Path dir = root.resolve("c");
        LocalObjectStore objects = new LocalObjectStore(root.resolve("objects"));
        try (CollectionStore store = open(Disk.REAL, dir, tier(objects))) {
            fill(store);
            SegmentTiers.demote(store, store.view().sealed().getFirst());
            objects.put("db/default/c/99-0123456789abcdef/vectors.f32", new byte[] {1, 2, 3});
            objects.put("db/default/other/1-0123456789abcdef/vectors.f32", new byte[] {4});
            assertThat(SegmentTiers.sweep(store)).isEqualTo(1);
            assertThat(objects.list("db/default/c/")).hasSize(1);
            assertThat(objects.list("db/default/other/")).hasSize(1); // another collection's: untouched
            assertThat(problems(store)).isEmpty();
        }
    }

    /**
     * A power cut at every step of moving each segment out and one back: after it, the reopened
     * collection has every point with its vector, and once swept, the store holds exactly the
     * objects the manifest names.
     */
    @Test
    void aPowerCutAtAnyStepOfAMoveLosesNothing() throws IOException {
        Path base = root.resolve("base");
        try (CollectionStore store = open(Disk.REAL, base, null)) {
            fill(store);
        }
        int cuts = 0;
        for (long n = 1; ; n++) {
            Path dir = copy(base, root.resolve("cut-" + n));
            LocalObjectStore objects = new LocalObjectStore(root.resolve("objects-" + n));
            FaultyDisk disk = new FaultyDisk();
            disk.cutAt = n;
            boolean finished = false;
            CollectionStore store = open(disk, dir, tier(objects));
            try {
                loadCodes(store, disk);
                for (SealedSegment s : List.copyOf(store.view().sealed())) {
                    SegmentTiers.demote(store, s);
                }
                SegmentTiers.archive(store, store.view().sealed().get(0)); // cold to archive
                SegmentTiers.promote(store, store.view().sealed().get(1)); // cold to disk
                SegmentTiers.archive(store, store.view().sealed().get(1)); // disk to archive
                SegmentTiers.promote(store, store.view().sealed().get(0)); // archive to disk
                finished = true;
            } catch (FaultyDisk.PowerCut | IOException | StorageException e) {
                cuts++;
            } finally {
                store.halt();
            }
            disk.powerCut();
            try (CollectionStore reopened = open(Disk.REAL, dir, tier(objects))) {
                SegmentTiers.sweep(reopened);
                List<String> named = new ArrayList<>();
                for (Manifest.Entry e : Manifest.read(dir).segments()) {
                    if (e.objectPrefix() != null) {
                        named.add(e.objectPrefix() + "/" + SealedSegment.VECTORS + (e.archived() ? ".zst" : ""));
                    }
                }
                assertThat(objects.list("").stream().map(ObjectStore.ObjectInfo::key).toList())
                        .as("objects after a power cut at operation %d", n).containsExactlyInAnyOrderElementsOf(named);
                for (SealedSegment s : reopened.view().sealed()) {
                    assertThat(localVectors(s)).as("segment %d local vectors after cut %d", s.number(), n).isEqualTo(!s.isCold());
                    try (Stream<Path> files = Files.list(s.directory())) {
                        assertThat(files.map(f -> f.getFileName().toString())).as("leftovers after cut %d", n)
                                .noneMatch(f -> f.endsWith(".tmp"));
                    }
                }
                loadCodes(reopened, Disk.REAL);
                for (SealedSegment s : List.copyOf(reopened.view().sealed())) {
                    if (s.isArchived()) {
                        SegmentTiers.promote(reopened, s); // an archived segment is read once restored
                    }
                }
                assertThat(problems(reopened)).as("after a power cut at operation %d", n).isEmpty();
            }
            if (finished) {
                break;
            }
        }
        assertThat(cuts).as("power cuts tried").isGreaterThan(10);
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
