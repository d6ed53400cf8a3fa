package io.vectorflow.engine;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** The engine's one JSON mapper and payload encoding (UTF-8 JSON bytes in storage). */
public final class Json {

    /** Shared, thread-safe; nesting bounded so a hostile payload cannot exhaust the stack. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
        // Vectors arrive as JSON numbers: the fast (Lemire-style) parser reads them several times quicker.
        MAPPER.enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());
    }

    private Json() {}

    static byte[] encode(ObjectNode payload) {
        if (payload == null || payload.isEmpty()) {
            return new byte[0];
        }
        try {
            return MAPPER.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException("payload cannot be encoded: " + e.getMessage(), e);
        }
    }

    /** The payload stored as bytes; an empty object for none. */
    static ObjectNode decode(byte[] bytes) {
        if (bytes.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            return (ObjectNode) MAPPER.readTree(bytes);
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("stored payload is not a JSON object: " + e.getMessage(), e);
        }
    }
}
