package io.vectorflow.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.storage.PointId;
import java.util.Map;
import java.util.UUID;

/**
 * A point to upsert: an id, a vector, and an optional JSON object payload.
 *
 * @param vector  the vector, for a collection of one unnamed vector (or the vector named "" of
 *                one with named vectors); null when {@code named} gives them
 * @param payload a JSON object, or null for none
 * @param named   the point's vectors by name, for a collection with named vectors; null when
 *                {@code vector} gives the one vector
 */
public record Point(PointId id, float[] vector, ObjectNode payload, Vectors named) {

    /** A point with one unnamed vector. */
    public Point(PointId id, float[] vector, ObjectNode payload) {
        this(id, vector, payload, null);
    }

    public static Point of(long id, float[] vector) {
        return new Point(PointId.of(id), vector, null);
    }

    /** A point whose payload is built from a map (values: strings, numbers, booleans, lists, maps). */
    public static Point of(long id, float[] vector, Map<String, ?> payload) {
        return new Point(PointId.of(id), vector, Json.MAPPER.valueToTree(payload));
    }

    public static Point of(UUID id, float[] vector, Map<String, ?> payload) {
        return new Point(PointId.of(id), vector, payload == null ? null : Json.MAPPER.valueToTree(payload));
    }
}
