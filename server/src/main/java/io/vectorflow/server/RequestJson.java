package io.vectorflow.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vectorflow.engine.Json;
import java.io.IOException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Reads a request body into a JSON tree in one pass of the streaming parser, with one difference
 * from {@code ObjectMapper.readTree}: an array holding only numbers (a vector, most often) is
 * kept as the numbers themselves ({@link Numbers}: a {@code double[]}), not as one node object
 * per element. Its elements are made into nodes only if someone asks for them, and then exactly
 * the nodes {@code readTree} would have made (ints as {@code IntNode}, others as
 * {@code DoubleNode}), so every reader of the tree sees the same values; {@link #floats} reads
 * a vector straight from the array. The parser is {@link Json#MAPPER}'s, with its limits
 * (nesting depth, duplicate keys, trailing tokens) and its error messages.
 */
final class RequestJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Largest integer kept in the {@code double[]}: beyond it a double no longer holds every integer exactly. */
    private static final long EXACT = 1L << 53;

    private RequestJson() {}

    /** The tree of {@code bytes}; null for an empty body. */
    static JsonNode read(byte[] bytes) throws IOException {
        try (JsonParser p = Json.MAPPER.createParser(bytes)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            JsonNode root = value(p, t);
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "Trailing token (of type " + trailing
                        + ") found after the value; a body holds one JSON value");
            }
            return root;
        }
    }

    /** The dense vector an array of numbers holds, read straight from it; null when {@code v} is not such an array. */
    static float[] floats(JsonNode v) {
        return v instanceof Numbers n ? n.floats() : null;
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> object(p);
            case START_ARRAY -> array(p);
            case VALUE_STRING -> TextNode.valueOf(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> IntNode.valueOf(p.getIntValue());
                case LONG -> LongNode.valueOf(p.getLongValue());
                default -> BigIntegerNode.valueOf(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> DoubleNode.valueOf(p.getDoubleValue());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.getInstance();
            default -> throw new com.fasterxml.jackson.core.JsonParseException(p, "Unexpected token " + t);
        };
    }

    private static ObjectNode object(JsonParser p) throws IOException {
        ObjectNode o = NODES.objectNode();
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String name = p.currentName();
            o.set(name, value(p, p.nextToken())); // duplicate names are the parser's error (strict detection)
        }
        return o;
    }

    /** An array: numbers into a {@code double[]} while every element is one, else nodes. */
    private static JsonNode array(JsonParser p) throws IOException {
        double[] values = new double[16];
        BitSet integral = new BitSet();
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            boolean fits = t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT
                    && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER && Math.abs(p.getLongValue()) <= EXACT;
            if (!fits) {
                List<JsonNode> nodes = new ArrayList<>(n + 8);
                nodes.addAll(new Elements(values, integral, n));
                nodes.add(value(p, t));
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    nodes.add(value(p, t));
                }
                return new ArrayNode(NODES, nodes);
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            if (t == JsonToken.VALUE_NUMBER_INT) {
                integral.set(n);
                values[n++] = p.getLongValue();
            } else {
                values[n++] = p.getDoubleValue();
            }
        }
        return n == 0 ? NODES.arrayNode() : new Numbers(values, integral, n);
    }

    /**
     * An array of numbers kept as {@code double[]}: integers (exact up to 2^53) and the doubles
     * the parser read. Its element nodes are made when asked for; it is read-only.
     */
    static final class Numbers extends ArrayNode {
        private static final long serialVersionUID = 1L;
        private final transient double[] values;
        private final transient Elements elements;

        private Numbers(double[] values, BitSet integral, int size) {
            this(new Elements(values, integral, size));
        }

        private Numbers(Elements elements) {
            super(NODES, elements);
            this.values = elements.values;
            this.elements = elements;
        }

        /** The numbers as 32-bit floats, as {@code JsonNode.floatValue()} gives them. */
        float[] floats() {
            float[] out = new float[elements.size];
            for (int i = 0; i < out.length; i++) {
                out[i] = elements.integral.get(i) ? (float) (long) values[i] : (float) values[i];
            }
            return out;
        }
    }

    /** The element nodes of {@link Numbers}, made on demand exactly as {@code readTree} makes them. */
    private static final class Elements extends AbstractList<JsonNode> {
        final double[] values;
        final BitSet integral;
        final int size;

        Elements(double[] values, BitSet integral, int size) {
            this.values = values;
            this.integral = integral;
            this.size = size;
        }

        @Override
        public JsonNode get(int i) {
            if (i < 0 || i >= size) {
                throw new IndexOutOfBoundsException(i);
            }
            if (!integral.get(i)) {
                return DoubleNode.valueOf(values[i]);
            }
            long v = (long) values[i];
            return v == (int) v ? IntNode.valueOf((int) v) : LongNode.valueOf(v);
        }

        @Override
        public int size() {
            return size;
        }
    }
}
