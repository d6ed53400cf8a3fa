package io.vectorflow.engine.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.storage.PointId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a filter in Qdrant's JSON shape into the engine's {@link Filter}. Every error is an
 * {@link IllegalArgumentException} whose message names the offending field by its path in the
 * request (for example {@code filter.must[1].range.gt}).
 *
 * <pre>
 * {"must": [c, ...], "should": [c, ...], "must_not": [c, ...]}   (each also accepts a single condition)
 * c = {"key": k, "match": {"value": v}} | {"key": k, "match": {"any": [v, ...]}}
 *   | {"key": k, "match": {"except": [v, ...]}} | {"key": k, "range": {"gt"|"gte"|"lt"|"lte": number}}
 *   | {"has_id": [id, ...]} | {"is_empty": {"key": k}} | a nested filter
 * </pre>
 */
public final class FilterParser {

    /** Deepest nesting of filters accepted; deeper is refused, so hostile input cannot exhaust the stack. */
    public static final int MAX_DEPTH = 32;
    /** Most conditions (over all levels) one filter may hold. */
    public static final int MAX_CONDITIONS = 10_000;

    private int conditions;

    private FilterParser() {}

    /** Parses {@code node} (null or JSON null gives null); {@code path} names it in errors. */
    public static Filter parse(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return new FilterParser().filter(node, path, 0);
    }

