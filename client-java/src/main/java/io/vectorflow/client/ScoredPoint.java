package io.vectorflow.client;

import java.util.Map;

/**
 * One hit of a search.
 *
 * @param id a {@link Long} or a {@link java.util.UUID}
 * @param score the similarity (cosine, dot) or distance (euclid, manhattan)
 * @param payload the payload, empty where it was not asked for
 * @param vector the vector, or {@code null} where it was not asked for
 */
public record ScoredPoint(Object id, float score, Map<String, Object> payload, float[] vector) {
}
