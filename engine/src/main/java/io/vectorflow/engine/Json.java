package io.vectorflow.engine;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The engine's JSON: one strict mapper for what clients send, the payload encoding (UTF-8 JSON
 * bytes in storage), and the rule that keeps every stored payload readable.
 *
 * <p>Requests are parsed strictly: a key given twice, or anything after the value, is an error,
 * not "last one wins"; nesting is bounded so hostile input cannot exhaust the stack. A payload is
 * refused at write when it nests deeper than {@value #MAX_PAYLOAD_DEPTH} levels, so what is stored
 * always decodes; stored payloads are read with a generous limit of their own, so data written
 * under other rules stays readable too.
 */
public final class Json {

    /** Deepest nesting a request body may have. */
    public static final int MAX_REQUEST_DEPTH = 64;
    /** Deepest nesting (objects and arrays) a stored payload may have. */
    public static final int MAX_PAYLOAD_DEPTH = 32;

    /** Shared, thread-safe; strict, for request bodies and filters. */
    public static final ObjectMapper MAPPER = strict(new ObjectMapper());

    /** Reads what is stored: no duplicate check (there are none) and a nesting limit no payload reaches. */
    private static final ObjectMapper STORED = new ObjectMapper();

    static {
        STORED.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(1000).build());
        STORED.enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());
    }

    private Json() {}

    private static ObjectMapper strict(ObjectMapper m) {
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_REQUEST_DEPTH).build());
        // Vectors arrive as JSON numbers: the fast (Lemire-style) parser reads them several times quicker.
        m.enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());
        m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        return m;
    }

    /**
     * The stored form of a payload (empty for none).
     *
     * @param field names the payload in the error, e.g. {@code points[3].payload}
     * @throws IllegalArgumentException when it nests deeper than {@value #MAX_PAYLOAD_DEPTH} levels
     */
    static byte[] encode(ObjectNode payload, String field) {
        if (payload == null || payload.isEmpty()) {
            return new byte[0];
        }
        int depth = depth(payload, 1);
        if (depth > MAX_PAYLOAD_DEPTH) {
            throw new IllegalArgumentException(field + " nests " + depth + " levels deep; at most " + MAX_PAYLOAD_DEPTH
                    + " are stored");
        }
        try {
            return MAPPER.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException(field + " cannot be encoded: " + e.getMessage(), e);
        }
    }

    /** Levels of objects and arrays in {@code node}, counting it as level {@code level}; stops past the limit. */
    private static int depth(JsonNode node, int level) {
        if (level > MAX_PAYLOAD_DEPTH) {
            return level;
        }
        int deepest = level;
        for (JsonNode child : node) {
            if (child.isContainerNode()) {
                deepest = Math.max(deepest, depth(child, level + 1));
                if (deepest > MAX_PAYLOAD_DEPTH) {
                    return deepest;
                }
            }
        }
        return deepest;
    }

    /** The payload stored as bytes; an empty object for none. */
    static ObjectNode decode(byte[] bytes) {
        if (bytes.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            return (ObjectNode) STORED.readTree(bytes);
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("stored payload is not a JSON object: " + e.getMessage(), e);
        }
    }
}
