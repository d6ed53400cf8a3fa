package io.vectorflow.client;

import io.vectorflow.api.v1.PointId;
import java.util.UUID;

/** Point ids between their Java forms ({@code Long}, {@code UUID}) and the API's. */
final class Ids {

    private Ids() {
    }

    /** A {@link Long} for any integral number, a {@link UUID} for a UUID or its text; otherwise refused. */
    static Object normalize(Object id) {
        return switch (id) {
            case null -> throw new IllegalArgumentException("id: missing");
            case Long l when l >= 0 -> l;
            case Integer i when i >= 0 -> (long) i;
            case Short s when s >= 0 -> (long) s;
            case UUID u -> u;
            case String s -> {
                try {
                    yield UUID.fromString(s);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("id: \"" + s + "\" is neither a non-negative integer nor a UUID");
                }
            }
            default -> throw new IllegalArgumentException("id: " + id + " is neither a non-negative integer nor a UUID");
        };
    }

    static PointId proto(Object id) {
        Object n = normalize(id);
        return n instanceof Long l ? PointId.newBuilder().setNum(l).build() : PointId.newBuilder().setUuid(n.toString()).build();
    }

    static Object of(PointId id) {
        return id.hasUuid() ? UUID.fromString(id.getUuid()) : id.getNum();
    }
}
