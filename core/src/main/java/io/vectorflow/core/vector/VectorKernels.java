package io.vectorflow.core.vector;

import java.lang.foreign.MemorySegment;

/**
 * The distance kernels every search goes through. Two implementations exist: {@link ScalarKernels}
 * (plain Java loops, always available) and {@code PanamaKernels} (JDK Vector API, needs
 * {@code --add-modules jdk.incubator.vector}). {@link VectorUtil} picks one at start-up.
 *
 * <p>Vectors stored in a {@link MemorySegment} are little-endian float32, {@code dim} values
 * starting at a byte offset; callers check bounds once at their boundary, kernels only assert.
 */
public abstract sealed class VectorKernels permits ScalarKernels, PanamaKernels {

    /** Short name for logs and benchmark reports ("scalar", "panama-512"). */
    public abstract String name();

    public abstract float dotProduct(float[] a, float[] b);

    public abstract float squareDistance(float[] a, float[] b);

    /** Cosine similarity; 0 when either vector has zero norm. */
    public abstract float cosine(float[] a, float[] b);

    /** Sum of absolute differences (Manhattan distance). */
    public abstract float l1Distance(float[] a, float[] b);

    public abstract float dotProduct(float[] q, MemorySegment data, long offset, int dim);

    public abstract float squareDistance(float[] q, MemorySegment data, long offset, int dim);

    public abstract float l1Distance(float[] q, MemorySegment data, long offset, int dim);

    public abstract float dotProduct(MemorySegment data, long aOffset, long bOffset, int dim);

    public abstract float squareDistance(MemorySegment data, long aOffset, long bOffset, int dim);

    public abstract float l1Distance(MemorySegment data, long aOffset, long bOffset, int dim);

    // ---- int8 codes (scalar quantization): byte[] query codes x codes in a MemorySegment ------

    /** Σ q[i]·c[i] over {@code dim} signed bytes: the query's codes against the codes at {@code offset}. */
    public abstract int dotProductI8(byte[] q, MemorySegment data, long offset, int dim);

    /** Σ (q[i] − c[i])² over {@code dim} signed bytes. */
    public abstract int squareDistanceI8(byte[] q, MemorySegment data, long offset, int dim);

    /** Σ |q[i] − c[i]| over {@code dim} signed bytes. */
    public abstract int l1DistanceI8(byte[] q, MemorySegment data, long offset, int dim);

    static float cosineFrom(float dot, float normA, float normB) {
        float denom = (float) Math.sqrt((double) normA * (double) normB);
        return denom == 0f ? 0f : dot / denom;
    }
}
