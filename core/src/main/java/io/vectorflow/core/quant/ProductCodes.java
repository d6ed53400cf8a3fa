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
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Product quantization (Jégou, Douze and Schmid, 2011): the dimensions are cut into {@code m}
 * subspaces of {@code compression / 4} consecutive dimensions (x4: one dimension per byte, x64:
 * sixteen), each subspace has its own 256 centroids found by k-means on a sample of the
 * segment's vectors, and a vector is stored as the index of its nearest centroid in each
 * subspace: one byte per subspace, {@code compression} times smaller than its floats. A query
 * first computes, per subspace, its distance to all 256 centroids (a table of {@code m × 256}
 * floats, the metric's own term: squared difference, product, or absolute difference); a
 * distance to a coded vector is then {@code m} table lookups and adds (asymmetric distance
 * computation: the query is not coded).
 *
 * <p>Training: {@value #ITERATIONS} Lloyd iterations from centroids drawn from the sample (seeded
 * by {@value #SEED}, so the same segment gets the same codes), subspaces trained in parallel on
 * the common pool; a centroid left empty is moved to a sample point far from its own centroid.
 * Encoding runs in parallel over the vectors.
 *
 * <h2>Sections after the common header ({@link QuantizedVectors})</h2>
 * Header parameters: compression (f32 at 32: 4, 8, 16, 32 or 64), dimensions per subspace (f32
 * at 36); row stride: {@code m = ceil(dim / subDim)} bytes.
 * <pre>
 *   m × 256 × subDim × 4   centroids, f32, subspace by subspace (the last subspace's missing
 *                          dimensions are 0)
 *   n × m                  codes, u8: the nearest centroid of each subspace
 * </pre>
 */
public final class ProductCodes extends QuantizedVectors {

    static final int CENTROIDS = 256;
    /** Vectors the centroids are trained on, at most. */
    static final int TRAINING_VECTORS = 16_384;
    static final int ITERATIONS = 10;
    static final long SEED = 42;

    private final int subDim;
    private final int m;
    /** Centroid c of subspace s starts at {@code (s * 256 + c) * subDim}. */
    private final float[] centroids;
    /** The same centroids by dimension: value j of centroid c of subspace s at {@code (s * subDim + j) * 256 + c}. */
    private final float[] byDimension;
    private final MemorySegment codes;

    private ProductCodes(QuantizationSpec spec, Metric metric, int dim, int size, float[] centroids, MemorySegment codes) {
        super(spec, metric, dim, size);
        this.subDim = spec.compression() / 4;
        this.m = (dim + subDim - 1) / subDim;
        this.centroids = centroids;
        this.codes = codes;
        this.byDimension = new float[centroids.length];
        for (int s = 0; s < m; s++) {
            for (int c = 0; c < CENTROIDS; c++) {
                for (int j = 0; j < subDim; j++) {
                    byDimension[(s * subDim + j) * CENTROIDS + c] = centroids[(s * CENTROIDS + c) * subDim + j];
                }
            }
        }
    }

    /** Subspaces of a spec over {@code dim} dimensions. */
    static int subspaces(QuantizationSpec spec, int dim) {
        int subDim = spec.compression() / 4;
        return (dim + subDim - 1) / subDim;
    }

    static ProductCodes create(QuantizationSpec spec, Metric metric, VectorStore vectors, int n) {
        int dim = vectors.dimension();
        int subDim = spec.compression() / 4;
        int m = subspaces(spec, dim);
        float[][] sample = padded(vectors, sample(n, dim, (long) TRAINING_VECTORS * dim), m * subDim);
        float[] centroids = new float[m * CENTROIDS * subDim];
        IntStream.range(0, m).parallel().forEach(s -> train(sample, s, subDim, centroids));
        MemorySegment codes = NativeMemory.allocate((long) n * m, 64);
        ProductCodes out = new ProductCodes(spec, metric, dim, n, centroids, codes);
        IntStream.range(0, n).parallel().forEach(o -> {
            float[] v = java.util.Arrays.copyOf(vectors.get(o), m * subDim);
            for (int s = 0; s < m; s++) {
                codes.set(ValueLayout.JAVA_BYTE, (long) o * m + s, (byte) out.nearest(v, s));
            }
        });
        return out;
    }

    /** The sampled vectors, each zero-padded to {@code width}. */
    private static float[][] padded(VectorStore vectors, int[] ords, int width) {
        float[][] out = new float[ords.length][];
        for (int i = 0; i < ords.length; i++) {
            out[i] = java.util.Arrays.copyOf(vectors.get(ords[i]), width);
        }
        return out;
    }

    /** Lloyd's k-means for subspace {@code s}, into its slice of {@code centroids}. */
    private static void train(float[][] sample, int s, int subDim, float[] centroids) {
        int base = s * CENTROIDS * subDim;
        int n = sample.length;
        int from = s * subDim;
        Random random = new Random(SEED + s);
        for (int c = 0; c < CENTROIDS; c++) {
            System.arraycopy(sample[random.nextInt(n)], from, centroids, base + c * subDim, subDim);
        }
        int[] assigned = new int[n];
        float[] far = new float[n];
        for (int it = 0; it < ITERATIONS; it++) {
            for (int i = 0; i < n; i++) {
                float best = Float.MAX_VALUE;
                int arg = 0;
                for (int c = 0; c < CENTROIDS; c++) {
                    float d = 0;
                    for (int j = 0; j < subDim; j++) {
                        float x = sample[i][from + j] - centroids[base + c * subDim + j];
                        d += x * x;
                    }
                    if (d < best) {
                        best = d;
                        arg = c;
                    }
                }
                assigned[i] = arg;
                far[i] = best;
            }
            double[] sums = new double[CENTROIDS * subDim];
            int[] counts = new int[CENTROIDS];
            for (int i = 0; i < n; i++) {
                counts[assigned[i]]++;
                for (int j = 0; j < subDim; j++) {
                    sums[assigned[i] * subDim + j] += sample[i][from + j];
                }
            }
            for (int c = 0; c < CENTROIDS; c++) {
                if (counts[c] == 0) {
                    int farthest = 0; // an empty centroid moves to the worst-served sample point
                    for (int i = 1; i < n; i++) {
                        if (far[i] > far[farthest]) {
                            farthest = i;
                        }
                    }
                    far[farthest] = 0;
                    System.arraycopy(sample[farthest], from, centroids, base + c * subDim, subDim);
                    continue;
                }
                for (int j = 0; j < subDim; j++) {
                    centroids[base + c * subDim + j] = (float) (sums[c * subDim + j] / counts[c]);
                }
            }
        }
    }

    /** The centroid of subspace {@code s} nearest to the (padded) vector {@code v}. */
    private int nearest(float[] v, int s) {
        int base = s * CENTROIDS * subDim;
        int from = s * subDim;
        float best = Float.MAX_VALUE;
        int arg = 0;
        for (int c = 0; c < CENTROIDS; c++) {
            float d = 0;
            for (int j = 0; j < subDim; j++) {
                float x = v[from + j] - centroids[base + c * subDim + j];
                d += x * x;
            }
            if (d < best) {
                best = d;
                arg = c;
            }
        }
        return arg;
    }

    static ProductCodes read(QuantizationSpec spec, Metric metric, int dim, int n, int stride, MemorySegment file,
                             MemorySegment body) {
        int subDim = spec.compression() / 4;
        int m = subspaces(spec, dim);
        long centroidBytes = 4L * m * CENTROIDS * subDim;
        if (stride != m || (int) file.get(F32, 36) != subDim || body.byteSize() != centroidBytes + (long) n * m) {
            throw new CorruptFileException("product code file size does not match its header");
        }
        float[] centroids = new float[m * CENTROIDS * subDim];
        MemorySegment.copy(body, F32, 0, centroids, 0, centroids.length);
        return new ProductCodes(spec, metric, dim, n, centroids, section(body, centroidBytes, (long) n * m, spec.alwaysRam()));
    }

    @Override
    public long bytes() {
        return codes.byteSize() + 8L * centroids.length;
    }

    @Override
    public NodeScorer scorer(float[] preparedQuery) {
        float[] q = java.util.Arrays.copyOf(preparedQuery, m * subDim);
        float[] table = new float[m * CENTROIDS];
        // The table is the per-query cost of product codes (m × 256 × subDim terms: 32,768 at
        // d=128, x16). It is filled a dimension at a time over the 256 centroids of a subspace,
        // read from the transposed copy: one contiguous loop per dimension and kind of term,
        // which the JIT compiles to vector instructions.
        for (int s = 0; s < m; s++) {
            int t = s * CENTROIDS;
            for (int j = 0; j < subDim; j++) {
                float x = q[s * subDim + j];
                int col = (s * subDim + j) * CENTROIDS;
                if (metric == Metrics.DOT || metric == Metrics.COSINE) {
                    for (int c = 0; c < CENTROIDS; c++) {
                        table[t + c] -= x * byDimension[col + c]; // −dot: smaller is closer, as the metric's distance
                    }
                } else if (metric == Metrics.MANHATTAN) {
                    for (int c = 0; c < CENTROIDS; c++) {
                        table[t + c] += Math.abs(x - byDimension[col + c]);
                    }
                } else {
                    for (int c = 0; c < CENTROIDS; c++) {
                        float d = x - byDimension[col + c];
                        table[t + c] += d * d;
                    }
                }
            }
        }
        return new Lookup(table, codes, m, metric == Metrics.COSINE ? 1f : 0f);
    }

    /** Distance by table lookups: {@code offset + Σ table[s][code_s]}. */
    private static final class Lookup implements NodeScorer {
        private final float[] table;
        private final MemorySegment codes;
        private final int m;
        private final float offset;

        Lookup(float[] table, MemorySegment codes, int m, float offset) {
            this.table = table;
            this.codes = codes;
            this.m = m;
            this.offset = offset;
        }

        @Override
        public float distance(int node) {
            return offset + sum((long) node * m);
        }

        @Override
        public void distances(int[] nodes, int n, float[] out) {
            for (int i = 0; i < n; i++) {
                out[i] = offset + sum((long) nodes[i] * m);
            }
        }

        /**
         * Σ table[s][code_s] over a vector's codes at {@code base}: eight codes per 64-bit load
         * (one bounds check instead of eight), then the rest one by one.
         */
        private float sum(long base) {
            float d = 0;
            int s = 0;
            for (; s + 8 <= m; s += 8) {
                long w = codes.get(I64, base + s);
                int t = s << 8;
                d += table[t | (int) (w & 0xFF)] + table[t + 256 | (int) (w >>> 8 & 0xFF)]
                        + table[t + 512 | (int) (w >>> 16 & 0xFF)] + table[t + 768 | (int) (w >>> 24 & 0xFF)]
                        + table[t + 1024 | (int) (w >>> 32 & 0xFF)] + table[t + 1280 | (int) (w >>> 40 & 0xFF)]
                        + table[t + 1536 | (int) (w >>> 48 & 0xFF)] + table[t + 1792 | (int) (w >>> 56)];
            }
            for (; s < m; s++) {
                d += table[(s << 8) | (codes.get(ValueLayout.JAVA_BYTE, base + s) & 0xFF)];
            }
            return d;
        }
    }

    @Override
    public void write(WritableByteChannel channel) throws IOException {
        ChecksummedWriter out = new ChecksummedWriter(channel);
        out.write(header(m, spec.compression(), subDim));
        ByteBuffer c = ByteBuffer.allocate(4 * centroids.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : centroids) {
            c.putFloat(v);
        }
        out.write(c.flip());
        out.write(codes);
        out.finish();
    }
}