    private Filter filter(JsonNode node, String path, int depth) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + " must be an object with must, should or must_not");
        }
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(path + " nests filters deeper than " + MAX_DEPTH + " levels");
        }
        List<Condition> must = null;
        List<Condition> should = null;
        List<Condition> mustNot = null;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String p = path + "." + e.getKey();
            switch (e.getKey()) {
                case "must" -> must = list(e.getValue(), p, depth);
                case "should" -> should = list(e.getValue(), p, depth);
                case "must_not" -> mustNot = list(e.getValue(), p, depth);
                case "min_should" -> throw new IllegalArgumentException(p + " is not supported");
                default -> throw new IllegalArgumentException(p + " is not a filter field (must, should, must_not)");
            }
        }
        return new Filter(must, should, mustNot);
    }

    private List<Condition> list(JsonNode node, String path, int depth) {
        List<Condition> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.add(condition(node.get(i), path + "[" + i + "]", depth));
            }
        } else {
            out.add(condition(node, path, depth));
        }
        return out;
    }

    private Condition condition(JsonNode node, String path, int depth) {
        if (++conditions > MAX_CONDITIONS) {
            throw new IllegalArgumentException(path + ": a filter may hold at most " + MAX_CONDITIONS + " conditions");
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + " must be a condition object");
        }
        if (node.has("must") || node.has("should") || node.has("must_not")) {
            return filter(node, path, depth + 1);
        }
        if (node.has("has_id")) {
            only(node, path, "has_id");
            return new Condition.HasId(ids(node.get("has_id"), path + ".has_id"));
        }
        if (node.has("is_empty")) {
            only(node, path, "is_empty");
            return new Condition.IsEmpty(key(node.get("is_empty"), path + ".is_empty"));
        }
        if (node.has("key")) {
            String key = key(node, path);
            if (node.has("match")) {
                only(node, path, "key", "match");
                return match(key, node.get("match"), path + ".match");
            }
            if (node.has("range")) {
                only(node, path, "key", "range");
                return range(key, node.get("range"), path + ".range");
            }
            for (String unsupported : List.of("geo_radius", "geo_bounding_box", "geo_polygon", "values_count", "datetime_range")) {
                if (node.has(unsupported)) {
                    throw new IllegalArgumentException(path + "." + unsupported + " conditions are not supported");
                }
            }
            throw new IllegalArgumentException(path + " needs 'match' or 'range' with its 'key'");
        }
        for (String unsupported : List.of("is_null", "nested", "has_vector")) {
            if (node.has(unsupported)) {
                throw new IllegalArgumentException(path + "." + unsupported + " conditions are not supported");
            }
        }
        throw new IllegalArgumentException(path + " is not a condition (key with match or range, has_id, is_empty, or a nested filter)");
    }

    private static void only(JsonNode node, String path, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!ok.contains(name)) {
                throw new IllegalArgumentException(path + "." + name + " is not expected here");
            }
        }
    }

    private static String key(JsonNode node, String path) {
        JsonNode k = node.get("key");
        if (k == null || !k.isTextual()) {
            throw new IllegalArgumentException(path + ".key must be a string");
        }
        KeyPath.parse(k.textValue(), path + ".key");
        return k.textValue();
    }

    private static Condition match(String key, JsonNode m, String path) {
        if (m == null || !m.isObject() || m.size() != 1) {
            throw new IllegalArgumentException(path + " must be an object with one of value, any, except");
        }
        if (m.has("value")) {
            return new Condition.Match(key, scalar(m.get("value"), path + ".value"));
        }
        if (m.has("any")) {
            return new Condition.MatchAny(key, scalars(m.get("any"), path + ".any"));
        }
        if (m.has("except")) {
            return Filter.mustNot(new Condition.MatchAny(key, scalars(m.get("except"), path + ".except")));
        }
        if (m.has("text")) {
            throw new IllegalArgumentException(path + ".text (full-text match) is not supported");
        }
        throw new IllegalArgumentException(path + " must be an object with one of value, any, except");
    }

    private static List<Object> scalars(JsonNode node, String path) {
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(path + " must be an array of strings, numbers or booleans");
        }
        List<Object> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(scalar(node.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    private static Object scalar(JsonNode v, String path) {
        if (v == null) {
            throw new IllegalArgumentException(path + " is required");
        }
        Object value = Condition.scalar(v);
        if (value == null || value instanceof Double d && !Double.isFinite(d)) {
            throw new IllegalArgumentException(path + " must be a string, a number or a boolean");
        }
        return value;
    }

    private static Condition range(String key, JsonNode r, String path) {
        if (r == null || !r.isObject()) {
            throw new IllegalArgumentException(path + " must be an object with gt, gte, lt or lte");
        }
        Double[] bounds = new Double[4];
        List<String> names = List.of("gt", "gte", "lt", "lte");
        for (Map.Entry<String, JsonNode> e : r.properties()) {
            int i = names.indexOf(e.getKey());
            if (i < 0) {
                throw new IllegalArgumentException(path + "." + e.getKey() + " is not a range bound (gt, gte, lt, lte)");
            }
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
                throw new IllegalArgumentException(path + "." + e.getKey() + " must be a finite number");
            }
            bounds[i] = v.doubleValue();
        }
        if (bounds[0] == null && bounds[1] == null && bounds[2] == null && bounds[3] == null) {
            throw new IllegalArgumentException(path + " needs at least one of gt, gte, lt, lte");
        }
        return new Condition.Range(key, bounds[0], bounds[1], bounds[2], bounds[3]);
    }

    private static Set<PointId> ids(JsonNode node, String path) {
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(path + " must be an array of point ids");
        }
        Set<PointId> out = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(id(node.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    /**
     * A point id as JSON carries it: an unsigned 64-bit integer, or a UUID string in canonical
     * form ({@link PointId#parseUuid}).
     *
     * @throws IllegalArgumentException naming {@code path}
     */
    public static PointId id(JsonNode v, String path) {
        if (v != null && v.isIntegralNumber()) {
            java.math.BigInteger b = v.bigIntegerValue();
            if (b.signum() < 0 || b.bitLength() > 64) {
                throw new IllegalArgumentException(path + " must be an unsigned 64-bit integer or a UUID, got " + v);
            }
            return PointId.of(b.longValue());
        }
        if (v != null && v.isTextual()) {
            try {
                return PointId.parseUuid(v.textValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + " must be an unsigned integer or a UUID (8-4-4-4-12 hexadecimal digits),"
                        + " got \"" + abbreviate(v.textValue()) + "\"");
            }
        }
        throw new IllegalArgumentException(path + " must be an unsigned integer or a UUID"
                + (v == null ? " (missing)" : ", got " + abbreviate(v.toString())));
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
