package io.vectorflow.core.hnsw;

import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.store.Checksums;
import io.vectorflow.core.store.ChecksummedWriter;
import io.vectorflow.core.store.CorruptFileException;
import io.vectorflow.core.store.NativeMemory;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.core.util.AtomicBitSet;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Writes an {@link HnswIndex}'s graph to a file and opens it again in place: the level-0
 * adjacency block is used straight from the (mapped) segment, so opening a graph costs a checksum
 * pass and reading the small upper levels, never a rebuild. Vectors live in their own file
 * ({@link VectorStore}).
 *
 * <h2>File format (little-endian)</h2>
 * <pre>
 * offset  size  field
 *      0     4  magic 0x47484656 ("VFHG" read as bytes)
 *      4     4  format version (1)
 *      8     4  flags (0; bits reserved for compression and encryption)
 *     12     4  dimension
 *     16     4  M (level 0 holds up to 2M links)
 *     20     4  efConstruction
 *     24     8  level seed
 *     32     4  node count n (ordinals 0..n-1, the vectors the graph is over)
 *     36     4  entry point ordinal (-1 when no node is in the graph)
 *     40     4  entry point level (-1 when no node is in the graph)
 *     44    20  metric name, US-ASCII, zero padded
 *     64        level 0: n records of (1 + 2M) int32, each a count then the links (unused slots 0)
 *      …        levels: n int8, the highest level of each node; -1 for an ordinal left out
 *               of the graph (its point has no vector of this kind)
 *      …        zero padding to a multiple of 4
 *      …        upper levels: for each node with level L ≥ 1, in ordinal order,
 *               L records of (1 + M) int32 (levels 1..L), each a count then the links
 *      …        zero padding to a multiple of 8
 *      …        deleted set: ceil(n / 64) int64 words, bit i of word w = ordinal 64w + i
 *      …     4  CRC32C of every byte before it
 * </pre>
 */
public final class HnswGraphFile {

    public static final int MAGIC = 0x47484656;
    public static final int VERSION = 1;
    private static final int HEADER_BYTES = 64;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private HnswGraphFile() {}

