package io.vectorflow.bench;

import io.vectorflow.core.hnsw.NodeScorer;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.quant.QuantizationSpec;
import io.vectorflow.core.quant.QuantizedVectors;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.core.vector.VectorKernels;
import io.vectorflow.core.vector.VectorUtil;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One distance on quantized codes, ns per call, against the float kernel and Lucene 10.3.1's byte
 * kernels in the same run: the raw int8 kernels over off-heap codes (VectorFlow) and over
 * {@code byte[]} (Lucene's {@code VectorUtil.dotProduct} on 7-bit codes, what its int7 scorer
 * calls, and {@code squareDistance} on bytes), then a whole scorer call as a graph walk makes it
 * (codes plus per-vector correction) for float, int8, binary and product (x16) codes, and the
 * per-query table of product codes, cycling through 4,096
 * stored vectors so that loads come from the cache hierarchy as in a search.
 *
 * <pre>./vectorflow jmh CodesBenchmark</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CodesBenchmark {

    private static final int VECTORS = 4096;

    @Param({"128", "768"})
    int dim;

    float[] query;
    MemorySegment floats;
    byte[] q8;
    MemorySegment codes8;
    byte[] a7;
    byte[] b7;
    VectorKernels simd;
    VectorStore store;
    NodeScorer int8;
    NodeScorer binary;
    NodeScorer product;
    QuantizedVectors productCodes;
    Metric metric = Metrics.EUCLIDEAN;
    int next;

    @Setup
    public void setup() {
        Random rnd = new Random(42);
        simd = VectorUtil.panamaOrNull();
        if (simd == null) {
            throw new IllegalStateException("run with --add-modules jdk.incubator.vector");
        }
        query = new float[dim];
        q8 = new byte[dim];
        a7 = new byte[dim];
        b7 = new byte[dim];
        for (int i = 0; i < dim; i++) {
            query[i] = (float) rnd.nextGaussian();
            q8[i] = (byte) (rnd.nextInt(256) - 128);
            a7[i] = (byte) rnd.nextInt(128);
            b7[i] = (byte) rnd.nextInt(128);
        }
        codes8 = Arena.ofAuto().allocate(dim, 64);
        for (int i = 0; i < dim; i++) {
            codes8.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (rnd.nextInt(256) - 128));
        }
        store = VectorStore.allocate(dim, VECTORS);
        float[] v = new float[dim];
        for (int n = 0; n < VECTORS; n++) {
            for (int i = 0; i < dim; i++) {
                v[i] = (float) rnd.nextGaussian();
            }
            store.append(v);
        }
        floats = store.segment();
        int8 = QuantizedVectors.build(new QuantizationSpec(QuantizationSpec.Scheme.INT8, 0.99f, true), metric, store, VECTORS)
                .scorer(query);
        binary = QuantizedVectors.build(new QuantizationSpec(QuantizationSpec.Scheme.BINARY, 0.99f, true), metric, store, VECTORS)
                .scorer(query);
        productCodes = QuantizedVectors.build(new QuantizationSpec(QuantizationSpec.Scheme.PRODUCT, 0.99f, true, 16), metric, store,
                VECTORS);
        product = productCodes.scorer(query);
    }

    private int nextNode() {
        next = (next + 1) & (VECTORS - 1);
        return next;
    }

    @Benchmark
    public float floatSquareDistanceSegment() {
        return simd.squareDistance(query, floats, 0, dim);
    }

    @Benchmark
    public int int8DotSegment() {
        return simd.dotProductI8(q8, codes8, 0, dim);
    }

    @Benchmark
    public int int8SquareDistanceSegment() {
        return simd.squareDistanceI8(q8, codes8, 0, dim);
    }

    @Benchmark
    public int luceneInt7Dot() {
        return org.apache.lucene.util.VectorUtil.dotProduct(a7, b7);
    }

    @Benchmark
    public int luceneInt8SquareDistance() {
        return org.apache.lucene.util.VectorUtil.squareDistance(a7, b7);
    }

    @Benchmark
    public float walkFloat() {
        int n = nextNode();
        return metric.distance(query, floats, store.offset(n), dim);
    }

    @Benchmark
    public float walkInt8() {
        return int8.distance(nextNode());
    }

    @Benchmark
    public float walkBinary() {
        return binary.distance(nextNode());
    }

    @Benchmark
    public float walkProduct() {
        return product.distance(nextNode());
    }

    /** A query's distance table for product codes (x16): what each search pays per segment first. */
    @Benchmark
    public NodeScorer productScorer() {
        return productCodes.scorer(query);
    }
}
