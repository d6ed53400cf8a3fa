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
 *   | {"key": k, "match": {"text"|"phrase": words}} | {"key": k, "range": {bounds as RFC 3339 datetimes}}
 *   | {"key": k, "values_count": {bounds}} | {"key": k, "geo_radius" | "geo_bounding_box" | "geo_polygon": …}
 *   | {"has_id": [id, ...]} | {"is_empty": {"key": k}} | {"is_null": {"key": k}}
 *   | {"nested": {"key": k, "filter": f}} | {"has_vector": ""} | a nested filter
 * and, beside must / should / must_not, {"min_should": {"conditions": [c, ...], "min_count": n}}
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
        Condition minShould = null;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String p = path + "." + e.getKey();
            switch (e.getKey()) {
                case "must" -> must = list(e.getValue(), p, depth);
                case "should" -> should = list(e.getValue(), p, depth);
                case "must_not" -> mustNot = list(e.getValue(), p, depth);
                case "min_should" -> minShould = minShould(e.getValue(), p, depth);
                default -> throw new IllegalArgumentException(p + " is not a filter field (must, should, must_not, min_should)");
            }
        }
        if (minShould != null) { // the minimum is one more condition that must hold
            must = must == null ? new ArrayList<>() : new ArrayList<>(must);
            must.add(minShould);
        }
        return new Filter(must, should, mustNot);
    }

    private Condition minShould(JsonNode node, String path, int depth) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + " must be an object with conditions and min_count");
        }
        only(node, path, "conditions", "min_count");
        JsonNode count = node.get("min_count");
        if (count == null || !count.isIntegralNumber() || !count.canConvertToInt() || count.intValue() < 0) {
            throw new IllegalArgumentException(path + ".min_count must be a non-negative integer");
        }
        return new ValueConditions.MinShould(list(node.get("conditions"), path + ".conditions", depth), count.intValue());
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
        if (node.has("is_null")) {
            only(node, path, "is_null");
            return new ValueConditions.IsNull(key(node.get("is_null"), path + ".is_null"));
        }
        if (node.has("nested")) {
            only(node, path, "nested");
            JsonNode n = node.get("nested");
            only(n, path + ".nested", "key", "filter");
            if (n.get("filter") == null) {
                throw new IllegalArgumentException(path + ".nested.filter is required");
            }
            return new ValueConditions.Nested(key(n, path + ".nested"), filter(n.get("filter"), path + ".nested.filter", depth + 1));
        }
        if (node.has("has_vector")) {
            only(node, path, "has_vector");
            JsonNode v = node.get("has_vector");
            if (!v.isTextual() || !v.textValue().isEmpty()) {
                throw new IllegalArgumentException(path + ".has_vector: this collection has one unnamed vector, \"\"");
            }
            return new Filter(null, null, null); // every point has the unnamed vector
        }
        if (node.has("key")) {
            String key = key(node, path);
            if (node.size() != 2) {
                throw new IllegalArgumentException(path + " needs exactly one of match, range, values_count, geo_radius,"
                        + " geo_bounding_box, geo_polygon with its key");
            }
            String kind = node.fieldNames().next().equals("key") ? nextName(node) : node.fieldNames().next();
            String p = path + "." + kind;
            JsonNode v = node.get(kind);
            return switch (kind) {
                case "match" -> match(key, v, p);
                case "range" -> range(key, v, p);
                case "datetime_range" -> range(key, v, p);
                case "values_count" -> {
                    Double[] b = bounds(v, p, false);
                    yield new ValueConditions.ValuesCount(key, whole(b[0], p), whole(b[1], p), whole(b[2], p), whole(b[3], p));
                }
                case "geo_radius" -> {
                    only(v, p, "center", "radius");
                    if (v.get("radius") == null || !v.get("radius").isNumber()) {
                        throw new IllegalArgumentException(p + ".radius must be a number of metres");
                    }
                    yield new GeoConditions.Radius(key, geoPoint(v.get("center"), p + ".center"), v.get("radius").doubleValue());
                }
                case "geo_bounding_box" -> {
                    only(v, p, "top_left", "bottom_right");
                    yield new GeoConditions.BoundingBox(key, geoPoint(v.get("top_left"), p + ".top_left"),
                            geoPoint(v.get("bottom_right"), p + ".bottom_right"));
                }
                case "geo_polygon" -> {
                    only(v, p, "exterior", "interiors");
                    List<List<GeoConditions.Point>> holes = new ArrayList<>();
                    JsonNode in = v.get("interiors");
                    if (in != null && !in.isNull()) {
                        if (!in.isArray()) {
                            throw new IllegalArgumentException(p + ".interiors must be an array of rings");
                        }
                        for (int i = 0; i < in.size(); i++) {
                            holes.add(ring(in.get(i), p + ".interiors[" + i + "]"));
                        }
                    }
                    yield new GeoConditions.Polygon(key, ring(v.get("exterior"), p + ".exterior"), holes);
                }
                default -> throw new IllegalArgumentException(p + " is not a condition on a key (match, range, values_count,"
                        + " geo_radius, geo_bounding_box, geo_polygon)");
            };
        }
        throw new IllegalArgumentException(path + " is not a condition (key with match, range, values_count or geo_*;"
                + " has_id, is_empty, is_null, nested, or a nested filter)");
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
            throw new IllegalArgumentException(path + " must be an object with one of value, any, except, text, phrase");
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
        if (m.has("text") || m.has("phrase")) {
            boolean phrase = m.has("phrase");
            JsonNode t = m.get(phrase ? "phrase" : "text");
            if (!t.isTextual()) {
                throw new IllegalArgumentException(path + "." + (phrase ? "phrase" : "text") + " must be a string");
            }
            return new ValueConditions.MatchText(key, t.textValue(), phrase);
        }
        throw new IllegalArgumentException(path + " must be an object with one of value, any, except, text, phrase");
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

    /** A numeric range, or a datetime range when any bound is a string (RFC 3339). */
    private static Condition range(String key, JsonNode r, String path) {
        boolean datetime = false;
        if (r != null && r.isObject()) {
            for (JsonNode v : r) {
                datetime |= v.isTextual();
            }
        }
        Double[] b = bounds(r, path, datetime);
        return datetime ? new ValueConditions.DatetimeRange(key, b[0], b[1], b[2], b[3])
                : new Condition.Range(key, b[0], b[1], b[2], b[3]);
    }

    /** {gt, gte, lt, lte}: finite numbers, or (datetime) RFC 3339 strings as epoch seconds; at least one. */
    private static Double[] bounds(JsonNode r, String path, boolean datetime) {
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
            if (datetime) {
                bounds[i] = v.isTextual() ? ValueConditions.epochSeconds(v.textValue()) : null;
                if (bounds[i] == null) {
                    throw new IllegalArgumentException(path + "." + e.getKey() + " must be an RFC 3339 datetime, got " + v);
                }
            } else if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
                throw new IllegalArgumentException(path + "." + e.getKey() + " must be a finite number");
            } else {
                bounds[i] = v.doubleValue();
            }
        }
        if (bounds[0] == null && bounds[1] == null && bounds[2] == null && bounds[3] == null) {
            throw new IllegalArgumentException(path + " needs at least one of gt, gte, lt, lte");
        }
        return bounds;
    }

    private static Long whole(Double d, String path) {
        if (d == null) {
            return null;
        }
        if (d != Math.rint(d)) {
            throw new IllegalArgumentException(path + " bounds must be whole numbers, got " + d);
        }
        return d.longValue();
    }

    private static String nextName(JsonNode node) {
        var it = node.fieldNames();
        it.next();
        return it.next();
    }

    private static GeoConditions.Point geoPoint(JsonNode v, String path) {
        if (v == null || !v.isObject() || !v.path("lon").isNumber() || !v.path("lat").isNumber() || v.size() != 2) {
            throw new IllegalArgumentException(path + " must be {\"lon\": number, \"lat\": number}");
        }
        try {
            return new GeoConditions.Point(v.get("lon").doubleValue(), v.get("lat").doubleValue());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage());
        }
    }

    private static List<GeoConditions.Point> ring(JsonNode v, String path) {
        if (v == null || !v.isObject() || !v.path("points").isArray()) {
            throw new IllegalArgumentException(path + " must be {\"points\": [{\"lon\", \"lat\"}, …]}");
        }
        JsonNode pts = v.get("points");
        if (pts.size() > MAX_CONDITIONS) {
            throw new IllegalArgumentException(path + ".points holds more than " + MAX_CONDITIONS + " points");
        }
        List<GeoConditions.Point> out = new ArrayList<>(pts.size());
        for (int i = 0; i < pts.size(); i++) {
            out.add(geoPoint(pts.get(i), path + ".points[" + i + "]"));
        }
        return out;
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
