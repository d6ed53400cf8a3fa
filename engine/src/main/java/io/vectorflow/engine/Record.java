package io.vectorflow.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.storage.PointId;

/**
 * A stored point as returned by get and scroll.
 *
 * @param payload null unless asked for
 * @param vector  null unless asked for; as stored (unit length for cosine collections)
 */
public record Record(PointId id, ObjectNode payload, float[] vector) {}
