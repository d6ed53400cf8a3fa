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
 */
public record ScoredPoint(PointId id, float score, ObjectNode payload, float[] vector, Object orderValue) {

    public ScoredPoint(PointId id, float score, ObjectNode payload, float[] vector) {
        this(id, score, payload, vector, null);
    }

    /** The same hit with another score. */
    public ScoredPoint withScore(float s) {
        return new ScoredPoint(id, s, payload, vector, orderValue);
    }
}