    /**
     * Writes the graph. Every ordinal below {@code vectors().size()} must be in the graph or
     * deliberately left out of it (no insert still running).
     */
    public static void write(HnswIndex index, WritableByteChannel channel) throws IOException {
        int n = index.vectors().size();
        long entry = index.entryPacked();
        Graph g = index.graph();
        ChecksummedWriter out = new ChecksummedWriter(channel);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC).putInt(VERSION).putInt(0).putInt(index.dim).putInt(index.m)
                .putInt(index.efConstruction).putLong(index.seed).putInt(n)
                .putInt(entry < 0 ? -1 : (int) entry).putInt(entry < 0 ? -1 : (int) (entry >>> 32));
        byte[] name = index.metric.name().getBytes(StandardCharsets.US_ASCII);
        if (name.length > 20) {
            throw new IllegalArgumentException("metric name longer than 20 bytes: " + index.metric.name());
        }
        header.put(name).position(HEADER_BYTES).flip();
        out.write(header);
        out.write(g.links0.asSlice(0, n * index.level0Stride));
        out.write(ByteBuffer.wrap(g.levels, 0, n));
        out.padTo(4);
        int upperRecord = 1 + index.m;
        for (int node = 0; node < n; node++) {
            int level = g.levels[node];
            if (level > 0) {
                ByteBuffer buf = ByteBuffer.allocate(4 * level * upperRecord).order(ByteOrder.LITTLE_ENDIAN);
                buf.asIntBuffer().put(g.upper[node], 0, level * upperRecord);
                out.write(buf);
            }
        }
        out.padTo(8);
        long[] words = g.deleted.words();
        ByteBuffer del = ByteBuffer.allocate(8 * ((n + 63) / 64)).order(ByteOrder.LITTLE_ENDIAN);
        for (int w = 0; w < (n + 63) / 64; w++) {
            del.putLong(words[w]);
        }
        out.write(del.flip());
        out.finish();
    }

    /**
     * The dimension and node count a graph file's header gives ({@code {dim, n}}), for opening
     * it over vectors that are not local.
     */
    public static int[] shape(MemorySegment file) {
        if (file.byteSize() < HEADER_BYTES + 4 || file.get(I32, 0) != MAGIC) {
            throw new CorruptFileException("not a VectorFlow graph file (bad magic or too short)");
        }
        return new int[] {file.get(I32, 12), file.get(I32, 32)};
    }

    /**
     * Opens a graph file held in {@code file} (typically a read-only mapping) over {@code vectors}.
     * The returned index is read-only; it searches the level-0 block in place.
     *
     * @throws CorruptFileException when the header, sizes or checksum do not match
     */
    public static HnswIndex open(MemorySegment file, VectorStore vectors, boolean verifyChecksum) {
        if (file.byteSize() < HEADER_BYTES + 4 || file.get(I32, 0) != MAGIC) {
            throw new CorruptFileException("not a VectorFlow graph file (bad magic or too short)");
        }
        if (file.get(I32, 4) != VERSION) {
            throw new CorruptFileException("unsupported graph file version " + file.get(I32, 4));
        }
        if (verifyChecksum) {
            long body = file.byteSize() - 4;
            if (file.get(I32, body) != Checksums.crc32c(file, 0, body)) {
                throw new CorruptFileException("graph file checksum mismatch");
            }
        }
        int dim = file.get(I32, 12);
        int m = file.get(I32, 16);
        int efc = file.get(I32, 20);
        long seed = file.get(I64, 24);
        int n = file.get(I32, 32);
        int ep = file.get(I32, 36);
        int epLevel = file.get(I32, 40);
        byte[] nameBytes = new byte[20];
        MemorySegment.copy(file, ValueLayout.JAVA_BYTE, 44, nameBytes, 0, 20);
        String metricName = new String(nameBytes, StandardCharsets.US_ASCII).replace("\0", "");
        Metric metric = Metrics.byName(metricName);
        if (dim != vectors.dimension() || n != vectors.size()) {
            throw new CorruptFileException("graph (" + n + " × " + dim + ") does not match its vectors ("
                    + vectors.size() + " × " + vectors.dimension() + ")");
        }
        if (n < 0 || m < 2 || (n == 0 && ep >= 0) || ep >= n) {
            throw new CorruptFileException("graph file header is inconsistent");
        }
        long stride = 4L * (1 + 2L * m);
        long pos = HEADER_BYTES;
        long level0Bytes = n * stride;
        checkRange(file, pos, level0Bytes + n);
        MemorySegment links0 = NativeMemory.nativeView(file.asSlice(pos, level0Bytes).asReadOnly());
        pos += level0Bytes;
        byte[] levels = new byte[n];
        MemorySegment.copy(file, ValueLayout.JAVA_BYTE, pos, levels, 0, n);
        pos = align(pos + n, 4);
        int upperRecord = 1 + m;
        int[][] upper = new int[n][];
        int inGraph = 0;
        for (int node = 0; node < n; node++) {
            int level = levels[node];
            if (level >= 0) {
                inGraph++;
            }
            if (level < -1 || level > epLevel) {
                throw new CorruptFileException("node " + node + " has level " + level + " above the entry level " + epLevel);
            }
            if (level > 0) {
                int ints = level * upperRecord;
                checkRange(file, pos, 4L * ints);
                upper[node] = new int[ints];
                MemorySegment.copy(file, I32, pos, upper[node], 0, ints);
                pos += 4L * ints;
            }
        }
        pos = align(pos, 8);
        int wordCount = (n + 63) / 64;
        checkRange(file, pos, 8L * wordCount);
        long[] words = new long[wordCount];
        MemorySegment.copy(file, I64, pos, words, 0, wordCount);
        if (pos + 8L * wordCount + 4 != file.byteSize()) {
            throw new CorruptFileException("graph file has unexpected trailing bytes");
        }
        long entry = ep < 0 ? -1L : ((long) epLevel << 32) | ep;
        return new HnswIndex(vectors, metric, new HnswParams(m, efc, seed), links0, levels, upper,
                new AtomicBitSet(n, words), entry, inGraph, true);
    }

    private static long align(long pos, int alignment) {
        return (pos + alignment - 1) / alignment * alignment;
    }

    private static void checkRange(MemorySegment file, long pos, long length) {
        if (pos + length > file.byteSize() - 4) {
            throw new CorruptFileException("graph file truncated");
        }
    }
}
