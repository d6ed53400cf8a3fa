package io.vectorflow.core.quant;

import io.vectorflow.core.hnsw.NodeScorer;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.search.SearchResults;
import io.vectorflow.core.store.Checksums;
import io.vectorflow.core.store.CorruptFileException;
import io.vectorflow.core.store.NativeMemory;
import io.vectorflow.core.store.VectorStore;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Compact codes of a segment's vectors, one per ordinal, that a graph walk scores instead of the
 * float vectors ({@link #scorer}); the closest candidates are then rescored with the float
 * vectors. Codes are immutable, built once from a segment's vectors and written beside them.
 *
 * <h2>File header (little-endian, 64 bytes; every code file starts with it)</h2>
 * <pre>
 * offset  size  field
 *      0     4  magic 0x5A514656 ("VFQZ" read as bytes)
 *      4     4  format version (1)
 *      8     4  flags (0; bits reserved for compression and encryption)
 *     12     4  scheme (1 int8, 2 binary, 3 product)
 *     16     4  dimension
 *     20     4  vector count n
 *     24     4  bytes per vector's codes (the row stride)
 *     28     4  quantile the codes were calibrated with (f32)
 *     32     8  scheme parameters (see the scheme's class)
 *     40    20  metric name, US-ASCII, zero padded
 *     60     4  reserved (0)
 *     64        the scheme's sections (see the scheme's class)
 *      …     4  CRC32C of every byte before it
 * </pre>
 * Memory: the codes and their per-vector corrections live off-heap, copied from the file at
 * open ({@code alwaysRam}) or read in place from its mapping.
 */
public abstract sealed class QuantizedVectors permits ScalarCodes, BinaryCodes, ProductCodes {

    public static final int MAGIC = 0x5A514656;
    public static final int VERSION = 1;
    static final int HEADER_BYTES = 64;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final QuantizationSpec spec;
    final Metric metric;
    final int dim;
    final int size;

    QuantizedVectors(QuantizationSpec spec, Metric metric, int dim, int size) {
        this.spec = spec;
        this.metric = metric;
        this.dim = dim;
        this.size = size;
    }

    /**
     * Codes for the first {@code n} vectors of {@code vectors} (stored in {@code metric}'s
     * prepared form), calibrated on those vectors.
     */
    public static QuantizedVectors build(QuantizationSpec spec, Metric metric, VectorStore vectors, int n) {
        if (n < 0 || n > vectors.size()) {
            throw new IllegalArgumentException("n " + n + " outside the store's " + vectors.size() + " vectors");
        }
        return switch (spec.scheme()) {
            case INT8 -> ScalarCodes.create(spec, metric, vectors, n);
            case BINARY -> BinaryCodes.create(spec, metric, vectors, n);
            case PRODUCT -> ProductCodes.create(spec, metric, vectors, n);
        };
    }

    /**
     * Opens codes written by {@link #write}. {@code file} is the whole file (mapped); with
     * {@code spec.alwaysRam()} its sections are copied into memory, otherwise read in place.
     *
     * @throws CorruptFileException when the header, sizes or checksum are wrong
     */
    public static QuantizedVectors open(MemorySegment file, boolean alwaysRam) {
        if (file.byteSize() < HEADER_BYTES + 4 || file.get(I32, 0) != MAGIC) {
            throw new CorruptFileException("not a VectorFlow code file (bad magic or too short)");
        }
        if (file.get(I32, 4) != VERSION) {
            throw new CorruptFileException("unsupported code file version " + file.get(I32, 4));
        }
        long bodyEnd = file.byteSize() - 4;
        if (file.get(I32, bodyEnd) != Checksums.crc32c(file, 0, bodyEnd)) {
            throw new CorruptFileException("code file checksum mismatch");
        }
        QuantizationSpec.Scheme scheme;
        Metric metric;
        float quantile = file.get(F32, 28);
        try {
            scheme = QuantizationSpec.Scheme.ofId(file.get(I32, 12));
            byte[] name = file.asSlice(40, 20).toArray(ValueLayout.JAVA_BYTE);
            int len = 0;
            while (len < name.length && name[len] != 0) {
                len++;
            }
            metric = Metrics.byName(new String(name, 0, len, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new CorruptFileException("code file header: " + e.getMessage());
        }
        int dim = file.get(I32, 16);
        int n = file.get(I32, 20);
        int stride = file.get(I32, 24);
        if (dim <= 0 || n < 0 || stride <= 0 || !(quantile > 0.5f && quantile <= 1f)) {
            throw new CorruptFileException("code file header inconsistent");
        }
        QuantizationSpec spec;
        try {
            spec = new QuantizationSpec(scheme, quantile, alwaysRam,
                    scheme == QuantizationSpec.Scheme.PRODUCT ? (int) file.get(F32, 32) : 0);
        } catch (IllegalArgumentException e) {
            throw new CorruptFileException("code file header: " + e.getMessage());
        }
        MemorySegment body = file.asSlice(HEADER_BYTES, bodyEnd - HEADER_BYTES).asReadOnly();
        return switch (scheme) {
            case INT8 -> ScalarCodes.read(spec, metric, dim, n, stride, file, body);
            case BINARY -> BinaryCodes.read(spec, metric, dim, n, stride, file, body);
            case PRODUCT -> ProductCodes.read(spec, metric, dim, n, stride, file, body);
        };
    }

    /** The spec the codes were built under. */
    public QuantizationSpec spec() {
        return spec;
    }

    /** Vectors coded. */
    public int size() {
        return size;
    }

    public int dimension() {
        return dim;
    }

    /** Bytes of codes and corrections, in memory or mapped. */
    public abstract long bytes();

    /** A scorer of one query, given in {@code metric}'s prepared form (unit length for cosine). */
    public abstract NodeScorer scorer(float[] preparedQuery);

    /** Writes the codes in the format documented above and in the scheme's class. */
    public abstract void write(WritableByteChannel channel) throws IOException;

    /**
     * Rescoring: replaces the distances of the candidates in {@code hits} (from a walk on codes)
     * with exact ones from the float vectors, then keeps the {@code k} closest, closest first.
     * Reads {@code hits.size()} float vectors, mapped or in memory as the store holds them.
     *
     * @param preparedQuery the query in the metric's prepared form
     */
    public static void rescore(SearchResults hits, float[] preparedQuery, VectorStore vectors, Metric metric, int k) {
        MemorySegment data = vectors.segment();
        int dim = vectors.dimension();
        rescore(hits, k, o -> metric.distance(preparedQuery, data, vectors.offset(o), dim));
    }

    /** One candidate's exact distance to the query, wherever its float vector lives. */
    @FunctionalInterface
    public interface ExactDistance {
        float of(int ordinal);
    }

    /**
     * {@link #rescore(SearchResults, float[], VectorStore, Metric, int)} with the exact distances
     * from {@code exact} (vectors read through a cache from object storage, say).
     */
    public static void rescore(SearchResults hits, int k, ExactDistance exact) {
        int n = hits.size();
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            int o = hits.ordinal(i);
            packed[i] = io.vectorflow.core.util.LongHeap.pack(exact.of(o), o);
        }
        java.util.Arrays.sort(packed);
        long evaluations = hits.distanceEvaluations() + n;
        long visited = hits.visitedNodes();
        int keep = Math.min(k, n);
        hits.reset(keep);
        for (int i = 0; i < keep; i++) {
            hits.set(i, io.vectorflow.core.util.LongHeap.ordinal(packed[i]), io.vectorflow.core.util.LongHeap.distance(packed[i]));
        }
        hits.setCost(evaluations, visited);
    }

    /** The common header, with the scheme's row stride and two parameter words. */
    final ByteBuffer header(int stride, float param0, float param1) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(MAGIC).putInt(VERSION).putInt(0).putInt(spec.scheme().id).putInt(dim).putInt(size).putInt(stride)
                .putFloat(spec.quantile()).putFloat(param0).putFloat(param1);
        byte[] name = metric.name().getBytes(StandardCharsets.US_ASCII);
        h.put(name, 0, Math.min(20, name.length)).position(HEADER_BYTES).flip();
        return h;
    }

    /** A section of the file body: copied into memory when asked, else the mapped bytes. */
    static MemorySegment section(MemorySegment body, long from, long bytes, boolean alwaysRam) {
        if (from < 0 || bytes < 0 || from + bytes > body.byteSize()) {
            throw new CorruptFileException("code file shorter than its header says");
        }
        MemorySegment slice = body.asSlice(from, bytes);
        if (!alwaysRam) {
            return NativeMemory.nativeView(slice);
        }
        MemorySegment copy = NativeMemory.allocate(bytes, 64);
        copy.copyFrom(slice);
        return copy;
    }

    /** The values {@code [0, dim)} of the vectors to calibrate on: all of them, or an evenly spaced sample. */
    static int[] sample(int n, int dim, long maxValues) {
        int count = (int) Math.max(1, Math.min(n, maxValues / dim));
        int[] ords = new int[Math.min(n, count)];
        for (int i = 0; i < ords.length; i++) {
            ords[i] = (int) ((long) i * n / ords.length);
        }
        return ords;
    }
}
