package io.vectorflow.engine.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.storage.PointId;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

/**
 * Writes an engine {@link Filter} back as Qdrant-shaped filter JSON, the inverse of
 * {@link FilterParser}: for every filter {@code f} the parser produces,
 * {@code FilterParser.parse(FilterJson.write(f), path)} equals {@code f}, also after the JSON is
 * serialized and read again. It is what ships a parsed filter to another node of a cluster.
 *
 * <p>The forms written are chosen so the parser rebuilds the same records, within the same
 * {@link FilterParser#MAX_DEPTH depth} and {@link FilterParser#MAX_CONDITIONS condition} limits:
 * <ul>
 *   <li>a {@link ValueConditions.MinShould} that ends a filter's {@code must} list (where the parser
 *       puts {@code min_should}) is written as that filter's {@code min_should};
 *   <li>a filter of a single {@code must_not} {@link Condition.MatchAny} (what {@code match.except}
 *       parses to) is written as {@code match.except}, and an empty filter (what {@code has_vector}
 *       parses to) as {@code {"has_vector": ""}}, when they stand as conditions;
 *   <li>datetime bounds (epoch seconds from whole milliseconds) are written as RFC 3339 UTC strings
 *       with milliseconds, numbers as JSON numbers of the same Java type, point ids by
 *       {@link PointId#toJsonValue()}.
 * </ul>
 * A filter no JSON parses to (a {@code MinShould} elsewhere, a datetime bound off the millisecond
 * grid) is refused with an {@link IllegalArgumentException} rather than written approximately.
 */
