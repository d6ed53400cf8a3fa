package io.vectorflow.core.sparse;

import io.vectorflow.core.search.OrdinalFilter;
import java.util.function.IntToDoubleFunction;

/**
 * What a segment's sparse vectors are searched through: the immutable {@link SparseIndex} of a
 * sealed segment or the {@link GrowingSparseIndex} of the one taking writes.
 */
public interface SparsePostings {

    /**
     * The {@code k} ordinals with the largest dot product with {@code query} (each dimension's
     * product multiplied by {@code weight.applyAsDouble(dim)} when a weight is given), best first,
     * skipping ordinals {@code accept} refuses; ties go to the smaller ordinal. Only ordinals
     * sharing a dimension with the query can score, so only they are returned.
     */
    SparseIndex.Hits search(SparseVector query, int k, OrdinalFilter accept, IntToDoubleFunction weight);

    /** How many vectors hold dimension {@code dim} (its document frequency). */
    int documentFrequency(int dim);
}
