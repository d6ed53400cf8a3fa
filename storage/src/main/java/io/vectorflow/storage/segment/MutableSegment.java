package io.vectorflow.storage.segment;

import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.storage.PointId;
import java.util.Arrays;
import java.util.BitSet;
import java.util.PrimitiveIterator;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The segment that takes writes: vectors off-heap in a growing {@link VectorStore}, an HNSW graph
 * built behind the writes by indexer threads, ids in an {@link IdTable} and payloads off-heap in a
 * {@link PayloadArena}. Everything grows with the points written; an empty segment allocates
 * (almost) nothing.
 *
 * <h2>Writing a batch</h2>
 * One writer at a time (the collection orders writes). {@link #reserve} first makes room for the
 * whole batch (the only step that allocates, so the only one that can run out of memory, and it
 * changes nothing visible); then {@link #write} stores each point past the visible end, and
 * {@link #publish} makes them all visible at once (one volatile write) and findable by id. So
 * a batch is never half there, even when memory runs out in the middle of one.
 *
 * <h2>Reading and indexing</h2>
 * Readers never lock. Indexer threads claim visible points in order ({@link #claimForIndexing})
 * and link them in parallel; points at and after {@link #indexedPrefix} may not be in the graph
 * yet, so searches scan that tail exactly. When it is big enough the collection freezes it (no
 * more writes) and writes it out with {@link SealedSegment#write}.
 */
public final class MutableSegment implements Segment {

    private final VectorStore store;
    private final HnswIndex index;
    private final IdTable ids = new IdTable();
    private final PayloadArena payloads = new PayloadArena();
    private final AtomicInteger deleted = new AtomicInteger();
    /** Points whose id and payload are set: readers never see an ordinal before both are. */
    private volatile int visible;
    /** Next ordinal an indexer thread will link into the graph. */
    private final AtomicInteger nextToIndex = new AtomicInteger();
    /** Ordinals linked into the graph; {@link #indexedPrefix} is the first one that is not. */
    private final BitSet linked = new BitSet();
    private volatile int indexedPrefix;
    /** Ordinals sorted by id as of {@link #sortedUpTo} (built for scroll, rebuilt after writes). */
    private volatile int[] sortedById = new int[0];
    private int sortedUpTo;

    public MutableSegment(int dimension, Metric metric, HnswParams params) {
        this.store = VectorStore.growable(dimension);
        this.index = new HnswIndex(store, metric, params);
    }

    /**
     * Makes room for {@code points} more points holding {@code payloadBytes} bytes of payload, so
     * that writing and publishing them cannot fail for want of memory.
     *
     * @throws OutOfMemoryError when the room cannot be had; nothing visible changed
     */
    public void reserve(int points, long payloadBytes) {
        int end = Math.addExact(visible, points);
        store.reserve(end);
        index.reserve(end);
        ids.reserve(end, points);
        payloads.reserve(end, payloadBytes);
    }

    /**
     * Stores a point (vector already in the metric's prepared form) at the next ordinal past the
     * visible end, in room {@link #reserve}d; returns its ordinal. Not visible until
     * {@link #publish}.
     */
    public int write(PointId id, float[] preparedVector, byte[] payload) {
        int ord = store.append(preparedVector);
        ids.set(ord, id);
        payloads.set(ord, payload);
        return ord;
    }

    /** Makes every point written so far visible and findable by id (allocates nothing). */
    public void publish() {
        int from = visible;
        int to = store.size();
        visible = to; // volatile write: publishes ids, payloads and vectors with the count
        for (int o = from; o < to; o++) {
            ids.index(o);
        }
    }

    @Override
    public int size() {
        return visible;
    }

    /** Payload bytes stored (what the segment seals by, beside its point count). */
    public long payloadBytes() {
        return payloads.bytes();
    }

    /** Bytes this segment holds in memory: vectors, graph, ids and payloads. */
    public long bytesInMemory() {
        return store.segment().byteSize() + index.graphBytesUsed() + ids.bytes() + payloads.bytesHeld();
    }

    /** Claims the next stored point to link into the graph; -1 when every stored point is claimed. */
    public int claimForIndexing() {
        while (true) {
            int o = nextToIndex.get();
            if (o >= visible) {
                return -1;
            }
            if (nextToIndex.compareAndSet(o, o + 1)) {
                return o;
            }
        }
    }

    /** Links a claimed point into the graph and advances the indexed prefix. */
    public void index(int ordinal) {
        index.insert(ordinal);
        synchronized (linked) {
            linked.set(ordinal);
            int p = indexedPrefix;
            while (linked.get(p)) {
                p++;
            }
            indexedPrefix = p;
        }
    }

    /** Whether stored points remain that no indexer has claimed. */
    public boolean hasUnclaimed() {
        return nextToIndex.get() < visible;
    }

    /** Every ordinal below this is in the graph; from here to {@link #size} some may not be yet. */
    public int indexedPrefix() {
        return indexedPrefix;
    }

    /** Stored points not yet known to be in the graph (the tail searches scan exactly). */
    public int unindexed() {
        return visible - indexedPrefix;
    }

    @Override
    public int liveCount() {
        return visible - deleted.get();
    }

    @Override
    public PointId id(int ordinal) {
        return ids.id(ordinal);
    }

    @Override
    public byte[] payload(int ordinal) {
        return payloads.get(ordinal);
    }

    @Override
    public float[] vector(int ordinal) {
        return store.get(ordinal);
    }

    @Override
    public boolean delete(int ordinal) {
        if (!index.markDeleted(ordinal)) {
            return false;
        }
        deleted.incrementAndGet();
        return true;
    }

    @Override
    public int find(PointId id) {
        int ord = ids.lookup(id);
        return ord >= 0 && ord < visible && !index.isDeleted(ord) ? ord : -1;
    }

    @Override
    public HnswIndex index() {
        return index;
    }

    @Override
    public VectorStore vectors() {
        return store;
    }

    /** Live ordinals sorted by id, from the first id at or after {@code from}. */
    @Override
    public PrimitiveIterator.OfInt ordinalsInIdOrder(PointId from) {
        int[] order = sorted();
        int start = 0;
        if (from != null) {
            int lo = 0, hi = order.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (ids.id(order[mid]).compareTo(from) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            start = lo;
        }
        return Arrays.stream(order, start, order.length).filter(o -> !isDeleted(o)).iterator();
    }

    /** The ordinals below the visible end sorted by id, rebuilt when points were added since. */
    private synchronized int[] sorted() {
        int n = visible;
        if (sortedUpTo != n) {
            Integer[] order = new Integer[n];
            for (int o = 0; o < n; o++) {
                order[o] = o;
            }
            Arrays.sort(order, (a, b) -> ids.compare(a, b));
            sortedById = Arrays.stream(order).mapToInt(Integer::intValue).toArray();
            sortedUpTo = n;
        }
        return sortedById;
    }
}
