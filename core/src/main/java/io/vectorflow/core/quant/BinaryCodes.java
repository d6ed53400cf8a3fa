package io.vectorflow.core.quant;

import io.vectorflow.core.hnsw.NodeScorer;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.store.ChecksummedWriter;
import io.vectorflow.core.store.CorruptFileException;
import io.vectorflow.core.store.NativeMemory;
import io.vectorflow.core.store.VectorStore;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/**
 * Binary codes: one bit per dimension, set where the vector lies above the segment's centroid
 * {@code c}, with two per-vector corrections, {@code |x − c|} and {@code c·x}. The bits give the
 * angle between {@code x − c} and {@code q − c} through the Hamming distance {@code h}
 * ({@code θ ≈ π·h / dim}, the sign-projection estimate), the corrections put the lengths back:
 * <ul>
 *   <li>squared L2: {@code |x−c|² + |q−c|² − 2·|x−c|·|q−c|·cos θ};
 *   <li>dot product: {@code |x−c|·|q−c|·cos θ + c·x + c·q − |c|²} (cosine: 1 minus that, on unit vectors).
 * </ul>
 * Centring on the centroid is what makes one bit per dimension usable on real embeddings, whose
 * values are rarely centred on zero; the corrections make the estimate a distance in the metric's
 * own units rather than a bare bit count, so codes of different segments merge. A distance is one
 * XOR and {@link Long#bitCount} per 64 dimensions and a table lookup: 1/32 of the float vectors'
 * bytes. Its error is large, which is why binary codes are meant to be searched with oversampling
 * and rescored with the float vectors. Manhattan distance has no such estimate and is refused.
 *
 * <h2>Sections after the common header ({@link QuantizedVectors})</h2>
 * Header parameters: {@code |c|²} (f32 at 32), 0 (at 36); row stride: {@code 8·ceil(dim / 64)}.
 * <pre>
 *   dim × 4      centroid, f32, zero-padded to a multiple of 8 bytes
 *   n × stride   bits, i64 words (bit i % 64 of word i / 64 is dimension i)
 *   n × 4        |x − c|, f32
 *   n × 4        c·x, f32
 * </pre>
 */
public final class BinaryCodes extends QuantizedVectors {

    private final float[] centroid;
    private final float centroidNorm2;
    private final int words;
    private final MemorySegment bits;
    private final MemorySegment norms;
    private final MemorySegment centroidDots;
    /** cos(π·h / dim) for every Hamming distance h. */
    private final float[] cosOfDistance;

    private BinaryCodes(QuantizationSpec spec, Metric metric, int dim, int size, float[] centroid, MemorySegment bits,
                        MemorySegment norms, MemorySegment centroidDots) {
        super(spec, metric, dim, size);
        this.centroid = centroid;
        double c2 = 0;
        for (float v : centroid) {
            c2 += (double) v * v;
        }
        this.centroidNorm2 = (float) c2;
        this.words = (dim + 63) >>> 6;
        this.bits = bits;
        this.norms = norms;
        this.centroidDots = centroidDots;
        this.cosOfDistance = new float[dim + 1];
        for (int h = 0; h <= dim; h++) {
            cosOfDistance[h] = (float) Math.cos(Math.PI * h / dim);
        }
    }

    static BinaryCodes create(QuantizationSpec spec, Metric metric, VectorStore vectors, int n) {
        if (metric == Metrics.MANHATTAN) {
            throw new IllegalArgumentException("binary quantization does not support the manhattan distance; use scalar");
        }
        int dim = vectors.dimension();
        float[] centroid = centroid(vectors, n);
        int words = (dim + 63) >>> 6;
        MemorySegment bits = NativeMemory.allocate(8L * words * n, 64);
        MemorySegment norms = NativeMemory.allocate(4L * n, 64);
        MemorySegment dots = NativeMemory.allocate(4L * n, 64);
        BinaryCodes out = new BinaryCodes(spec, metric, dim, n, centroid, bits, norms, dots);
        float[] v = new float[dim];
        long[] w = new long[words];
        for (int o = 0; o < n; o++) {
            vectors.get(o, v);
            float[] corr = out.encode(v, w);
            for (int i = 0; i < words; i++) {
                bits.set(I64, 8L * ((long) o * words + i), w[i]);
            }
            norms.setAtIndex(F32, o, corr[0]);
            dots.setAtIndex(F32, o, corr[1]);
        }
        return out;
    }

    /** The mean of the sampled vectors. */
    private static float[] centroid(VectorStore vectors, int n) {
        int dim = vectors.dimension();
        double[] sum = new double[dim];
        int[] ords = sample(n, dim, ScalarCodes.CALIBRATION_VALUES);
        float[] v = new float[dim];
        for (int o : ords) {
            vectors.get(o, v);
            for (int i = 0; i < dim; i++) {
                sum[i] += v[i];
            }
        }
        float[] c = new float[dim];
        for (int i = 0; i < dim && n > 0; i++) {
            c[i] = (float) (sum[i] / ords.length);
        }
        return c;
    }

