package io.vectorflow.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.storage.PointId;

/**
 * A search hit.
 *
 * @param score   as Qdrant reports it: cosine similarity, dot product, or Euclidean/Manhattan distance
 * @param payload null unless asked for
 * @param vector  null unless asked for
 */
public record ScoredPoint(PointId id, float score, ObjectNode payload, float[] vector) {}
