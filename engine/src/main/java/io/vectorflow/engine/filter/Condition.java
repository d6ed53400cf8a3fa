package io.vectorflow.engine.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.storage.PointId;
import java.util.List;
import java.util.Set;

/** One test on a point: its id or a value in its payload. */
public sealed interface Condition permits Filter, Condition.Match, Condition.MatchAny, Condition.Range,
        Condition.HasId, Condition.IsEmpty {

    /** Whether the point with this id and payload (an object, or null for none) satisfies the condition. */
    boolean test(PointId id, JsonNode payload);

    static boolean needsPayload(List<Condition> conditions) {
        for (Condition c : conditions) {
            if (!(c instanceof HasId) && !(c instanceof Filter f && !f.needsPayload())) {
                return true;
            }
        }
        return false;
    }

    /** The values at a dotted key path; arrays along the way are flattened (Qdrant's semantics). */
    static void values(JsonNode node, String[] path, int depth, List<JsonNode> out) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return;
        }
        if (node.isArray()) {
            for (JsonNode e : node) {
                values(e, path, depth, out);
            }
            return;
        }
        if (depth == path.length) {
            out.add(node);
            return;
        }
        if (node.isObject()) {
            values(node.get(path[depth]), path, depth + 1, out);
        }
    }

    private static List<JsonNode> values(JsonNode payload, String[] path) {
        List<JsonNode> out = new java.util.ArrayList<>(2);
        values(payload, path, 0, out);
        return out;
    }

    /** Equal values: strings to strings, numbers to numbers (1 equals 1.0), booleans to booleans. */
    private static boolean sameValue(JsonNode v, Object expected) {
        return switch (expected) {
            case String s -> v.isTextual() && v.textValue().equals(s);
            case Boolean b -> v.isBoolean() && v.booleanValue() == b;
            case Number n -> v.isNumber() && (v.isIntegralNumber() && isIntegral(n)
                    ? v.longValue() == n.longValue() : v.doubleValue() == n.doubleValue());
            default -> false;
        };
    }

    private static boolean isIntegral(Number n) {
        return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
    }

    private static String[] split(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("filter condition needs a non-empty 'key'");
        }
        return key.split("\\.");
    }

    /** {@code {"key": k, "match": {"value": v}}}: some value at {@code key} equals {@code value}. */
    record Match(String key, Object value) implements Condition {
        public Match {
            split(key);
            if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
                throw new IllegalArgumentException("match value for '" + key + "' must be a string, number or boolean");
            }
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            for (JsonNode v : values(payload, split(key))) {
                if (sameValue(v, value)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code {"key": k, "match": {"any": [...]}}}: some value at {@code key} equals one of {@code values}. */
    record MatchAny(String key, List<Object> any) implements Condition {
        public MatchAny {
            split(key);
            any = List.copyOf(any);
            for (Object v : any) {
                if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
                    throw new IllegalArgumentException("match any values for '" + key + "' must be strings, numbers or booleans");
                }
            }
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            for (JsonNode v : values(payload, split(key))) {
                for (Object expected : any) {
                    if (sameValue(v, expected)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** {@code {"key": k, "range": {"gt", "gte", "lt", "lte"}}}: some number at {@code key} is in range; null bounds are open. */
    record Range(String key, Double gt, Double gte, Double lt, Double lte) implements Condition {
        public Range {
            split(key);
            if (gt == null && gte == null && lt == null && lte == null) {
                throw new IllegalArgumentException("range for '" + key + "' needs at least one of gt, gte, lt, lte");
            }
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            for (JsonNode v : values(payload, split(key))) {
                if (v.isNumber()) {
                    double d = v.doubleValue();
                    if ((gt == null || d > gt) && (gte == null || d >= gte) && (lt == null || d < lt) && (lte == null || d <= lte)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** {@code {"has_id": [...]}}: the point's id is one of these. */
    record HasId(Set<PointId> ids) implements Condition {
        public HasId {
            ids = Set.copyOf(ids);
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            return ids.contains(id);
        }
    }

    /** {@code {"is_empty": {"key": k}}}: the key is missing, null, or an empty array. */
    record IsEmpty(String key) implements Condition {
        public IsEmpty {
            split(key);
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            return values(payload, split(key)).isEmpty();
        }
    }
}
