package io.vectorflow.storage.segment;

import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.sparse.GrowingSparseIndex;
import io.vectorflow.core.sparse.SparsePostings;
import io.vectorflow.core.sparse.SparseVector;
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
 *
 * <h2>Several vectors per point</h2>
 * A collection's {@link VectorLayout} may give each point several dense vectors (one store and
 * graph per slot, all indexed by the point's ordinal) and sparse vectors (a
 * {@link GrowingSparseIndex} per slot). A point lacking a dense vector holds zeros in that slot's
 * store, is marked absent there and is never linked into that slot's graph; deletes are marked in
 * every slot's graph.
 */
public final class MutableSegment implements Segment {

    private final VectorLayout layout;
    private final VectorStore store;
    private final HnswIndex index;
    private final VectorStore[] stores;
    private final HnswIndex[] indexes;
    /** Per dense slot, bit o set when point o lacks that vector; null while none does. */
    private final long[][] absent;
    private final GrowingSparseIndex[] sparse;
    /** Per dense slot, the zeros a point lacking that vector holds. */
    private final float[][] zeros;
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
        this(VectorLayout.single(dimension, metric, params));
    }

    public MutableSegment(VectorLayout layout) {
        this.layout = layout;
        int slots = layout.dense().size();
        stores = new VectorStore[slots];
        indexes = new HnswIndex[slots];
        for (int i = 0; i < slots; i++) {
            VectorLayout.Dense d = layout.dense().get(i);
            stores[i] = VectorStore.growable(d.dimension());
            indexes[i] = new HnswIndex(stores[i], d.metric(), d.hnsw());
        }
        absent = new long[slots][];
        zeros = new float[slots][];
        for (int i = 0; i < slots; i++) {
            zeros[i] = new float[layout.dense().get(i).dimension()];
        }
        sparse = new GrowingSparseIndex[layout.sparse()];
        for (int j = 0; j < sparse.length; j++) {
            sparse[j] = new GrowingSparseIndex();
        }
        this.store = stores[0];
        this.index = indexes[0];
    }

    /** The kinds of vector this segment's points carry. */
    public VectorLayout layout() {
        return layout;
    }

    /**
     * Makes room for {@code points} more points holding {@code payloadBytes} bytes of payload, so
     * that writing and publishing them cannot fail for want of memory.
     *
     * @throws OutOfMemoryError when the room cannot be had; nothing visible changed
     */
    public void reserve(int points, long payloadBytes) {
        reserve(points, payloadBytes, null, null);
    }

    /**
     * {@link #reserve(int, long)} for a batch whose points lack a vector in the dense slots
     * {@code lacking} marks (null: none lacks one) and carry {@code sparseVectors[point][slot]}
     * (null: none), so that writing them allocates nothing either.
     */
    public void reserve(int points, long payloadBytes, boolean[] lacking, SparseVector[][] sparseVectors) {
        int end = Math.addExact(visible, points);
        for (int i = 0; i < stores.length; i++) {
            stores[i].reserve(end);
            indexes[i].reserve(end);
            boolean needed = absent[i] != null || lacking != null && lacking[i];
            int words = (end + 63) / 64;
            if (needed && (absent[i] == null || absent[i].length < words)) {
                long[] bits = absent[i] == null ? new long[0] : absent[i];
                absent[i] = Arrays.copyOf(bits, Math.max(words, 2 * bits.length));
            }
        }
        if (sparseVectors != null) {
            for (int j = 0; j < sparse.length; j++) {
                java.util.List<SparseVector> incoming = new java.util.ArrayList<>(sparseVectors.length);
                for (SparseVector[] point : sparseVectors) {
                    if (point != null && j < point.length && point[j] != null) {
                        incoming.add(point[j]);
                    }
                }
                sparse[j].reserve(end, incoming);
            }
        }
        ids.reserve(end, points);
        payloads.reserve(end, payloadBytes);
    }

    /**
     * Stores a point (vector already in the metric's prepared form) at the next ordinal past the
     * visible end, in room {@link #reserve}d; returns its ordinal. Not visible until
     * {@link #publish}.
     */
    public int write(PointId id, float[] preparedVector, byte[] payload) {
        return write(id, new float[][] {preparedVector}, null, payload);
    }

    /**
     * Stores a point with a vector per dense slot ({@code dense[i]} in slot i's prepared form, or
     * null where the point lacks it; the array may be shorter than the slots) and per sparse slot
     * ({@code sparse} may be null or shorter, entries null where absent); returns its ordinal.
     * Not visible until {@link #publish}. Allocates nothing when the batch was reserved with
     * {@link #reserve(int, long, boolean[], SparseVector[][])}.
     */
    public int write(PointId id, float[][] dense, SparseVector[] sparseVectors, byte[] payload) {
        int ord = store.size();
        for (int i = 0; i < stores.length; i++) {
            float[] v = i < dense.length ? dense[i] : null;
            if (v == null) {
                markAbsent(i, ord);
                v = zeros[i];
            }
            stores[i].append(v);
        }
        if (sparseVectors != null) {
            for (int j = 0; j < Math.min(sparse.length, sparseVectors.length); j++) {
                if (sparseVectors[j] != null) {
                    sparse[j].add(ord, sparseVectors[j]);
                }
            }
        }
        ids.set(ord, id);
        payloads.set(ord, payload);
        return ord;
    }

    private void markAbsent(int slot, int ord) {
        long[] bits = absent[slot];
        if (bits == null || bits.length <= ord >>> 6) {
            bits = Arrays.copyOf(bits == null ? new long[0] : bits, Math.max((ord >>> 6) + 1, stores[slot].capacity() / 64 + 1));
        }
        bits[ord >>> 6] |= 1L << (ord & 63);
        absent[slot] = bits; // published to readers with the visible count
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
        long bytes = ids.bytes() + payloads.bytesHeld();
        for (int i = 0; i < stores.length; i++) {
            bytes += stores[i].segment().byteSize() + indexes[i].graphBytesUsed();
        }
        for (GrowingSparseIndex g : sparse) {
            bytes += g.bytes();
        }
        return bytes;
    }

    /** Adds what this segment holds to {@code usage}: all of it in RAM, nothing on disk yet. */
    public void addUsage(io.vectorflow.storage.MemoryUsage usage) {
        usage.ram("id_map", ids.bytes());
        usage.ram("payloads", payloads.bytesHeld());
        for (int i = 0; i < stores.length; i++) {
            usage.ram("vectors", stores[i].segment().byteSize());
            usage.ram("graph", indexes[i].graphBytesUsed());
        }
        for (GrowingSparseIndex g : sparse) {
            usage.ram("sparse_vectors", g.bytes());
        }
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
        for (int i = 0; i < indexes.length; i++) {
            if (hasVector(i, ordinal)) {
                indexes[i].insert(ordinal);
            }
        }
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
    public boolean delete(int ordinal) {
        if (!index.markDeleted(ordinal)) {
            return false;
        }
        for (int i = 1; i < indexes.length; i++) {
            indexes[i].markDeleted(ordinal);
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

    @Override
    public int vectorSlots() {
        return stores.length;
    }

    @Override
    public HnswIndex graph(int slot) {
        return indexes[slot];
    }

    @Override
    public VectorStore vectors(int slot) {
        return stores[slot];
    }

    @Override
    public boolean hasVector(int slot, int ordinal) {
        long[] bits = absent[slot];
        return bits == null || ordinal >>> 6 >= bits.length || (bits[ordinal >>> 6] & 1L << (ordinal & 63)) == 0;
    }

    @Override
    public boolean everyHasVector(int slot) {
        return absent[slot] == null;
    }

    @Override
    public int sparseSlots() {
        return sparse.length;
    }

    @Override
    public SparseVector sparse(int slot, int ordinal) {
        return ordinal < visible ? sparse[slot].get(ordinal) : null;
    }

    @Override
    public SparsePostings sparseIndex(int slot) {
        return sparse[slot];
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
