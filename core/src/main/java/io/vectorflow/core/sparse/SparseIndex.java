package io.vectorflow.core.sparse;

import io.vectorflow.core.search.Budget;
import io.vectorflow.core.search.OrdinalFilter;
import io.vectorflow.core.store.ChecksummedWriter;
import io.vectorflow.core.store.Checksums;
import io.vectorflow.core.store.CorruptFileException;
import io.vectorflow.core.util.LongHeap;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * An inverted index over the sparse vectors of one segment, answering the exact top-k by dot
 * product (optionally with a weight per dimension, such as an idf): for every dimension, the
 * ordinals whose vector holds it, ascending, with their values. Immutable once built.
 *
 * <h2>Search</h2>
 * Term at a time: each query dimension's postings are added into a per-thread accumulator
 * (one float per ordinal of the largest index searched, reused across queries and indexes, with
 * an epoch stamp per slot instead of clearing it), then the touched ordinals are ranked in a
 * k-sized heap. The work is the total length of the query dimensions' postings; only ordinals
 * sharing a dimension with the query can score, so only they are returned.
 *
 * <h2>File format (little-endian, {@link #writeTo})</h2>
 * <pre>
 * u32 magic "VFSI" · u32 version 1 · u32 ordinals (documents) · u32 dimensions T · u64 entries E
 * T × u32 dimension id (ascending) · (T + 1) × u64 offset of each dimension's postings
 * E × u32 ordinal (ascending within a dimension) · E × f32 value
 * u32 CRC32C of everything before it
 * </pre>
 */
public final class SparseIndex implements SparsePostings {

    private static final int MAGIC = 0x49534656; // "VFSI" read as little-endian bytes
    private static final int VERSION = 1;

    private final int documents;
    private final int[] dims;
    private final long[] offsets;
    private final int[] ordinals;
    private final float[] values;

    private SparseIndex(int documents, int[] dims, long[] offsets, int[] ordinals, float[] values) {
        this.documents = documents;
        this.dims = dims;
        this.offsets = offsets;
        this.ordinals = ordinals;
        this.values = values;
    }

    /** Ordinals the index covers (one past the largest added). */
    public int documents() {
        return documents;
    }

    /** Stored entries: the sum of the vectors' non-zero counts. */
    public long entries() {
        return ordinals.length;
    }

    /** Heap bytes the index holds. */
    public long bytes() {
        return 4L * dims.length + 8L * offsets.length + 4L * ordinals.length + 4L * values.length;
    }

    /** How many vectors hold dimension {@code dim} (its document frequency). */
    @Override
    public int documentFrequency(int dim) {
        int t = Arrays.binarySearch(dims, dim);
        return t < 0 ? 0 : (int) (offsets[t + 1] - offsets[t]);
    }

    /**
     * The {@code k} ordinals with the largest dot product with {@code query} (each dimension's
     * product multiplied by {@code weight.applyAsDouble(dim)} when a weight is given), best first,
     * skipping ordinals {@code accept} refuses; ties go to the smaller ordinal.
     *
     * @return {@code k} or fewer hits: ordinals and scores in parallel arrays
     */
    @Override
    public Hits search(SparseVector query, int k, OrdinalFilter accept, IntToDoubleFunction weight) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        SparseAccumulator s = SparseAccumulator.begin(documents);
        for (int qi = 0; qi < query.size(); qi++) {
            int t = Arrays.binarySearch(dims, query.indices()[qi]);
            if (t >= 0) {
                float q = query.values()[qi] * (weight == null ? 1f : (float) weight.applyAsDouble(query.indices()[qi]));
                s.add(ordinals, values, (int) offsets[t], (int) offsets[t + 1], q);
            }
        }
        return s.top(k, accept);
    }

    /** Ordinals and scores, best first, and how many postings were read. */
    public record Hits(int[] ordinals, float[] scores, long postingsVisited) {}

    /** Collects vectors by ordinal, then builds the index. */
    public static final class Builder {
        private final Map<Integer, int[]> counts = new HashMap<>();
        private int[][] vecIdx = new int[16][];
        private float[][] vecVal = new float[16][];
        private int documents;
        private long entries;

        /** Adds the vector of {@code ordinal} (at most once per ordinal; ordinals may come in any order). */
        public Builder add(int ordinal, SparseVector v) {
            if (ordinal < 0) {
                throw new IllegalArgumentException("ordinal must not be negative: " + ordinal);
            }
            if (ordinal >= vecIdx.length) {
                int size = Math.max(ordinal + 1, vecIdx.length * 2);
                vecIdx = Arrays.copyOf(vecIdx, size);
                vecVal = Arrays.copyOf(vecVal, size);
            }
            if (vecIdx[ordinal] != null) {
                throw new IllegalArgumentException("ordinal " + ordinal + " was added already");
            }
            vecIdx[ordinal] = v.indices();
            vecVal[ordinal] = v.values();
            for (int d : v.indices()) {
                counts.computeIfAbsent(d, x -> new int[1])[0]++;
            }
            documents = Math.max(documents, ordinal + 1);
            entries += v.size();
            return this;
        }

        public SparseIndex build() {
            return build(0);
        }

        /** Builds the index covering at least ordinals below {@code atLeast} (a segment's size). */
        public SparseIndex build(int atLeast) {
            documents = Math.max(documents, atLeast);
            int[] dims = counts.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
            long[] offsets = new long[dims.length + 1];
            for (int t = 0; t < dims.length; t++) {
                offsets[t + 1] = offsets[t] + counts.get(dims[t])[0];
            }
            if (entries > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("a sparse index holds at most 2^31 entries, got " + entries);
            }
            int[] ordinals = new int[(int) entries];
            float[] values = new float[(int) entries];
            long[] fill = Arrays.copyOf(offsets, dims.length);
            for (int o = 0; o < Math.min(documents, vecIdx.length); o++) { // ordinals ascending: each dimension's postings come out sorted
                int[] idx = vecIdx[o];
                if (idx == null) {
                    continue;
                }
                for (int i = 0; i < idx.length; i++) {
                    int t = Arrays.binarySearch(dims, idx[i]);
                    int p = (int) fill[t]++;
                    ordinals[p] = o;
                    values[p] = vecVal[o][i];
                }
            }
            return new SparseIndex(documents, dims, offsets, ordinals, values);
        }
    }

    /** Writes the index in the format documented above. */
    public void writeTo(ChecksummedWriter w) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        head.putInt(MAGIC).putInt(VERSION).putInt(documents).putInt(dims.length).putLong(ordinals.length).flip();
        w.write(head);
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < dims.length; from += CHUNK) {
            chunk.clear().asIntBuffer().put(dims, from, Math.min(CHUNK, dims.length - from));
            w.write(chunk.limit(4 * Math.min(CHUNK, dims.length - from)));
        }
        for (int from = 0; from < offsets.length; from += CHUNK) {
            chunk.clear().asLongBuffer().put(offsets, from, Math.min(CHUNK, offsets.length - from));
            w.write(chunk.limit(8 * Math.min(CHUNK, offsets.length - from)));
        }
        for (int from = 0; from < ordinals.length; from += CHUNK) {
            chunk.clear().asIntBuffer().put(ordinals, from, Math.min(CHUNK, ordinals.length - from));
            w.write(chunk.limit(4 * Math.min(CHUNK, ordinals.length - from)));
        }
        for (int from = 0; from < values.length; from += CHUNK) {
            chunk.clear().asFloatBuffer().put(values, from, Math.min(CHUNK, values.length - from));
            w.write(chunk.limit(4 * Math.min(CHUNK, values.length - from)));
        }
        w.finish();
    }

    /** Elements written per buffer. */
    private static final int CHUNK = 8192;

    /**
     * Reads an index written by {@link #writeTo} from {@code data} (a mapped file), checking its
     * checksum and shape.
     *
     * @throws CorruptFileException naming {@code name} when the bytes are not such an index
     */
    public static SparseIndex read(MemorySegment data, String name) {
        long size = data.byteSize();
        if (size < 28) {
            throw new CorruptFileException(name + ": " + size + " bytes is too short for a sparse index");
        }
        ValueLayout.OfInt i32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfLong i64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        if (Checksums.crc32c(data, 0, size - 4) != data.get(i32, size - 4)) {
            throw new CorruptFileException(name + ": checksum mismatch");
        }
        if (data.get(i32, 0) != MAGIC || data.get(i32, 4) != VERSION) {
            throw new CorruptFileException(name + ": not a sparse index (version " + VERSION + ")");
        }
        int documents = data.get(i32, 8);
        int t = data.get(i32, 12);
        long e = data.get(i64, 16);
        if (documents < 0 || t < 0 || e < 0 || e > Integer.MAX_VALUE || 28 + 4L * t + 8L * (t + 1) + 8 * e != size) {
            throw new CorruptFileException(name + ": header does not match the file's size");
        }
        long at = 24;
        int[] dims = data.asSlice(at, 4L * t).toArray(i32);
        at += 4L * t;
        long[] offsets = data.asSlice(at, 8L * (t + 1)).toArray(i64);
        at += 8L * (t + 1);
        int[] ordinals = data.asSlice(at, 4 * e).toArray(i32);
        at += 4 * e;
        float[] values = data.asSlice(at, 4 * e).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        for (int i = 0; i < t; i++) {
            if (offsets[i] > offsets[i + 1] || (i > 0 && dims[i - 1] >= dims[i])) {
                throw new CorruptFileException(name + ": postings out of order");
            }
        }
        if (offsets[0] != 0 || offsets[t] != e) {
            throw new CorruptFileException(name + ": postings do not cover the entries");
        }
        for (int o : ordinals) {
            if (o < 0 || o >= documents) {
                throw new CorruptFileException(name + ": an ordinal lies outside the index");
            }
        }
        return new SparseIndex(documents, dims, offsets, ordinals, values);
    }
}
