package io.vectorflow.core.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VectorKernelsTest {

    private static final boolean EXPECT_SCALAR = Boolean.getBoolean("vectorflow.test.expectScalar");
    private static final ValueLayout.OfFloat LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void providerMatchesTheJvmFlags() {
        if (EXPECT_SCALAR) {
            assertThat(VectorUtil.panamaOrNull()).isNull();
            assertThat(VectorUtil.kernels()).isInstanceOf(ScalarKernels.class);
        } else {
            assertThat(VectorUtil.kernels().name()).startsWith("panama-");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 127, 1021, 1536})
    void simdMatchesScalarOnAwkwardDimensions(int dim) {
        VectorKernels panama = VectorUtil.panamaOrNull();
        assumeTrue(panama != null, "Vector API not enabled in this run");
        VectorKernels scalar = VectorUtil.scalar();
        Random rnd = new Random(dim);
        for (int round = 0; round < 20; round++) {
            float[] a = random(rnd, dim);
            float[] b = random(rnd, dim);
            // Float sums in a different order differ by rounding: allow a relative tolerance.
            float tol = 1e-4f * dim;
            assertThat(panama.dotProduct(a, b)).isCloseTo(scalar.dotProduct(a, b), within(tol));
            assertThat(panama.squareDistance(a, b)).isCloseTo(scalar.squareDistance(a, b), within(tol));
            assertThat(panama.l1Distance(a, b)).isCloseTo(scalar.l1Distance(a, b), within(tol));
            assertThat(panama.cosine(a, b)).isCloseTo(scalar.cosine(a, b), within(1e-4f));

            try (Arena arena = Arena.ofConfined()) {
                // Two vectors at odd offsets in one segment: kernels must not assume alignment.
                long offA = 4, offB = 4 + 4L * dim + 8;
                MemorySegment seg = arena.allocate(offB + 4L * dim + 4);
                MemorySegment.copy(a, 0, seg, LE, offA, dim);
                MemorySegment.copy(b, 0, seg, LE, offB, dim);
                assertThat(panama.dotProduct(a, seg, offB, dim)).isCloseTo(scalar.dotProduct(a, b), within(tol));
                assertThat(panama.squareDistance(a, seg, offB, dim)).isCloseTo(scalar.squareDistance(a, b), within(tol));
                assertThat(panama.l1Distance(a, seg, offB, dim)).isCloseTo(scalar.l1Distance(a, b), within(tol));
                assertThat(panama.dotProduct(seg, offA, offB, dim)).isCloseTo(scalar.dotProduct(a, b), within(tol));
                assertThat(panama.squareDistance(seg, offA, offB, dim)).isCloseTo(scalar.squareDistance(a, b), within(tol));
                assertThat(panama.l1Distance(seg, offA, offB, dim)).isCloseTo(scalar.l1Distance(a, b), within(tol));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 127, 1021})
    void activeKernelsAgreeWithTextbookDefinitions(int dim) {
        Random rnd = new Random(31 + dim);
        float[] a = random(rnd, dim);
        float[] b = random(rnd, dim);
        double dot = 0, l2 = 0, l1 = 0, na = 0, nb = 0;
        for (int i = 0; i < dim; i++) {
            dot += (double) a[i] * b[i];
            l2 += (double) (a[i] - b[i]) * (a[i] - b[i]);
            l1 += Math.abs((double) a[i] - b[i]);
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        double tol = 1e-4 * dim;
        assertThat((double) VectorUtil.dotProduct(a, b)).isCloseTo(dot, within(tol));
        assertThat((double) VectorUtil.squareDistance(a, b)).isCloseTo(l2, within(tol));
        assertThat((double) VectorUtil.l1Distance(a, b)).isCloseTo(l1, within(tol));
        assertThat((double) VectorUtil.cosine(a, b)).isCloseTo(dot / Math.sqrt(na * nb), within(1e-4));
    }

    @Test
    void cosineOfZeroVectorIsZeroAndNormalizeLeavesItAlone() {
        float[] zero = new float[5];
        assertThat(VectorUtil.cosine(zero, new float[] {1, 2, 3, 4, 5})).isZero();
        VectorUtil.normalize(zero);
        assertThat(zero).containsOnly(0f);
        float[] v = {3, 4};
        VectorUtil.normalize(v);
        assertThat(v).containsExactly(0.6f, 0.8f);
    }

    @Test
    void mismatchedDimensionsAreRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VectorUtil.dotProduct(new float[3], new float[4]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 != 4");
    }

    static float[] random(Random rnd, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
