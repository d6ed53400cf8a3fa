package io.vectorflow.core.quant;

import io.vectorflow.core.hnsw.NodeScorer;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.store.ChecksummedWriter;
import io.vectorflow.core.store.NativeMemory;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.core.vector.VectorUtil;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * Scalar int8 codes: every value on one uniform grid of 256 steps over {@code [lo, lo + 255·step]},
 * the range holding the central {@code quantile} of the segment's values (the rest clipped to its
 * ends), stored as a signed byte {@code c = round((x − lo) / step) − 128}. So
 * {@code x ≈ mid + step·c} with {@code mid = lo + 128·step}, and for two coded vectors
 * <ul>
 *   <li>squared L2: {@code step² · Σ(a − b)²};
 *   <li>Manhattan: {@code step · Σ|a − b|};
 *   <li>dot product: {@code step² · Σ a·b + corr(a) + corr(b)} with the per-vector correction
 *       {@code corr(a) = mid·step·Σa + dim·mid²/2} (cosine: 1 minus that, on unit vectors).
 * </ul>
 * The query is coded on the same grid, so every distance is one integer kernel on byte lanes
 * ({@link VectorUtil#dotProductI8}) and a multiply-add: a quarter of the float vectors' bytes per
 * hop, about four times as many codes per cache line.
 *
 * <h2>Sections after the common header ({@link QuantizedVectors})</h2>
 * Header parameters: {@code lo} (f32 at 32), {@code step} (f32 at 36); row stride: {@code dim}
 * rounded up to 16 bytes.
 * <pre>
 *   n × stride  codes, int8 (padding bytes 0)
 *   n × 4       corrections, f32 (0 for the L2 and Manhattan metrics)
 * </pre>
 */
public final class ScalarCodes extends QuantizedVectors {

    /** Values sampled to find the quantile range. */
    static final long CALIBRATION_VALUES = 1 << 20;

    private final float lo;
    private final float step;
    private final float mid;
    private final int stride;
    private final MemorySegment codes;
    private final MemorySegment corrections;

    private ScalarCodes(QuantizationSpec spec, Metric metric, int dim, int size, float lo, float step, int stride,
                        MemorySegment codes, MemorySegment corrections) {
        super(spec, metric, dim, size);
        this.lo = lo;
        this.step = step;
        this.mid = lo + 128 * step;
        this.stride = stride;
        this.codes = codes;
        this.corrections = corrections;
    }

    static ScalarCodes create(QuantizationSpec spec, Metric metric, VectorStore vectors, int n) {
        int dim = vectors.dimension();
        float[] range = range(vectors, n, spec.quantile());
        float lo = range[0];
        float step = Math.max((range[1] - range[0]) / 255f, Float.MIN_NORMAL);
        int stride = (dim + 15) & -16;
        MemorySegment codes = NativeMemory.allocate((long) n * stride, 64);
        MemorySegment corrections = NativeMemory.allocate(4L * n, 64);
        ScalarCodes out = new ScalarCodes(spec, metric, dim, n, lo, step, stride, codes, corrections);
        float[] v = new float[dim];
        byte[] c = new byte[dim];
        for (int o = 0; o < n; o++) {
            vectors.get(o, v);
            float corr = out.encode(v, c);
            MemorySegment.copy(c, 0, codes, ValueLayout.JAVA_BYTE, (long) o * stride, dim);
            corrections.setAtIndex(F32, o, corr);
        }
        return out;
    }

    /** The central {@code quantile} of the sampled values: {lo, hi}. */
    static float[] range(VectorStore vectors, int n, float quantile) {
        int dim = vectors.dimension();
        if (n == 0) {
            return new float[] {-1, 1};
        }
        int[] ords = sample(n, dim, CALIBRATION_VALUES);
        float[] values = new float[ords.length * dim];
        float[] v = new float[dim];
        for (int i = 0; i < ords.length; i++) {
            vectors.get(ords[i], v);
            System.arraycopy(v, 0, values, i * dim, dim);
        }
        Arrays.sort(values);
        double tail = (1 - quantile) / 2;
        int loAt = (int) Math.floor(tail * (values.length - 1));
        int hiAt = (int) Math.ceil((1 - tail) * (values.length - 1));
        float lo = values[loAt];
        float hi = values[hiAt];
        return hi > lo ? new float[] {lo, hi} : new float[] {lo - 0.5f, lo + 0.5f};
    }

    static ScalarCodes read(QuantizationSpec spec, Metric metric, int dim, int n, int stride, MemorySegment file,
                            MemorySegment body) {
        if (stride != ((dim + 15) & -16)) {
            throw new io.vectorflow.core.store.CorruptFileException("int8 code file stride " + stride + " for dimension " + dim);
        }
        float lo = file.get(F32, 32);
        float step = file.get(F32, 36);
        long codeBytes = (long) n * stride;
        if (body.byteSize() != codeBytes + 4L * n) {
            throw new io.vectorflow.core.store.CorruptFileException("int8 code file size does not match its header");
        }
        return new ScalarCodes(spec, metric, dim, n, lo, step, stride,
                section(body, 0, codeBytes, spec.alwaysRam()), section(body, codeBytes, 4L * n, spec.alwaysRam()));
    }

    /** Codes {@code v} into {@code out}; returns its correction for dot products. */
    float encode(float[] v, byte[] out) {
        float inv = 1f / step;
        long sum = 0;
        for (int i = 0; i < dim; i++) {
            int c = Math.round((v[i] - lo) * inv);
            c = Math.min(255, Math.max(0, c)) - 128;
            out[i] = (byte) c;
            sum += c;
        }
        return dotLike() ? mid * step * sum + dim * mid * mid / 2 : 0f;
    }

    private boolean dotLike() {
        return metric == Metrics.DOT || metric == Metrics.COSINE;
    }

    /** Lower end of the grid. */
    public float lo() {
        return lo;
    }

    /** Grid spacing: the largest error of a value inside the range is half of it. */
    public float step() {
        return step;
    }

    @Override
    public long bytes() {
        return codes.byteSize() + corrections.byteSize();
    }

    @Override
    public NodeScorer scorer(float[] preparedQuery) {
        byte[] q = new byte[dim];
        float corr = encode(preparedQuery, q);
        if (metric == Metrics.EUCLIDEAN) {
            return new L2(this, q);
        }
        if (metric == Metrics.MANHATTAN) {
            return new L1(this, q);
        }
        return new Dot(this, q, corr, metric == Metrics.COSINE ? 1f : 0f);
    }

    // One class per metric, each with its own loop (as the float metrics): a loop shared through
    // a base class would make its distance call polymorphic once two metrics are in use.

    private static final class L2 implements NodeScorer {
        private final byte[] q;
        private final MemorySegment codes;
        private final int stride;
        private final int dim;
        private final float scale;

        L2(ScalarCodes c, byte[] q) {
            this.q = q;
            this.codes = c.codes;
            this.stride = c.stride;
            this.dim = c.dim;
            this.scale = c.step * c.step;
        }

        @Override
        public float distance(int node) {
            return scale * VectorUtil.squareDistanceI8(q, codes, (long) node * stride, dim);
        }

        @Override
        public void distances(int[] nodes, int n, float[] out) {
            for (int i = 0; i < n; i++) {
                out[i] = scale * VectorUtil.squareDistanceI8(q, codes, (long) nodes[i] * stride, dim);
            }
        }
    }

    private static final class L1 implements NodeScorer {
        private final byte[] q;
        private final MemorySegment codes;
        private final int stride;
        private final int dim;
        private final float scale;

        L1(ScalarCodes c, byte[] q) {
            this.q = q;
            this.codes = c.codes;
            this.stride = c.stride;
            this.dim = c.dim;
            this.scale = c.step;
        }

        @Override
        public float distance(int node) {
            return scale * VectorUtil.l1DistanceI8(q, codes, (long) node * stride, dim);
        }

        @Override
        public void distances(int[] nodes, int n, float[] out) {
            for (int i = 0; i < n; i++) {
                out[i] = scale * VectorUtil.l1DistanceI8(q, codes, (long) nodes[i] * stride, dim);
            }
        }
    }

    /** Dot product and cosine: {@code offset − dot} (offset 1 for cosine's {@code 1 − cos}, 0 for −dot). */
    private static final class Dot implements NodeScorer {
        private final byte[] q;
        private final MemorySegment codes;
        private final MemorySegment corrections;
        private final int stride;
        private final int dim;
        private final float scale;
        private final float base;

        Dot(ScalarCodes c, byte[] q, float queryCorrection, float offset) {
            this.q = q;
            this.codes = c.codes;
            this.corrections = c.corrections;
            this.stride = c.stride;
            this.dim = c.dim;
            this.scale = c.step * c.step;
            this.base = offset - queryCorrection;
        }

        @Override
        public float distance(int node) {
            return base - scale * VectorUtil.dotProductI8(q, codes, (long) node * stride, dim) - corrections.getAtIndex(F32, node);
        }

        @Override
        public void distances(int[] nodes, int n, float[] out) {
            for (int i = 0; i < n; i++) {
                int node = nodes[i];
                out[i] = base - scale * VectorUtil.dotProductI8(q, codes, (long) node * stride, dim)
                        - corrections.getAtIndex(F32, node);
            }
        }
    }

    @Override
    public void write(WritableByteChannel channel) throws IOException {
        ChecksummedWriter out = new ChecksummedWriter(channel);
        out.write(header(stride, lo, step));
        out.write(codes);
        out.write(corrections);
        out.finish();
    }
}