public final class FilterJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private FilterJson() {}

    /** The JSON of {@code f}; null for null (as {@link FilterParser#parse} gives null for null). */
    public static ObjectNode write(Filter f) {
        return f == null ? null : filter(f);
    }

    private static ObjectNode filter(Filter f) {
        ObjectNode o = NODES.objectNode();
        List<Condition> must = f.must();
        ValueConditions.MinShould min = null;
        if (!must.isEmpty() && must.getLast() instanceof ValueConditions.MinShould m) {
            min = m;
            must = must.subList(0, must.size() - 1);
        }
        // at least one of the three, so the object also reads back as a nested filter condition
        if (!must.isEmpty() || f.should().isEmpty() && f.mustNot().isEmpty()) {
            o.set("must", list(must));
        }
        if (!f.should().isEmpty()) {
            o.set("should", list(f.should()));
        }
        if (!f.mustNot().isEmpty()) {
            o.set("must_not", list(f.mustNot()));
        }
        if (min != null) {
            ObjectNode m = o.putObject("min_should");
            m.set("conditions", list(min.conditions()));
            m.put("min_count", min.minCount());
        }
        return o;
    }

    private static ArrayNode list(List<Condition> conditions) {
        ArrayNode a = NODES.arrayNode(conditions.size());
        for (Condition c : conditions) {
            a.add(condition(c));
        }
        return a;
    }

    private static ObjectNode condition(Condition c) {
        ObjectNode o = NODES.objectNode();
        switch (c) { // exhaustive over the sealed Condition: a new kind does not compile until written here
            case Filter f when f.must().isEmpty() && f.should().isEmpty() && f.mustNot().isEmpty() -> o.put("has_vector", "");
            case Filter f when f.must().isEmpty() && f.should().isEmpty() && f.mustNot().size() == 1
                    && f.mustNot().getFirst() instanceof Condition.MatchAny m ->
                    keyed(o, m.key(), "match").set("except", values(m.any()));
            case Filter f -> {
                return filter(f);
            }
            case Condition.Match m -> keyed(o, m.key(), "match").set("value", value(m.value()));
            case Condition.MatchAny m -> keyed(o, m.key(), "match").set("any", values(m.any()));
            case ValueConditions.MatchText m -> keyed(o, m.key(), "match").put(m.phrase() ? "phrase" : "text", m.text());
            case Condition.Range r -> bounds(keyed(o, r.key(), "range"), r.gt(), r.gte(), r.lt(), r.lte());
            case ValueConditions.DatetimeRange r -> {
                ObjectNode b = keyed(o, r.key(), "range");
                String[] names = {"gt", "gte", "lt", "lte"};
                Double[] values = {r.gt(), r.gte(), r.lt(), r.lte()};
                for (int i = 0; i < 4; i++) {
                    if (values[i] != null) {
                        b.put(names[i], datetime(values[i]));
                    }
                }
            }
            case ValueConditions.ValuesCount v -> bounds(keyed(o, v.key(), "values_count"), v.gt(), v.gte(), v.lt(), v.lte());
            case Condition.HasId h -> {
                ArrayNode ids = o.putArray("has_id");
                for (PointId id : h.ids().stream().sorted().toList()) { // sorted: the same filter, the same bytes
                    ids.add(switch (id.toJsonValue()) {
                        case Long l -> NODES.numberNode(l);
                        case BigInteger b -> NODES.numberNode(b);
                        case String s -> NODES.textNode(s);
                        case null, default -> throw new IllegalStateException("point id " + id + " has no JSON form");
                    });
                }
            }
            case Condition.IsEmpty e -> o.putObject("is_empty").put("key", e.key());
            case ValueConditions.IsNull n -> o.putObject("is_null").put("key", n.key());
            case ValueConditions.Nested n -> {
                ObjectNode nested = o.putObject("nested");
                nested.put("key", n.key());
                nested.set("filter", filter(n.filter()));
            }
            case ValueConditions.MinShould m -> throw new IllegalArgumentException(
                    "min_should has a JSON form only as the last must condition of a filter: " + m);
            case GeoConditions.Radius r -> {
                ObjectNode g = keyed(o, r.key(), "geo_radius");
                g.set("center", point(r.center()));
                g.put("radius", r.radius());
            }
            case GeoConditions.BoundingBox b -> {
                ObjectNode g = keyed(o, b.key(), "geo_bounding_box");
                g.set("top_left", point(b.topLeft()));
                g.set("bottom_right", point(b.bottomRight()));
            }
            case GeoConditions.Polygon p -> {
                ObjectNode g = keyed(o, p.key(), "geo_polygon");
                g.set("exterior", ring(p.exterior()));
                ArrayNode holes = g.putArray("interiors");
                p.interiors().forEach(h -> holes.add(ring(h)));
            }
        }
        return o;
    }

    /** Puts {@code key} on {@code o} and returns the new object under {@code kind}. */
    private static ObjectNode keyed(ObjectNode o, String key, String kind) {
        o.put("key", key);
        return o.putObject(kind);
    }

    private static void bounds(ObjectNode o, Number gt, Number gte, Number lt, Number lte) {
        Number[] values = {gt, gte, lt, lte};
        String[] names = {"gt", "gte", "lt", "lte"};
        for (int i = 0; i < 4; i++) {
            if (values[i] != null) {
                o.set(names[i], value(values[i]));
            }
        }
    }

    private static ArrayNode values(List<Object> values) {
        ArrayNode a = NODES.arrayNode(values.size());
        values.forEach(v -> a.add(value(v)));
        return a;
    }

    /** A scalar as the parser reads it back: whole-number types as integers, other numbers as doubles. */
    private static JsonNode value(Object v) {
        return switch (v) {
            case String s -> NODES.textNode(s);
            case Boolean b -> NODES.booleanNode(b);
            case Long l -> NODES.numberNode(l);
            case Integer i -> NODES.numberNode((long) i);
            case Short s -> NODES.numberNode((long) s);
            case Byte b -> NODES.numberNode((long) b);
            case Number n -> NODES.numberNode(n.doubleValue());
            default -> throw new IllegalStateException("not a filter value: " + v);
        };
    }

    /** Epoch seconds as an RFC 3339 UTC string that {@link ValueConditions#epochSeconds} reads back to exactly them. */
    private static String datetime(double seconds) {
        long guess = Math.round(seconds * 1000);
        for (long millis = guess - 1; millis <= guess + 1; millis++) {
            if (Double.compare(millis / 1000.0, seconds) == 0) {
                String s = Instant.ofEpochMilli(millis).toString();
                Double back = ValueConditions.epochSeconds(s);
                if (back != null && Double.compare(back, seconds) == 0) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("datetime bound " + seconds + " is not a whole number of milliseconds");
    }

    private static ObjectNode point(GeoConditions.Point p) {
        ObjectNode o = NODES.objectNode();
        o.put("lon", p.lon());
        o.put("lat", p.lat());
        return o;
    }

    private static ObjectNode ring(List<GeoConditions.Point> points) {
        ObjectNode o = NODES.objectNode();
        ArrayNode a = o.putArray("points");
        points.forEach(p -> a.add(point(p)));
        return o;
    }
}
