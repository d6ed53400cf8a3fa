package io.vectorflow.core.store;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/**
 * Fixed-size float32 vectors stored contiguously off-heap, {@code dim} floats per ordinal, in one
 * {@link MemorySegment}: either memory this store allocated (a mutable, appendable store) or a
 * mapped file written by {@link #writeTo} (read-only, searched in place).
 *
 * <h2>Growth</h2>
 * An appendable store holds what was appended, not what might be: when its block is full the
 * next append copies the vectors into a block half again or twice as large and publishes it
 * (a volatile write). Vectors never change once written, so a reader that took the previous
 * block ({@link #segment()}) keeps reading valid vectors from it; the garbage collector frees a
 * block once no reader holds it. Ordinals at or past a block's {@link #capacityOf capacity} are
 * not in it: searches bound their reads by the block they took.
 *
 * <h2>File format (little-endian)</h2>
 * <pre>
 * offset  size  field
 *      0     4  magic 0x43465656 ("VVFC" read as bytes)
 *      4     4  format version (1)
 *      8     4  flags (0; bits reserved for compression and encryption)
 *     12     4  dimension
 *     16     8  vector count n
 *     24     8  stride in bytes between consecutive vectors (dimension * 4)
 *     32    32  reserved, zero
 *     64     n * stride  vectors, float32 (the block starts 64-byte aligned)
 *      …     4  CRC32C of every byte before it
 * </pre>
 */
public final class VectorStore {

    public static final int MAGIC = 0x43465656;
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 64;
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Vectors of the first block a growing store allocates. */
    static final int FIRST_BLOCK = 64;

    private final int dim;
    private final long stride;
    private volatile MemorySegment data;
    private final boolean readOnly;
    private volatile int size;

    private VectorStore(int dim, MemorySegment data, int size, boolean readOnly) {
        this.dim = dim;
        this.stride = 4L * dim;
        this.data = data;
        this.size = size;
        this.readOnly = readOnly;
    }

    /**
     * A new empty, appendable store with room for {@code capacity} vectors before it first grows
     * (0 allocates nothing until the first append), in memory the GC frees.
     */
    public static VectorStore allocate(int dim, int capacity) {
        if (dim <= 0) {
            throw new IllegalArgumentException("dimension must be positive: " + dim);
        }
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        MemorySegment seg = capacity == 0 ? NativeMemory.EMPTY : NativeMemory.allocate(4L * dim * capacity, 64);
        return new VectorStore(dim, seg, 0, false);
    }

    /** An empty appendable store that allocates as vectors arrive. */
    public static VectorStore growable(int dim) {
        return allocate(dim, 0);
    }

    /**
     * A read-only store over a segment holding a file written by {@link #writeTo}, typically a
     * mapping. The segment must stay valid as long as the store is used.
     *
     * @param verifyChecksum read every byte once to check the CRC32C
     * @throws CorruptFileException when the header or checksum is wrong
     */
    public static VectorStore open(MemorySegment file, boolean verifyChecksum) {
        ValueLayout.OfInt i32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfLong i64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        if (file.byteSize() < HEADER_BYTES + 4 || file.get(i32, 0) != MAGIC) {
            throw new CorruptFileException("not a VectorFlow vector file (bad magic or too short)");
        }
        int version = file.get(i32, 4);
        if (version != VERSION) {
            throw new CorruptFileException("unsupported vector file version " + version);
        }
        int dim = file.get(i32, 12);
        long n = file.get(i64, 16);
        long stride = file.get(i64, 24);
        if (dim <= 0 || n < 0 || n > Integer.MAX_VALUE || stride != 4L * dim
                || file.byteSize() != HEADER_BYTES + n * stride + 4) {
            throw new CorruptFileException("vector file header inconsistent with its size");
        }
        long bodyEnd = HEADER_BYTES + n * stride;
        if (verifyChecksum) {
            int stored = file.get(i32, bodyEnd);
            int actual = Checksums.crc32c(file, 0, bodyEnd);
            if (stored != actual) {
                throw new CorruptFileException("vector file checksum mismatch");
            }
        }
        MemorySegment body = NativeMemory.nativeView(file.asSlice(HEADER_BYTES, n * stride).asReadOnly());
        return new VectorStore(dim, body, (int) n, true);
    }

