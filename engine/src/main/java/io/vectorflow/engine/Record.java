package io.vectorflow.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.storage.PointId;

/**
 * A stored point as returned by get and scroll.
 *
 * @param payload null unless asked for
 * @param vector  null unless asked for; as stored (unit length for cosine collections); for a
 *                collection with named vectors, null (they are in {@code named})
 * @param named   a collection with named vectors: the point's vectors when asked for, else null
 */
public record Record(PointId id, ObjectNode payload, float[] vector, Vectors named) {

    /** A record of a collection with one unnamed vector. */
    public Record(PointId id, ObjectNode payload, float[] vector) {
        this(id, payload, vector, null);
    }
}
