package io.vectorflow.core.metric;

import java.lang.foreign.MemorySegment;

/**
 * A way of comparing vectors. The index only ever asks for a <em>distance</em> where lower means
 * closer, so adding a metric means implementing this interface and registering it with
 * {@link Metrics#register}; no index code changes.
 *
 * <p>Implementations are small final classes whose methods call straight into
 * {@link io.vectorflow.core.vector.VectorUtil}, so a search loop that sees one metric compiles to
 * a direct, inlined kernel call.
 */
public interface Metric {

    /** Registry name, lower case ("euclidean", "cosine", "dot", "manhattan"). */
    String name();

    /**
     * Turns a vector into its stored form (cosine normalises to unit length). Returns {@code v}
     * itself when nothing changes, otherwise a new array; never modifies {@code v}.
     */
    default float[] prepare(float[] v) {
        return v;
    }

    /**
     * Writes the stored form of {@code v} into the first {@code v.length} elements of {@code out}
     * (which may be longer) without allocating: the query path uses it with a per-thread buffer
     * shared by indexes of every dimension.
     */
    default void prepareInto(float[] v, float[] out) {
        System.arraycopy(v, 0, out, 0, v.length);
    }

    /** Distance between two prepared vectors; lower is closer. */
    float distance(float[] a, float[] b);

    /** Distance between a prepared query and the stored vector at {@code offset} in {@code data}. */
    float distance(float[] q, MemorySegment data, long offset, int dim);

    /**
     * Distances from a prepared query to the stored vectors {@code ordinals[0, n)}, the vector of
     * ordinal {@code o} lying at byte {@code o * stride} of {@code data}, written to {@code out}.
     *
     * <p>The search loop's one call per batch of neighbours. Each implementation must have its own
     * loop over its own kernel (not an inherited default method, whose bytecode, and so whose
     * type profile, all metrics would share): then the kernel call stays monomorphic and inlined
     * even in a process that searches with several metrics, where a per-distance virtual call
     * would turn megamorphic.
     */
    void distances(float[] q, MemorySegment data, long stride, int dim, int[] ordinals, int n, float[] out);

    /** Distance between two stored vectors in the same segment. */
    float distance(MemorySegment data, long aOffset, long bOffset, int dim);

    /**
     * The score a user sees for a distance: cosine similarity, dot product, or the true (not
     * squared) Euclidean distance, as Qdrant reports them.
     */
    float score(float distance);

    /** Whether a larger {@link #score} means a closer match. */
    boolean higherScoreIsCloser();
}
