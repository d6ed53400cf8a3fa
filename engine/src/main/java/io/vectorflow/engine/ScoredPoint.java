package io.vectorflow.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.storage.PointId;

/**
 * A search hit.
 *
 * @param score      as Qdrant reports it: cosine similarity, dot product, or Euclidean/Manhattan
 *                   distance (or what a query's strategy computed: fusion, recommendation, discovery)
 * @param payload    null unless asked for
 * @param vector     null unless asked for
 * @param orderValue the payload value a query ordered by ({@code order_by}), else null
 * @param named      a collection with named vectors: the point's vectors when asked for, else null
 */
public record ScoredPoint(PointId id, float score, ObjectNode payload, float[] vector, Object orderValue, Vectors named) {

    public ScoredPoint(PointId id, float score, ObjectNode payload, float[] vector) {
        this(id, score, payload, vector, null, null);
    }

    public ScoredPoint(PointId id, float score, ObjectNode payload, float[] vector, Object orderValue) {
        this(id, score, payload, vector, orderValue, null);
    }

    /** A hit carrying a stored record's payload and vectors. */
    public static ScoredPoint of(Record r, float score) {
        return new ScoredPoint(r.id(), score, r.payload(), r.vector(), null, r.named());
    }

    /** The same hit with another score. */
    public ScoredPoint withScore(float s) {
        return new ScoredPoint(id, s, payload, vector, orderValue, named);
    }

    /** The same hit without its payload and vectors. */
    public ScoredPoint bare() {
        return new ScoredPoint(id, score, null, null, orderValue, null);
    }
}
