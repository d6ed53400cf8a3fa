package io.vectorflow.storage;

import io.vectorflow.storage.segment.MutableSegment;
import io.vectorflow.storage.segment.SealedSegment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Background compaction of one collection's sealed segments, on the shared maintenance threads.
 *
 * <p><b>What it merges.</b> Small segments (fewer live points than half a segment's capacity and
 * less payload than half the payload bound) are merged, smallest first, into one segment of at
 * most a full capacity; a segment with more than a third of its points deleted is rewritten on
 * its own. And whatever their size, once a collection has more than {@value #MAX_SEGMENTS} sealed
 * segments its smallest {@value #MERGE_FANIN} are merged (up to {@value #MAX_MERGED_POINTS} points
 * and {@value #MAX_MERGED_PAYLOAD_MB} MiB of payload): a tiny segment size cannot make a
 * collection hold thousands of segments and as many mappings. Deleted points are dropped.
 *
 * <p><b>How.</b> Live points are copied (vectors already in the metric's prepared form, ids) into a
 * new in-memory segment, its graph built on the index threads and repaired, and the segment
 * written under a new number as a seal writes one (its payloads streamed from the inputs' files,
 * so a merge holds no payload in memory), all without any lock:
 * writers and readers go on. Then, under the collection's apply lock, deletes that arrived during
 * the merge are carried over, a manifest naming the new segment instead of its inputs is
 * published, and the view is swapped. Only then are the inputs' directories deleted; their
 * mappings are closed a while later, so searches still running on them finish.
 *
 * <p><b>Crash safety.</b> Until the manifest names it, the new segment is a leftover the next open
 * deletes; until then the inputs stay named and intact. After it, the inputs are leftovers.
 *
 * <p><b>I/O rate.</b> With a limit of {@code compactionMbPerSecond}, each merge waits after
 * writing until its output bytes fit the limit, so a run of merges never writes faster.
 */
final class Compactor {

    private static final System.Logger LOG = System.getLogger(Compactor.class.getName());
    /** Sealed segments a collection keeps before merging regardless of size. */
    static final int MAX_SEGMENTS = 24;
    /** Segments one size-blind merge takes. */
    static final int MERGE_FANIN = 8;
    /** Largest segment a merge writes, in points and in payload. */
    static final int MAX_MERGED_POINTS = 20_000_000;
    static final long MAX_MERGED_PAYLOAD_MB = 1024;

    private final CollectionStore store;
    private final Pass pass = new Pass();
    private final java.util.concurrent.atomic.AtomicInteger merges = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong bytesWritten = new java.util.concurrent.atomic.AtomicLong();

    Compactor(CollectionStore store) {
        this.store = store;
    }

    /** Starts a background pass unless one is running; it merges until nothing is worth merging. */
    void wake() {
        if (store.closedOrReadOnly() || !pass.begin()) {
            return;
        }
        Background.MAINTENANCE.execute(() -> {
            try {
                while (!store.closedOrReadOnly() && runOnce()) {
                    // next group
                }
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                LOG.log(DiskFullException.isDiskFull(e) ? System.Logger.Level.WARNING : System.Logger.Level.ERROR,
                        "compaction in " + store.directory() + " stopped (" + e + "); it runs again after the next seal");
            } finally {
                pass.end();
            }
        });
    }

    /** Waits until no background pass is running. */
    void awaitIdle() {
        pass.awaitIdle();
    }

    /** Bytes of merged segments written since open. */
    long bytesWritten() {
        return bytesWritten.get();
    }

    /** Merges completed so far. */
    int merges() {
        return merges.get();
    }

    /** The segments to merge next, or an empty list. */
    static List<SealedSegment> pick(List<SealedSegment> all, int capacity, long payloadCapacity) {
        // Segments in the object tier are idle by the placement's judgement; merging them would
        // fetch all their vectors back. They are merged once promoted.
        List<SealedSegment> sealed = all.stream().filter(s -> !s.isCold()).toList();
        List<SealedSegment> small = new ArrayList<>();
        for (SealedSegment s : sealed) {
            if (s.liveCount() < capacity / 2 && s.payloadBytes() < payloadCapacity / 2) {
                small.add(s);
            }
        }
        small.sort(Comparator.comparingInt(SealedSegment::liveCount));
        List<SealedSegment> group = fill(small, Integer.MAX_VALUE, capacity, payloadCapacity);
        if (group.size() >= 2) {
            return group;
        }
        if (sealed.size() > MAX_SEGMENTS) {
            List<SealedSegment> bySize = new ArrayList<>(sealed);
            bySize.sort(Comparator.comparingLong(s -> s.liveCount() * 16L + s.payloadBytes()));
            group = fill(bySize, MERGE_FANIN, MAX_MERGED_POINTS, MAX_MERGED_PAYLOAD_MB << 20);
            if (group.size() >= 2) {
                return group;
            }
        }
        for (SealedSegment s : sealed) {
            if (s.size() - s.liveCount() > s.size() / 3) {
                return List.of(s);
            }
        }
        return List.of();
    }

    /** The first of {@code candidates} (in order) that fit together within the bounds. */
    private static List<SealedSegment> fill(List<SealedSegment> candidates, int most, long points, long payload) {
        List<SealedSegment> group = new ArrayList<>();
        long total = 0;
        long bytes = 0;
        for (SealedSegment s : candidates) {
            if (group.size() == most || total + s.liveCount() > points || bytes + s.payloadBytes() > payload) {
                break;
            }
            group.add(s);
            total += s.liveCount();
            bytes += s.payloadBytes();
        }
        return group;
    }

    /** One merge; false when nothing is worth merging. One merge runs at a time per collection. */
    synchronized boolean runOnce() throws IOException {
        StoreOptions o = store.options();
        List<SealedSegment> group = pick(store.view().sealed(), o.segmentCapacity(), o.segmentPayloadBytes());
        if (group.isEmpty()) {
            return false;
        }
        long start = System.nanoTime();
        int total = 0;
        long payload = 0;
        for (SealedSegment s : group) {
            total += s.liveCount();
            payload += s.payloadBytes();
        }
        // Vectors are copied (the merged graph is built over them); payloads are not: the merged
        // segment's payload file is streamed from the inputs when it is written.
        MutableSegment merged = new MutableSegment(o.layout());
        merged.reserve(total, 0);
        int[][] moved = new int[group.size()][];
        int[] fromSegment = new int[total];
        int[] fromOrdinal = new int[total];
        byte[] none = new byte[0];
        for (int g = 0; g < group.size(); g++) {
            SealedSegment s = group.get(g);
            moved[g] = new int[s.size()];
            Arrays.fill(moved[g], -1);
            for (int ord = 0; ord < s.size() && merged.vectors().size() < total; ord++) {
                if ((ord & 1023) == 0 && store.closedOrReadOnly()) {
                    return false; // closing: give up this merge
                }
                if (!s.isDeleted(ord)) {
                    int at = merged.write(s.id(ord), vectorsOf(s, ord), sparseOf(s, ord), none);
                    moved[g][ord] = at;
                    fromSegment[at] = g;
                    fromOrdinal[at] = ord;
                }
            }
        }
        merged.publish();
        Indexer.indexAll(merged, o.indexThreads(), store::closedOrReadOnly);
        if (merged.unindexed() > 0) {
            if (store.closedOrReadOnly()) {
                return false;
            }
            throw new StorageException("compaction could not link every point into the merged graph");
        }
        SealedSegment output = store.files().write(merged, store.files().reserveNumber(),
                at -> group.get(fromSegment[at]).payload(fromOrdinal[at]));
        throttle(output.bytesOnDisk(), start, o.compactionMbPerSecond());
        if (store.commitCompaction(group, moved, output)) {
            merges.incrementAndGet();
            bytesWritten.addAndGet(output.bytesOnDisk());
            LOG.log(System.Logger.Level.INFO, "compacted segments {0} into {1} ({2} live points) in {3} ms",
                    group.stream().map(SealedSegment::number).toList(), output.number(), total,
                    (System.nanoTime() - start) / 1_000_000);
            return true;
        }
        return false;
    }

    /** A point's dense vectors, slot by slot (null where it lacks one), as stored (prepared). */
    private static float[][] vectorsOf(SealedSegment s, int ord) {
        float[][] out = new float[s.vectorSlots()][];
        for (int slot = 0; slot < out.length; slot++) {
            out[slot] = s.vector(slot, ord);
        }
        return out;
    }

    /** A point's sparse vectors, slot by slot, or null for a segment with none. */
    private static io.vectorflow.core.sparse.SparseVector[] sparseOf(SealedSegment s, int ord) {
        if (s.sparseSlots() == 0) {
            return null;
        }
        var out = new io.vectorflow.core.sparse.SparseVector[s.sparseSlots()];
        for (int slot = 0; slot < out.length; slot++) {
            out[slot] = s.sparse(slot, ord);
        }
        return out;
    }

    /** Sleeps so that {@code bytes} written since {@code startNanos} stay within the MB/s limit (0: none). */
    private static void throttle(long bytes, long startNanos, double mbPerSecond) {
        if (mbPerSecond <= 0) {
            return;
        }
        long due = startNanos + (long) (bytes / (mbPerSecond * 1_000_000.0) * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}
