package io.vectorflow.storage.segment;

import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.sparse.SparsePostings;
import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.storage.PointId;

/**
 * A set of points searched as one HNSW graph: the mutable segment that takes writes, or a sealed,
 * immutable one read in place from its mapped files. Ordinals are the positions of points in
 * the segment; a point replaced or deleted stays in its segment, marked deleted.
 */
public sealed interface Segment permits MutableSegment, SealedSegment {

    /** Points stored, deleted ones included. */
    int size();

    /** Points not deleted. */
    int liveCount();

    PointId id(int ordinal);

    /** The payload as stored (UTF-8 JSON), or an empty array for none. */
    byte[] payload(int ordinal);

    /**
     * The stored vector of slot 0 (in the metric's prepared form: unit length for cosine), or
     * null when the point lacks it.
     */
    default float[] vector(int ordinal) {
        return vector(0, ordinal);
    }

    /** The stored vector of a dense slot (prepared form), or null when the point lacks it. */
    default float[] vector(int slot, int ordinal) {
        return hasVector(slot, ordinal) ? vectors(slot).get(ordinal) : null;
    }

    /** Whether the point was deleted or replaced (it stays in the graph, never returned). */
    default boolean isDeleted(int ordinal) {
        return index().isDeleted(ordinal);
    }

    /** Marks a point deleted; false if it already was. */
    boolean delete(int ordinal);

    /** The ordinal of the live point with this id, or -1. */
    int find(PointId id);

    /** The graph of dense slot 0. */
    HnswIndex index();

    /** The vectors of dense slot 0. */
    VectorStore vectors();

    /** Dense vector slots (see {@link VectorLayout}); at least one. */
    int vectorSlots();

    /** The graph of a dense slot: points lacking that vector are not in it. */
    HnswIndex graph(int slot);

    /** The vectors of a dense slot, zeros for points lacking that vector. */
    VectorStore vectors(int slot);

    /** Whether the point has a vector in this dense slot. */
    boolean hasVector(int slot, int ordinal);

    /** Whether every point of the segment has a vector in this dense slot (no presence test needed). */
    boolean everyHasVector(int slot);

    /** Sparse vector slots. */
    int sparseSlots();

    /** The sparse vector of a slot, or null when the point lacks it. */
    SparseVector sparse(int slot, int ordinal);

    /** What a sparse slot is searched through. */
    SparsePostings sparseIndex(int slot);

    /**
     * Live ordinals in id order, from the first id at or after {@code from} (null for the start).
     * Used by scroll; a sealed segment reads its sorted id index in place.
     */
    java.util.PrimitiveIterator.OfInt ordinalsInIdOrder(PointId from);
}
