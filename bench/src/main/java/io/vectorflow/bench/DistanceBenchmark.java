package io.vectorflow.bench;

import io.vectorflow.core.vector.VectorKernels;
import io.vectorflow.core.vector.VectorUtil;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
 * Distance kernels, ns per call: VectorFlow's scalar and SIMD kernels against Lucene's
 * {@code VectorUtil} (which uses the Vector API too when the module is enabled), in one run.
 *
 * <pre>java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar DistanceBenchmark</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class DistanceBenchmark {

    @Param({"128", "768", "1536"})
    int dim;

    float[] a;
    float[] b;
    MemorySegment segment;
    VectorKernels scalar;
    VectorKernels simd;

    @Setup
    public void setup() {
        Random rnd = new Random(42);
        a = new float[dim];
        b = new float[dim];
        for (int i = 0; i < dim; i++) {
            a[i] = (float) rnd.nextGaussian();
            b[i] = (float) rnd.nextGaussian();
        }
        segment = Arena.ofAuto().allocate(4L * dim, 64);
        MemorySegment.copy(b, 0, segment, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, dim);
        scalar = VectorUtil.scalar();
        simd = VectorUtil.panamaOrNull();
        if (simd == null) {
            throw new IllegalStateException("run with --add-modules jdk.incubator.vector");
        }
    }

    @Benchmark
    public float dotScalar() {
        return scalar.dotProduct(a, b);
    }

    @Benchmark
    public float dotSimd() {
        return simd.dotProduct(a, b);
    }

    @Benchmark
    public float dotSimdSegment() {
        return simd.dotProduct(a, segment, 0, dim);
    }

    @Benchmark
    public float dotLucene() {
        return org.apache.lucene.util.VectorUtil.dotProduct(a, b);
    }

    @Benchmark
    public float squareDistanceScalar() {
        return scalar.squareDistance(a, b);
    }

    @Benchmark
    public float squareDistanceSimd() {
        return simd.squareDistance(a, b);
    }

    @Benchmark
    public float squareDistanceSimdSegment() {
        return simd.squareDistance(a, segment, 0, dim);
    }

    @Benchmark
    public float squareDistanceLucene() {
        return org.apache.lucene.util.VectorUtil.squareDistance(a, b);
    }

    @Benchmark
    public float cosineSimd() {
        return simd.cosine(a, b);
    }

    @Benchmark
    public float cosineLucene() {
        return org.apache.lucene.util.VectorUtil.cosine(a, b);
    }
}
