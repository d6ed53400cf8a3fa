package io.vectorflow.client;

import java.util.Map;
import java.util.Objects;

/**
 * A point: its id, its vector and its payload.
 *
 * @param id a non-negative {@link Long} or a {@link java.util.UUID}
 * @param vector the vector, or {@code null} where it was not asked for
 * @param payload the payload (a JSON object as maps, lists, strings, numbers and booleans), empty for none
 */
public record Point(Object id, float[] vector, Map<String, Object> payload) {

    /** Checks the id's type and makes the payload an immutable map, empty for {@code null}. */
    public Point {
        id = Ids.normalize(id);
        payload = payload == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(payload));
    }

    /** A point with a numeric id and no payload. */
    public static Point of(long id, float[] vector) {
        return new Point(id, Objects.requireNonNull(vector, "vector"), Map.of());
    }

    /** A point with a numeric id and a payload. */
    public static Point of(long id, float[] vector, Map<String, ?> payload) {
        return new Point(id, Objects.requireNonNull(vector, "vector"), copy(payload));
    }

    /** A point with a UUID and a payload. */
    public static Point of(java.util.UUID id, float[] vector, Map<String, ?> payload) {
        return new Point(id, Objects.requireNonNull(vector, "vector"), copy(payload));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, ?> payload) {
        return (Map<String, Object>) payload;
    }

    /** Equal when id, vector contents and payload are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Point p && id.equals(p.id) && java.util.Arrays.equals(vector, p.vector) && payload.equals(p.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, java.util.Arrays.hashCode(vector), payload);
    }

    @Override
    public String toString() {
        return "Point[id=" + id + ", vector=" + (vector == null ? "-" : vector.length + " dims") + ", payload=" + payload + "]";
    }
}
