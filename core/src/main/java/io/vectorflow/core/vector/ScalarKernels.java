package io.vectorflow.core.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Plain-Java kernels: the fallback when the Vector API is not available, and the reference the
 * SIMD kernels are tested against. Loops are kept simple (one accumulator, in index order) so the
 * result is the textbook float sum; HotSpot may still auto-vectorize parts of them.
 */
public final class ScalarKernels extends VectorKernels {

    static final ValueLayout.OfFloat FLOAT_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public float dotProduct(float[] a, float[] b) {
        float sum = 0f;
        for (int i = 0; i < a.length; i++) {
            sum = Math.fma(a[i], b[i], sum);
        }
        return sum;
    }

    @Override
    public float squareDistance(float[] a, float[] b) {
        float sum = 0f;
        for (int i = 0; i < a.length; i++) {
            float d = a[i] - b[i];
            sum = Math.fma(d, d, sum);
        }
        return sum;
    }

    @Override
    public float cosine(float[] a, float[] b) {
        float dot = 0f, na = 0f, nb = 0f;
        for (int i = 0; i < a.length; i++) {
            dot = Math.fma(a[i], b[i], dot);
            na = Math.fma(a[i], a[i], na);
            nb = Math.fma(b[i], b[i], nb);
        }
        return cosineFrom(dot, na, nb);
    }

    @Override
    public float l1Distance(float[] a, float[] b) {
        float sum = 0f;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum;
    }

    @Override
    public float dotProduct(float[] q, MemorySegment data, long offset, int dim) {
        float sum = 0f;
        for (int i = 0; i < dim; i++) {
            sum = Math.fma(q[i], data.get(FLOAT_LE, offset + 4L * i), sum);
        }
        return sum;
    }

    @Override
    public float squareDistance(float[] q, MemorySegment data, long offset, int dim) {
        float sum = 0f;
        for (int i = 0; i < dim; i++) {
            float d = q[i] - data.get(FLOAT_LE, offset + 4L * i);
            sum = Math.fma(d, d, sum);
        }
        return sum;
    }

    @Override
    public float l1Distance(float[] q, MemorySegment data, long offset, int dim) {
        float sum = 0f;
        for (int i = 0; i < dim; i++) {
            sum += Math.abs(q[i] - data.get(FLOAT_LE, offset + 4L * i));
        }
        return sum;
    }

    @Override
    public float dotProduct(MemorySegment data, long aOffset, long bOffset, int dim) {
        float sum = 0f;
        for (int i = 0; i < dim; i++) {
            sum = Math.fma(data.get(FLOAT_LE, aOffset + 4L * i), data.get(FLOAT_LE, bOffset + 4L * i), sum);
        }
        return sum;
    }

    @Override
    public float squareDistance(MemorySegment data, long aOffset, long bOffset, int dim) {
        float sum = 0f;
        for (int i = 0; i < dim; i++) {
            float d = data.get(FLOAT_LE, aOffset + 4L * i) - data.get(FLOAT_LE, bOffset + 4L * i);
            sum = Math.fma(d, d, sum);
        }
        return sum;
    }

    @Override
    public float l1Distance(MemorySegment data, long aOffset, long bOffset, int dim) {
        float sum = 0f;
        for (int i = 0; i < dim; i++) {
            sum += Math.abs(data.get(FLOAT_LE, aOffset + 4L * i) - data.get(FLOAT_LE, bOffset + 4L * i));
        }
        return sum;
    }

    // ---- int8 codes ---------------------------------------------------------------------------

    @Override
    public int dotProductI8(byte[] q, MemorySegment data, long offset, int dim) {
        int sum = 0;
        for (int i = 0; i < dim; i++) {
            sum += q[i] * data.get(ValueLayout.JAVA_BYTE, offset + i);
        }
        return sum;
    }

    @Override
    public int squareDistanceI8(byte[] q, MemorySegment data, long offset, int dim) {
        int sum = 0;
        for (int i = 0; i < dim; i++) {
            int d = q[i] - data.get(ValueLayout.JAVA_BYTE, offset + i);
            sum += d * d;
        }
        return sum;
    }

    @Override
    public int l1DistanceI8(byte[] q, MemorySegment data, long offset, int dim) {
        int sum = 0;
        for (int i = 0; i < dim; i++) {
            sum += Math.abs(q[i] - data.get(ValueLayout.JAVA_BYTE, offset + i));
        }
        return sum;
    }
}