    static BinaryCodes read(QuantizationSpec spec, Metric metric, int dim, int n, int stride, MemorySegment file,
                            MemorySegment body) {
        int words = (dim + 63) >>> 6;
        long centroidBytes = (4L * dim + 7) & -8;
        long bitBytes = 8L * words * n;
        if (stride != 8 * words || body.byteSize() != centroidBytes + bitBytes + 8L * n) {
            throw new CorruptFileException("binary code file size does not match its header");
        }
        float[] centroid = new float[dim];
        MemorySegment.copy(body, F32, 0, centroid, 0, dim);
        return new BinaryCodes(spec, metric, dim, n, centroid, section(body, centroidBytes, bitBytes, spec.alwaysRam()),
                section(body, centroidBytes + bitBytes, 4L * n, spec.alwaysRam()),
                section(body, centroidBytes + bitBytes + 4L * n, 4L * n, spec.alwaysRam()));
    }

    /** Codes {@code v} into {@code out}; returns {|v − c|, c·v}. */
    float[] encode(float[] v, long[] out) {
        java.util.Arrays.fill(out, 0L);
        double norm2 = 0;
        double dot = 0;
        for (int i = 0; i < dim; i++) {
            float d = v[i] - centroid[i];
            if (d > 0) {
                out[i >>> 6] |= 1L << (i & 63);
            }
            norm2 += (double) d * d;
            dot += (double) centroid[i] * v[i];
        }
        return new float[] {(float) Math.sqrt(norm2), (float) dot};
    }

    @Override
    public long bytes() {
        return bits.byteSize() + norms.byteSize() + centroidDots.byteSize() + 4L * dim;
    }

    @Override
    public NodeScorer scorer(float[] preparedQuery) {
        long[] q = new long[words];
        float[] corr = encode(preparedQuery, q);
        if (metric == Metrics.EUCLIDEAN) {
            return new L2(this, q, corr[0]);
        }
        return new Dot(this, q, corr[0], corr[1], metric == Metrics.COSINE ? 1f : 0f);
    }

    /** Hamming distance between the query's bits and node {@code node}'s. */
    private static int hamming(long[] q, MemorySegment bits, int node, int words) {
        long base = 8L * words * node;
        int h = 0;
        for (int i = 0; i < words; i++) {
            h += Long.bitCount(q[i] ^ bits.get(I64, base + 8L * i));
        }
        return h;
    }

    private static final class L2 implements NodeScorer {
        private final long[] q;
        private final MemorySegment bits;
        private final MemorySegment norms;
        private final float[] cos;
        private final int words;
        private final float queryNorm;

        L2(BinaryCodes c, long[] q, float queryNorm) {
            this.q = q;
            this.bits = c.bits;
            this.norms = c.norms;
            this.cos = c.cosOfDistance;
            this.words = c.words;
            this.queryNorm = queryNorm;
        }

        @Override
        public float distance(int node) {
            float nx = norms.getAtIndex(F32, node);
            return nx * nx + queryNorm * queryNorm - 2 * nx * queryNorm * cos[hamming(q, bits, node, words)];
        }

        @Override
        public void distances(int[] nodes, int n, float[] out) {
            for (int i = 0; i < n; i++) {
                int node = nodes[i];
                float nx = norms.getAtIndex(F32, node);
                out[i] = nx * nx + queryNorm * queryNorm - 2 * nx * queryNorm * cos[hamming(q, bits, node, words)];
            }
        }
    }

    /** Dot product and cosine: {@code offset − dot}. */
    private static final class Dot implements NodeScorer {
        private final long[] q;
        private final MemorySegment bits;
        private final MemorySegment norms;
        private final MemorySegment centroidDots;
        private final float[] cos;
        private final int words;
        private final float queryNorm;
        private final float base;

        Dot(BinaryCodes c, long[] q, float queryNorm, float queryCentroidDot, float offset) {
            this.q = q;
            this.bits = c.bits;
            this.norms = c.norms;
            this.centroidDots = c.centroidDots;
            this.cos = c.cosOfDistance;
            this.words = c.words;
            this.queryNorm = queryNorm;
            this.base = offset - queryCentroidDot + c.centroidNorm2;
        }

        @Override
        public float distance(int node) {
            return base - norms.getAtIndex(F32, node) * queryNorm * cos[hamming(q, bits, node, words)]
                    - centroidDots.getAtIndex(F32, node);
        }

        @Override
        public void distances(int[] nodes, int n, float[] out) {
            for (int i = 0; i < n; i++) {
                int node = nodes[i];
                out[i] = base - norms.getAtIndex(F32, node) * queryNorm * cos[hamming(q, bits, node, words)]
                        - centroidDots.getAtIndex(F32, node);
            }
        }
    }

    @Override
    public void write(WritableByteChannel channel) throws IOException {
        ChecksummedWriter out = new ChecksummedWriter(channel);
        out.write(header(8 * words, centroidNorm2, 0f));
        ByteBuffer c = ByteBuffer.allocate(4 * dim).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : centroid) {
            c.putFloat(v);
        }
        out.write(c.flip());
        out.padTo(8);
        out.write(bits);
        out.write(norms);
        out.write(centroidDots);
        out.finish();
    }
}
