package io.vectorflow.storage.segment;

import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.storage.PointId;
import java.util.Arrays;
import java.util.PrimitiveIterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The segment that takes writes: vectors off-heap in a {@link VectorStore} of fixed capacity, an
 * HNSW graph built behind the writes by indexer threads, ids and payloads on the heap, and a hash
 * map from id to live ordinal. One writer appends at a time (the collection orders writes);
 * indexer threads claim stored points in order ({@link #claimForIndexing}) and link them in
 * parallel; readers never lock. Points at and after {@link #indexedPrefix} may not be in the
 * graph yet, so searches scan that tail exactly. When full it is written out by
 * {@link SealedSegment#write}.
 */
public final class MutableSegment implements Segment {

    private final VectorStore store;
    private final HnswIndex index;
    private final PointId[] ids;
    private final byte[][] payloads;
    private final ConcurrentHashMap<PointId, Integer> live = new ConcurrentHashMap<>();
    private final AtomicInteger deleted = new AtomicInteger();
    /** Points whose id and payload are set: readers never see an ordinal before both are. */
    private volatile int visible;
    /** Next ordinal an indexer thread will link into the graph. */
    private final AtomicInteger nextToIndex = new AtomicInteger();
    /** Ordinals linked into the graph; {@link #indexedPrefix} is the first one that is not. */
    private final java.util.BitSet linked = new java.util.BitSet();
    private volatile int indexedPrefix;

    public MutableSegment(int dimension, Metric metric, HnswParams params, int capacity) {
        this.store = VectorStore.allocate(dimension, capacity);
        this.index = new HnswIndex(store, metric, params);
        this.ids = new PointId[capacity];
        this.payloads = new byte[capacity][];
    }

    public int capacity() {
        return ids.length;
    }

    public boolean isFull() {
        return store.size() == ids.length;
    }

    /** Points stored and readable (ids and payloads set); graph inserts may still be running. */

    /**
     * Stores a point (vector already in the metric's prepared form) and makes it findable by id;
     * the caller then links it into the graph with {@link HnswIndex#insert}. Single writer.
     */
    public int append(PointId id, float[] preparedVector, byte[] payload) {
        int ord = store.append(preparedVector);
        ids[ord] = id;
        payloads[ord] = payload;
        visible = ord + 1; // volatile write: publishes the id and payload with the count
        live.put(id, ord);
        return ord;
    }

    @Override
    public int size() {
        return visible;
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
        return ids[ordinal];
    }

    @Override
    public byte[] payload(int ordinal) {
        byte[] p = payloads[ordinal];
        return p == null ? new byte[0] : p;
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
        live.remove(ids[ordinal], ordinal);
        deleted.incrementAndGet();
        return true;
    }

    @Override
    public int find(PointId id) {
        Integer ord = live.get(id);
        return ord == null ? -1 : ord;
    }

    @Override
    public HnswIndex index() {
        return index;
    }

    @Override
    public VectorStore vectors() {
        return store;
    }

    /** Live ordinals sorted by id (sorted on each call: the mutable segment is bounded in size). */
    @Override
    public PrimitiveIterator.OfInt ordinalsInIdOrder(PointId from) {
        Integer[] order = live.values().toArray(new Integer[0]);
        Arrays.sort(order, (a, b) -> ids[a].compareTo(ids[b]));
        return Arrays.stream(order).mapToInt(Integer::intValue)
                .filter(o -> from == null || ids[o].compareTo(from) >= 0).iterator();
    }
}
