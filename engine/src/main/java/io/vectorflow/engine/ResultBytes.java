package io.vectorflow.engine;

import io.vectorflow.storage.segment.Segment;

/**
 * What an answer may still carry, in payload and vector bytes: counted as records are read, so
 * a request for more than the server can hold fails with a 4xx naming the field instead of
 * exhausting the heap.
 */
final class ResultBytes {
    private final String field;
    private final long max;
    private final VectorSlots slots;
    private long used;

    ResultBytes(String field, long max, VectorSlots slots) {
        this.field = field;
        this.max = max;
        this.slots = slots;
    }

    void add(long bytes) {
        used += bytes;
        if (used > max) {
            throw new IllegalArgumentException("the answer would carry more than " + (max >> 20)
                    + " MiB of payloads and vectors; ask for fewer points (" + field + ") or leave out payloads or vectors");
        }
    }

    /** A stored point as an answer carries it, its bytes counted. */
    Record record(Segment s, int ord, boolean withPayload, boolean withVector) {
        return record(s, ord, s.id(ord), withPayload, withVector);
    }

    /** {@link #record(Segment, int, boolean, boolean)} for a point whose id the caller has read already. */
    Record record(Segment s, int ord, io.vectorflow.storage.PointId id, boolean withPayload, boolean withVector) {
        byte[] payload = withPayload ? s.payload(ord) : null;
        float[] vector = withVector && !slots.named() ? s.vector(ord) : null;
        Vectors named = withVector && slots.named() ? slots.read(s, ord) : null;
        add((payload == null ? 0 : payload.length) + (vector == null ? 0 : 4L * vector.length)
                + (named == null ? 0 : named.bytes()));
        return new Record(id, payload == null ? null : Json.decode(payload), vector, named);
    }
}
