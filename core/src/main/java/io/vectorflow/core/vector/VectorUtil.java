package io.vectorflow.core.vector;

import java.lang.foreign.MemorySegment;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one entry point for vector math. The implementation is chosen once, when this class is
 * initialised: the Vector API kernels when the {@code jdk.incubator.vector} module is present
 * (JVM flag {@code --add-modules jdk.incubator.vector}), otherwise the scalar kernels, with a log
 * line that names the missing flag. Setting the system property
 * {@code vectorflow.vectorization=scalar} forces the scalar kernels (used to measure them).
 *
 * <p>Array methods check that dimensions agree; segment methods take the dimension explicitly
 * and leave bounds to the segment itself.
 */
public final class VectorUtil {

    private static final Logger LOG = Logger.getLogger(VectorUtil.class.getName());
    private static final VectorKernels KERNELS = lookup();

    private VectorUtil() {}

    /** The kernels in use (for logs and benchmark reports). */
    public static VectorKernels kernels() {
        return KERNELS;
    }

    /** A new scalar implementation, independent of the one chosen at start-up. */
    public static VectorKernels scalar() {
        return new ScalarKernels();
    }

    /**
     * The Vector API implementation, or {@code null} when the {@code jdk.incubator.vector} module
     * is not available in this JVM.
     */
    public static VectorKernels panamaOrNull() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            return (VectorKernels) Class.forName("io.vectorflow.core.vector.PanamaKernels")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            LOG.log(Level.WARNING, "Vector API present but unusable, using scalar kernels: " + e);
            return null;
        }
    }

    private static VectorKernels lookup() {
        if ("scalar".equalsIgnoreCase(System.getProperty("vectorflow.vectorization", ""))) {
            LOG.info("VectorFlow kernels: scalar (forced by -Dvectorflow.vectorization=scalar)");
            return new ScalarKernels();
        }
        VectorKernels panama = panamaOrNull();
        if (panama == null) {
            LOG.warning("VectorFlow kernels: scalar. The Vector API is not enabled; start the JVM with "
                    + "--add-modules jdk.incubator.vector for SIMD distance kernels (several times faster).");
            return new ScalarKernels();
        }
        LOG.info("VectorFlow kernels: " + panama.name() + " (Vector API)");
        return panama;
    }

    private static void checkSameLength(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vector dimensions differ: " + a.length + " != " + b.length);
        }
    }

    public static float dotProduct(float[] a, float[] b) {
        checkSameLength(a, b);
        return KERNELS.dotProduct(a, b);
    }

    public static float squareDistance(float[] a, float[] b) {
        checkSameLength(a, b);
        return KERNELS.squareDistance(a, b);
    }

    public static float cosine(float[] a, float[] b) {
        checkSameLength(a, b);
        return KERNELS.cosine(a, b);
    }

    public static float l1Distance(float[] a, float[] b) {
        checkSameLength(a, b);
        return KERNELS.l1Distance(a, b);
    }

    public static float dotProduct(float[] q, MemorySegment data, long offset, int dim) {
        assert q.length >= dim;
        return KERNELS.dotProduct(q, data, offset, dim);
    }

    public static float squareDistance(float[] q, MemorySegment data, long offset, int dim) {
        assert q.length >= dim;
        return KERNELS.squareDistance(q, data, offset, dim);
    }

    public static float l1Distance(float[] q, MemorySegment data, long offset, int dim) {
        assert q.length >= dim;
        return KERNELS.l1Distance(q, data, offset, dim);
    }

    public static float dotProduct(MemorySegment data, long aOffset, long bOffset, int dim) {
        return KERNELS.dotProduct(data, aOffset, bOffset, dim);
    }

    public static float squareDistance(MemorySegment data, long aOffset, long bOffset, int dim) {
        return KERNELS.squareDistance(data, aOffset, bOffset, dim);
    }

    public static float l1Distance(MemorySegment data, long aOffset, long bOffset, int dim) {
        return KERNELS.l1Distance(data, aOffset, bOffset, dim);
    }

    /** Σ q[i]·c[i] over int8 codes ({@link VectorKernels#dotProductI8}). */
    public static int dotProductI8(byte[] q, MemorySegment data, long offset, int dim) {
        return KERNELS.dotProductI8(q, data, offset, dim);
    }

    /** Σ (q[i] − c[i])² over int8 codes. */
    public static int squareDistanceI8(byte[] q, MemorySegment data, long offset, int dim) {
        return KERNELS.squareDistanceI8(q, data, offset, dim);
    }

    /** Σ |q[i] − c[i]| over int8 codes. */
    public static int l1DistanceI8(byte[] q, MemorySegment data, long offset, int dim) {
        return KERNELS.l1DistanceI8(q, data, offset, dim);
    }

    /** Scales {@code v} in place to unit length; a zero vector is left as it is. */
    public static void normalize(float[] v) {
        float norm = (float) Math.sqrt(KERNELS.dotProduct(v, v));
        if (norm > 0f && norm != 1f) {
            float inv = 1f / norm;
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
        }
    }
}
