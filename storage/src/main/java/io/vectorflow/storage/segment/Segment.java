package io.vectorflow.storage.segment;

import io.vectorflow.core.hnsw.HnswIndex;
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

    /** The stored vector (in the metric's prepared form: unit length for cosine). */
    float[] vector(int ordinal);

    /** Whether the point was deleted or replaced (it stays in the graph, never returned). */
    default boolean isDeleted(int ordinal) {
        return index().isDeleted(ordinal);
    }

    /** Marks a point deleted; false if it already was. */
    boolean delete(int ordinal);

    /** The ordinal of the live point with this id, or -1. */
    int find(PointId id);

    HnswIndex index();

    VectorStore vectors();

    /**
     * Live ordinals in id order, from the first id at or after {@code from} (null for the start).
     * Used by scroll; a sealed segment reads its sorted id index in place.
     */
    java.util.PrimitiveIterator.OfInt ordinalsInIdOrder(PointId from);
}
