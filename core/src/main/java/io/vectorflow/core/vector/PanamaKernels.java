package io.vectorflow.core.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels on the JDK Vector API, at the widest species the CPU offers (16 floats with
 * AVX-512, 8 with AVX2).
 *
 * <p>Every kernel has the same shape: a main loop unrolled over four independent accumulators
 * (so consecutive fused multiply-adds do not wait on each other's latency), a one-vector tail
 * loop, a single reduction across lanes, then a scalar tail for the last {@code dim % lanes}
 * values. Loads from a {@link MemorySegment} read little-endian floats in place, so mapped and
 * off-heap vectors are never copied.
 *
 * <p>This class is loaded by name from {@link VectorUtil}; nothing else may reference it, so the
 * rest of the code runs without {@code jdk.incubator.vector}.
 */
public final class PanamaKernels extends VectorKernels {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int UNROLL = 4 * LANES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final int INT_LANES = INTS.length();
    /** Bytes loaded per int vector: as many lanes as {@link #INTS}. */
    private static final VectorSpecies<Byte> CODES = VectorSpecies.of(byte.class, VectorShape.forBitSize(INT_LANES * 8));

    PanamaKernels() {
        if (LANES < 4) {
            throw new UnsupportedOperationException("preferred float species has only " + LANES + " lanes");
        }
    }

    @Override
    public String name() {
        return "panama-" + SPECIES.vectorBitSize();
    }

    // ---- float[] x float[] -------------------------------------------------------------------

    @Override
    public float dotProduct(float[] a, float[] b) {
        int n = a.length, i = 0;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (; i < n - UNROLL + 1; i += UNROLL) {
            s0 = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, b, i), s0);
            s1 = FloatVector.fromArray(SPECIES, a, i + LANES).fma(FloatVector.fromArray(SPECIES, b, i + LANES), s1);
            s2 = FloatVector.fromArray(SPECIES, a, i + 2 * LANES).fma(FloatVector.fromArray(SPECIES, b, i + 2 * LANES), s2);
            s3 = FloatVector.fromArray(SPECIES, a, i + 3 * LANES).fma(FloatVector.fromArray(SPECIES, b, i + 3 * LANES), s3);
        }
        for (; i < n - LANES + 1; i += LANES) {
            s0 = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, b, i), s0);
        }
        float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum = Math.fma(a[i], b[i], sum);
        }
        return sum;
    }

    @Override
    public float squareDistance(float[] a, float[] b) {
        int n = a.length, i = 0;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (; i < n - UNROLL + 1; i += UNROLL) {
            FloatVector d0 = FloatVector.fromArray(SPECIES, a, i).sub(FloatVector.fromArray(SPECIES, b, i));
            FloatVector d1 = FloatVector.fromArray(SPECIES, a, i + LANES).sub(FloatVector.fromArray(SPECIES, b, i + LANES));
            FloatVector d2 = FloatVector.fromArray(SPECIES, a, i + 2 * LANES).sub(FloatVector.fromArray(SPECIES, b, i + 2 * LANES));
            FloatVector d3 = FloatVector.fromArray(SPECIES, a, i + 3 * LANES).sub(FloatVector.fromArray(SPECIES, b, i + 3 * LANES));
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
            s2 = d2.fma(d2, s2);
            s3 = d3.fma(d3, s3);
        }
        for (; i < n - LANES + 1; i += LANES) {
            FloatVector d = FloatVector.fromArray(SPECIES, a, i).sub(FloatVector.fromArray(SPECIES, b, i));
            s0 = d.fma(d, s0);
        }
        float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float d = a[i] - b[i];
            sum = Math.fma(d, d, sum);
        }
        return sum;
    }

    @Override
    public float cosine(float[] a, float[] b) {
        int n = a.length, i = 0;
        FloatVector dot0 = FloatVector.zero(SPECIES), dot1 = dot0, na0 = dot0, na1 = dot0, nb0 = dot0, nb1 = dot0;
        for (; i < n - 2 * LANES + 1; i += 2 * LANES) {
            FloatVector a0 = FloatVector.fromArray(SPECIES, a, i), b0 = FloatVector.fromArray(SPECIES, b, i);
            FloatVector a1 = FloatVector.fromArray(SPECIES, a, i + LANES), b1 = FloatVector.fromArray(SPECIES, b, i + LANES);
            dot0 = a0.fma(b0, dot0);
            dot1 = a1.fma(b1, dot1);
            na0 = a0.fma(a0, na0);
            na1 = a1.fma(a1, na1);
            nb0 = b0.fma(b0, nb0);
            nb1 = b1.fma(b1, nb1);
        }
        for (; i < n - LANES + 1; i += LANES) {
            FloatVector a0 = FloatVector.fromArray(SPECIES, a, i), b0 = FloatVector.fromArray(SPECIES, b, i);
            dot0 = a0.fma(b0, dot0);
            na0 = a0.fma(a0, na0);
            nb0 = b0.fma(b0, nb0);
        }
        float dot = dot0.add(dot1).reduceLanes(VectorOperators.ADD);
        float na = na0.add(na1).reduceLanes(VectorOperators.ADD);
        float nb = nb0.add(nb1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            dot = Math.fma(a[i], b[i], dot);
            na = Math.fma(a[i], a[i], na);
            nb = Math.fma(b[i], b[i], nb);
        }
        return cosineFrom(dot, na, nb);
    }

    @Override
    public float l1Distance(float[] a, float[] b) {
        int n = a.length, i = 0;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (; i < n - UNROLL + 1; i += UNROLL) {
            s0 = s0.add(FloatVector.fromArray(SPECIES, a, i).sub(FloatVector.fromArray(SPECIES, b, i)).abs());
            s1 = s1.add(FloatVector.fromArray(SPECIES, a, i + LANES).sub(FloatVector.fromArray(SPECIES, b, i + LANES)).abs());
            s2 = s2.add(FloatVector.fromArray(SPECIES, a, i + 2 * LANES).sub(FloatVector.fromArray(SPECIES, b, i + 2 * LANES)).abs());
            s3 = s3.add(FloatVector.fromArray(SPECIES, a, i + 3 * LANES).sub(FloatVector.fromArray(SPECIES, b, i + 3 * LANES)).abs());
        }
        for (; i < n - LANES + 1; i += LANES) {
            s0 = s0.add(FloatVector.fromArray(SPECIES, a, i).sub(FloatVector.fromArray(SPECIES, b, i)).abs());
        }
        float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum;
    }

    // ---- float[] x MemorySegment (the search hot path: query against stored vectors) ---------

    // Every load is written out as FloatVector.fromMemorySegment at its use, never through a small
    // helper method: once C2 has compiled such a helper on its own it refuses to inline it ("already
    // compiled into a medium method"), and a vector returned from a call that is not inlined is a
    // boxed heap object, so every distance would allocate (seen as 200 KB per query).

    @Override
    public float dotProduct(float[] q, MemorySegment data, long offset, int dim) {
        int i = 0;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (; i < dim - UNROLL + 1; i += UNROLL) {
            s0 = FloatVector.fromArray(SPECIES, q, i).fma(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * i, LE), s0);
            s1 = FloatVector.fromArray(SPECIES, q, i + LANES).fma(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * (i + LANES), LE), s1);
            s2 = FloatVector.fromArray(SPECIES, q, i + 2 * LANES).fma(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * (i + 2 * LANES), LE), s2);
            s3 = FloatVector.fromArray(SPECIES, q, i + 3 * LANES).fma(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * (i + 3 * LANES), LE), s3);
        }
        for (; i < dim - LANES + 1; i += LANES) {
            s0 = FloatVector.fromArray(SPECIES, q, i).fma(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * i, LE), s0);
        }
        float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            sum = Math.fma(q[i], data.get(ScalarKernels.FLOAT_LE, offset + 4L * i), sum);
        }
        return sum;
    }

    @Override
    public float squareDistance(float[] q, MemorySegment data, long offset, int dim) {
        int i = 0;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (; i < dim - UNROLL + 1; i += UNROLL) {
            FloatVector d0 = FloatVector.fromArray(SPECIES, q, i).sub(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * i, LE));
            FloatVector d1 = FloatVector.fromArray(SPECIES, q, i + LANES).sub(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * (i + LANES), LE));
            FloatVector d2 = FloatVector.fromArray(SPECIES, q, i + 2 * LANES).sub(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * (i + 2 * LANES), LE));
            FloatVector d3 = FloatVector.fromArray(SPECIES, q, i + 3 * LANES).sub(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * (i + 3 * LANES), LE));
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
            s2 = d2.fma(d2, s2);
            s3 = d3.fma(d3, s3);
        }
        for (; i < dim - LANES + 1; i += LANES) {
            FloatVector d = FloatVector.fromArray(SPECIES, q, i).sub(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * i, LE));
            s0 = d.fma(d, s0);
        }
        float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            float d = q[i] - data.get(ScalarKernels.FLOAT_LE, offset + 4L * i);
            sum = Math.fma(d, d, sum);
        }
        return sum;
    }

    @Override
    public float l1Distance(float[] q, MemorySegment data, long offset, int dim) {
        int i = 0;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0;
        for (; i < dim - 2 * LANES + 1; i += 2 * LANES) {
            s0 = s0.add(FloatVector.fromArray(SPECIES, q, i).sub(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * i, LE)).abs());
            s1 = s1.add(FloatVector.fromArray(SPECIES, q, i + LANES).sub(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * (i + LANES), LE)).abs());
        }
        for (; i < dim - LANES + 1; i += LANES) {
            s0 = s0.add(FloatVector.fromArray(SPECIES, q, i).sub(FloatVector.fromMemorySegment(SPECIES, data, offset + 4L * i, LE)).abs());
        }
        float sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            sum += Math.abs(q[i] - data.get(ScalarKernels.FLOAT_LE, offset + 4L * i));
        }
        return sum;
    }

    // ---- MemorySegment x MemorySegment (graph construction: stored node against stored node) --

    @Override
    public float dotProduct(MemorySegment data, long aOffset, long bOffset, int dim) {
        int i = 0;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0;
        for (; i < dim - 2 * LANES + 1; i += 2 * LANES) {
            s0 = FloatVector.fromMemorySegment(SPECIES, data, aOffset + 4L * i, LE).fma(FloatVector.fromMemorySegment(SPECIES, data, bOffset + 4L * i, LE), s0);
            s1 = FloatVector.fromMemorySegment(SPECIES, data, aOffset + 4L * (i + LANES), LE).fma(FloatVector.fromMemorySegment(SPECIES, data, bOffset + 4L * (i + LANES), LE), s1);
        }
        for (; i < dim - LANES + 1; i += LANES) {
            s0 = FloatVector.fromMemorySegment(SPECIES, data, aOffset + 4L * i, LE).fma(FloatVector.fromMemorySegment(SPECIES, data, bOffset + 4L * i, LE), s0);
        }
        float sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            sum = Math.fma(data.get(ScalarKernels.FLOAT_LE, aOffset + 4L * i),
                    data.get(ScalarKernels.FLOAT_LE, bOffset + 4L * i), sum);
        }
        return sum;
    }

    @Override
    public float squareDistance(MemorySegment data, long aOffset, long bOffset, int dim) {
        int i = 0;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0;
        for (; i < dim - 2 * LANES + 1; i += 2 * LANES) {
            FloatVector d0 = FloatVector.fromMemorySegment(SPECIES, data, aOffset + 4L * i, LE).sub(FloatVector.fromMemorySegment(SPECIES, data, bOffset + 4L * i, LE));
            FloatVector d1 = FloatVector.fromMemorySegment(SPECIES, data, aOffset + 4L * (i + LANES), LE).sub(FloatVector.fromMemorySegment(SPECIES, data, bOffset + 4L * (i + LANES), LE));
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
        }
        for (; i < dim - LANES + 1; i += LANES) {
            FloatVector d = FloatVector.fromMemorySegment(SPECIES, data, aOffset + 4L * i, LE).sub(FloatVector.fromMemorySegment(SPECIES, data, bOffset + 4L * i, LE));
            s0 = d.fma(d, s0);
        }
        float sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            float d = data.get(ScalarKernels.FLOAT_LE, aOffset + 4L * i) - data.get(ScalarKernels.FLOAT_LE, bOffset + 4L * i);
            sum = Math.fma(d, d, sum);
        }
        return sum;
    }

    @Override
    public float l1Distance(MemorySegment data, long aOffset, long bOffset, int dim) {
        int i = 0;
        FloatVector s0 = FloatVector.zero(SPECIES);
        for (; i < dim - LANES + 1; i += LANES) {
            s0 = s0.add(FloatVector.fromMemorySegment(SPECIES, data, aOffset + 4L * i, LE).sub(FloatVector.fromMemorySegment(SPECIES, data, bOffset + 4L * i, LE)).abs());
        }
        float sum = s0.reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            sum += Math.abs(data.get(ScalarKernels.FLOAT_LE, aOffset + 4L * i) - data.get(ScalarKernels.FLOAT_LE, bOffset + 4L * i));
        }
        return sum;
    }

    // ---- int8 codes ---------------------------------------------------------------------------

    // Bytes are widened to int lanes (B2I: one vpmovsxbd per load) and multiplied there: a product
    // of two signed bytes fits a short, but the sum of two does not, so narrower accumulation
    // would need 7-bit codes. The byte species has as many lanes as the preferred int species (16
    // bytes feeding 16 int lanes with AVX-512, 8 with AVX2). Two accumulators: the loads, not the
    // adds, bound this loop.

    @Override
    public int dotProductI8(byte[] q, MemorySegment data, long offset, int dim) {
        int i = 0;
        IntVector s0 = IntVector.zero(INTS), s1 = s0;
        for (; i < dim - 2 * INT_LANES + 1; i += 2 * INT_LANES) {
            IntVector a0 = (IntVector) ByteVector.fromArray(CODES, q, i).convertShape(VectorOperators.B2I, INTS, 0);
            IntVector b0 = (IntVector) ByteVector.fromMemorySegment(CODES, data, offset + i, LE).convertShape(VectorOperators.B2I, INTS, 0);
            IntVector a1 = (IntVector) ByteVector.fromArray(CODES, q, i + INT_LANES).convertShape(VectorOperators.B2I, INTS, 0);
            IntVector b1 = (IntVector) ByteVector.fromMemorySegment(CODES, data, offset + i + INT_LANES, LE)
                    .convertShape(VectorOperators.B2I, INTS, 0);
            s0 = a0.mul(b0).add(s0);
            s1 = a1.mul(b1).add(s1);
        }
        for (; i < dim - INT_LANES + 1; i += INT_LANES) {
            IntVector a0 = (IntVector) ByteVector.fromArray(CODES, q, i).convertShape(VectorOperators.B2I, INTS, 0);
            IntVector b0 = (IntVector) ByteVector.fromMemorySegment(CODES, data, offset + i, LE).convertShape(VectorOperators.B2I, INTS, 0);
            s0 = a0.mul(b0).add(s0);
        }
        int sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            sum += q[i] * data.get(ValueLayout.JAVA_BYTE, offset + i);
        }
        return sum;
    }

    @Override
    public int squareDistanceI8(byte[] q, MemorySegment data, long offset, int dim) {
        int i = 0;
        IntVector s0 = IntVector.zero(INTS), s1 = s0;
        for (; i < dim - 2 * INT_LANES + 1; i += 2 * INT_LANES) {
            IntVector d0 = ((IntVector) ByteVector.fromArray(CODES, q, i).convertShape(VectorOperators.B2I, INTS, 0))
                    .sub((IntVector) ByteVector.fromMemorySegment(CODES, data, offset + i, LE).convertShape(VectorOperators.B2I, INTS, 0));
            IntVector d1 = ((IntVector) ByteVector.fromArray(CODES, q, i + INT_LANES).convertShape(VectorOperators.B2I, INTS, 0))
                    .sub((IntVector) ByteVector.fromMemorySegment(CODES, data, offset + i + INT_LANES, LE)
                            .convertShape(VectorOperators.B2I, INTS, 0));
            s0 = d0.mul(d0).add(s0);
            s1 = d1.mul(d1).add(s1);
        }
        for (; i < dim - INT_LANES + 1; i += INT_LANES) {
            IntVector d0 = ((IntVector) ByteVector.fromArray(CODES, q, i).convertShape(VectorOperators.B2I, INTS, 0))
                    .sub((IntVector) ByteVector.fromMemorySegment(CODES, data, offset + i, LE).convertShape(VectorOperators.B2I, INTS, 0));
            s0 = d0.mul(d0).add(s0);
        }
        int sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            int d = q[i] - data.get(ValueLayout.JAVA_BYTE, offset + i);
            sum += d * d;
        }
        return sum;
    }

    @Override
    public int l1DistanceI8(byte[] q, MemorySegment data, long offset, int dim) {
        int i = 0;
        IntVector s0 = IntVector.zero(INTS);
        for (; i < dim - INT_LANES + 1; i += INT_LANES) {
            IntVector d0 = ((IntVector) ByteVector.fromArray(CODES, q, i).convertShape(VectorOperators.B2I, INTS, 0))
                    .sub((IntVector) ByteVector.fromMemorySegment(CODES, data, offset + i, LE).convertShape(VectorOperators.B2I, INTS, 0));
            s0 = d0.abs().add(s0);
        }
        int sum = s0.reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            sum += Math.abs(q[i] - data.get(ValueLayout.JAVA_BYTE, offset + i));
        }
        return sum;
    }
}
