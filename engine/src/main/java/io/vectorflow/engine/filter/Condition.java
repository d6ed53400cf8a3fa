package io.vectorflow.engine.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.storage.PointId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** One test on a point: its id or a value in its payload. */
public sealed interface Condition permits Filter, Condition.Match, Condition.MatchAny, Condition.Range,
        Condition.HasId, Condition.IsEmpty, ValueConditions.IsNull, ValueConditions.ValuesCount, ValueConditions.Nested,
        ValueConditions.DatetimeRange, ValueConditions.MatchText, ValueConditions.MinShould, GeoConditions.Radius, GeoConditions.BoundingBox,
        GeoConditions.Polygon {

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
        return KeyPath.parts(key, "filter condition key");
    }

    /**
     * The form {@link MatchAny} compares in: strings and booleans as they are, every number that
     * is a whole number within the long range as a {@link Long}, other numbers as a {@link Double}
     * (so 1 matches 1.0, as {@link Match} has it); null for other values.
     */
    static Object normalized(Object v) {
        return switch (v) {
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short x -> (long) x;
            case Byte x -> (long) x;
            case Number n -> {
                double d = n.doubleValue();
                yield d == Math.rint(d) && Math.abs(d) < 0x1p63 ? (Object) (long) d : (Object) d;
            }
            default -> null;
        };
    }

    /** {@link #normalized} for a payload value. */
    static Object normalized(JsonNode v) {
        Object scalar = scalar(v);
        return scalar == null ? null : normalized(scalar);
    }

    /**
     * A JSON scalar as a Java value: a String, a Boolean, a Long (whole numbers within the long
     * range) or a Double; null for anything else.
     */
    static Object scalar(JsonNode v) {
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        return v.isNumber() ? (Object) v.doubleValue() : null;
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

    /**
     * {@code {"key": k, "match": {"any": [...]}}}: some value at {@code key} equals one of
     * {@code values}; looked up in a hash set, so a list of a million values costs a lookup per
     * payload value, not a million comparisons.
     */
    record MatchAny(String key, List<Object> any, Set<Object> lookup) implements Condition {
        public MatchAny {
            split(key);
            any = List.copyOf(any);
            Set<Object> set = new HashSet<>(Math.max(16, any.size() * 2));
            for (Object v : any) {
                Object n = normalized(v);
                if (n == null) {
                    throw new IllegalArgumentException("match any values for '" + key + "' must be strings, numbers or booleans");
                }
                set.add(n);
            }
            lookup = java.util.Collections.unmodifiableSet(set);
        }

        public MatchAny(String key, List<Object> any) {
            this(key, any, Set.of());
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            for (JsonNode v : values(payload, split(key))) {
                Object n = normalized(v);
                if (n != null && lookup.contains(n)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MatchAny m && m.key.equals(key) && m.lookup.equals(lookup);
        }

        @Override
        public int hashCode() {
            return key.hashCode() * 31 + lookup.hashCode();
        }

        @Override
        public String toString() {
            return "MatchAny[key=" + key + ", any=" + (any.size() <= 16 ? any.toString() : any.size() + " values") + "]";
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