    /**
     * A read-only store of {@code size} vectors whose data is elsewhere (in object storage, say):
     * it answers {@link #dimension()}, {@link #size()} and {@link #offset(int)} for a graph built
     * over it, and every read of a vector fails with {@link IndexOutOfBoundsException} rather
     * than returning something wrong. A graph over it may only be walked with a scorer over codes.
     */
    public static VectorStore absent(int dim, int size) {
        if (dim <= 0 || size < 0) {
            throw new IllegalArgumentException("bad shape " + size + " × " + dim);
        }
        return new VectorStore(dim, NativeMemory.EMPTY, size, true);
    }

    public int dimension() {
        return dim;
    }

    /** Vectors the current block holds before the store grows again. */
    public int capacity() {
        return capacityOf(data);
    }

    /** Vectors a block taken from {@link #segment()} holds: ordinals below it may be read from it. */
    public int capacityOf(MemorySegment block) {
        if (block == NativeMemory.EMPTY && readOnly) {
            return size; // an absent store's graph may link every ordinal; a walk on codes scores them
        }
        return (int) Math.min(Integer.MAX_VALUE, block.byteSize() / stride);
    }

    /** Vectors written so far; ordinals {@code [0, size)} are readable. */
    public int size() {
        return size;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    /**
     * The block holding every vector appended so far; vector {@code ord} starts at
     * {@link #offset(int)}. A later append may move the store to a larger block; this one stays
     * valid, with the vectors it held, as long as the caller keeps it.
     */
    public MemorySegment segment() {
        return data;
    }

    public long offset(int ordinal) {
        return ordinal * stride;
    }

    /** Bytes between consecutive vectors. */
    public long stride() {
        return stride;
    }

    /**
     * Appends a vector and returns its ordinal, growing the store when its block is full. Safe
     * from many threads: a vector is fully written before {@link #size()} covers it.
     *
     * @throws OutOfMemoryError when a larger block cannot be had; the store is unchanged
     */
    public synchronized int append(float[] vector) {
        if (readOnly) {
            throw new IllegalStateException("vector store is read-only");
        }
        if (vector.length != dim) {
            throw new IllegalArgumentException("vector has dimension " + vector.length + ", expected " + dim);
        }
        int ord = size;
        if (ord == Integer.MAX_VALUE) {
            throw new IllegalStateException("vector store is full (" + ord + " vectors)");
        }
        reserve(ord + 1);
        MemorySegment.copy(vector, 0, data, FLOAT, offset(ord), dim);
        size = ord + 1;
        return ord;
    }

    /**
     * Makes room for at least {@code vectors} vectors now, so that appends up to there cannot
     * fail for want of memory.
     *
     * @throws OutOfMemoryError when the block cannot be had; the store is unchanged
     */
    public synchronized void reserve(int vectors) {
        MemorySegment current = data;
        int capacity = capacityOf(current);
        if (vectors <= capacity) {
            return;
        }
        long grown = capacity < FIRST_BLOCK ? FIRST_BLOCK : capacity < (1 << 20) ? 2L * capacity : capacity + (capacity >> 1);
        int next = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(vectors, grown));
        MemorySegment block = NativeMemory.allocate(next * stride, 64);
        MemorySegment.copy(current, 0, block, 0, size * stride);
        data = block;
    }

    /** Copies vector {@code ord} into {@code out} (length ≥ dimension). */
    public void get(int ordinal, float[] out) {
        MemorySegment.copy(data, FLOAT, offset(ordinal), out, 0, dim);
    }

    public float[] get(int ordinal) {
        float[] v = new float[dim];
        get(ordinal, v);
        return v;
    }

    /** Bytes held by vectors written so far. */
    public long bytesUsed() {
        return size * stride;
    }

    /** Writes the first {@link #size()} vectors in the file format above. */
    public void writeTo(WritableByteChannel out) throws IOException {
        int n = size;
        ChecksummedWriter w = new ChecksummedWriter(out);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC).putInt(VERSION).putInt(0).putInt(dim).putLong(n).putLong(stride);
        header.position(HEADER_BYTES).flip();
        w.write(header);
        w.write(data.asSlice(0, n * stride));
        w.finish();
    }
}
