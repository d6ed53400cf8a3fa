package io.vectorflow.engine.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.Json;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link FilterJson} writes every filter the parser produces so that the parser reads back the same filter. */
class FilterJsonTest {

    /** At least one example of every kind of condition, and of each JSON form the parser reads. */
    private static final List<String> FILTERS = List.of(
            "{}",
            "{\"must\": {\"key\": \"city\", \"match\": {\"value\": \"Berlin\"}}}",
            "{\"must\": [{\"key\": \"n\", \"match\": {\"value\": 3}}, {\"key\": \"x\", \"match\": {\"value\": 3.0}},"
                    + " {\"key\": \"ok\", \"match\": {\"value\": false}}, {\"key\": \"f\", \"match\": {\"value\": -0.125}},"
                    + " {\"key\": \"big\", \"match\": {\"value\": 18446744073709551615}}, {\"key\": \"e\", \"match\": {\"value\": 1e300}}]}",
            "{\"should\": [{\"key\": \"tags\", \"match\": {\"any\": [\"a\", 1, 1.0, 2.5, true, -7]}},"
                    + " {\"key\": \"none\", \"match\": {\"any\": []}}]}",
            "{\"must_not\": [{\"key\": \"color\", \"match\": {\"except\": [\"red\", 4, 4.5, false]}}]}",
            "{\"must\": [{\"key\": \"text\", \"match\": {\"text\": \"Quick  brown-FOX\"}},"
                    + " {\"key\": \"text\", \"match\": {\"phrase\": \"über café 42\"}}]}",
            "{\"must\": [{\"key\": \"price\", \"range\": {\"gt\": -0.0, \"lte\": 1e-300}},"
                    + " {\"key\": \"a.b[].c\", \"range\": {\"gte\": 0.1, \"lt\": 9007199254740993}}, {\"key\": \"p\", \"range\": {\"gt\": null, \"lt\": 5}}]}",
            "{\"must\": [{\"key\": \"at\", \"range\": {\"gte\": \"2024-03-15T11:00:00Z\", \"lt\": \"2024-03-15T13:00:01.123+02:00\"}},"
                    + " {\"key\": \"d\", \"datetime_range\": {\"gt\": \"2024-03-15\", \"lte\": \"2024-03-15 10:11:12.999\"}},"
                    + " {\"key\": \"old\", \"range\": {\"lt\": \"1901-12-13T20:45:52.001Z\", \"gt\": \"-0044-03-15T00:00:00Z\"}},"
                    + " {\"key\": \"far\", \"range\": {\"gte\": \"+12345-01-01T00:00:00.5Z\"}},"
                    + " {\"key\": \"ns\", \"range\": {\"gt\": \"2024-03-15T11:00:00.123456789Z\"}}]}",
            "{\"must\": [{\"key\": \"tags\", \"values_count\": {\"gte\": 3, \"lt\": 4}}, {\"key\": \"t\", \"values_count\": {\"gt\": 0, \"lte\": 2.0}}]}",
            "{\"must\": [{\"key\": \"loc\", \"geo_radius\": {\"center\": {\"lon\": 13.41, \"lat\": 52.5}, \"radius\": 1000.5}},"
                    + " {\"key\": \"loc\", \"geo_bounding_box\": {\"top_left\": {\"lon\": 170, \"lat\": 10.25},"
                    + " \"bottom_right\": {\"lon\": -170, \"lat\": -10}}}]}",
            "{\"must\": [{\"key\": \"loc\", \"geo_polygon\": {\"exterior\": {\"points\": [{\"lon\": 0, \"lat\": 0}, {\"lon\": 10, \"lat\": 0},"
                    + " {\"lon\": 10, \"lat\": 10}, {\"lon\": 0, \"lat\": 0}]}, \"interiors\": [{\"points\": [{\"lon\": 1, \"lat\": 1},"
                    + " {\"lon\": 2, \"lat\": 1}, {\"lon\": 2, \"lat\": 2}, {\"lon\": 1, \"lat\": 1}]}]}},"
                    + " {\"key\": \"loc\", \"geo_polygon\": {\"exterior\": {\"points\": [{\"lon\": -1.5, \"lat\": 0}, {\"lon\": 1, \"lat\": 0},"
                    + " {\"lon\": 1, \"lat\": 1}, {\"lon\": -1.5, \"lat\": 0}]}}}]}",
            "{\"must\": [{\"has_id\": [7, 0, 18446744073709551615, 9223372036854775808, \"550e8400-e29b-41d4-a716-446655440000\"]},"
                    + " {\"has_id\": []}]}",
            "{\"must_not\": [{\"is_empty\": {\"key\": \"a\"}}, {\"is_null\": {\"key\": \"b.c\"}}]}",
            "{\"must\": [{\"nested\": {\"key\": \"people\", \"filter\": {\"must\": [{\"key\": \"name\", \"match\": {\"value\": \"ann\"}},"
                    + " {\"key\": \"age\", \"range\": {\"gt\": 30}}]}}}, {\"nested\": {\"key\": \"x\", \"filter\": {}}}]}",
            "{\"must\": [{\"has_vector\": \"\"}, {\"must\": []}], \"should\": {\"has_vector\": \"\"}}",
            "{\"min_should\": {\"conditions\": [{\"key\": \"tags\", \"match\": {\"value\": \"a\"}}, {\"key\": \"tags\", \"match\": {\"value\": \"b\"}}],"
                    + " \"min_count\": 2}}",
            "{\"should\": [{\"key\": \"a\", \"match\": {\"value\": 1}}], \"min_should\": {\"conditions\": [], \"min_count\": 0},"
                    + " \"must\": [{\"key\": \"b\", \"match\": {\"value\": 2}}, {\"must\": [], \"min_should\": {\"conditions\":"
                    + " [{\"is_null\": {\"key\": \"n\"}}, {\"min_should\": {\"conditions\": [{\"has_vector\": \"\"}], \"min_count\": 1}, \"should\": []}],"
                    + " \"min_count\": 1}}]}");

    /** Json.MAPPER with room for filters nested to FilterParser.MAX_DEPTH (two JSON levels per filter level). */
    private static final ObjectMapper DEEP = Json.MAPPER.copy();

    static {
        DEEP.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(1000).build());
    }

    private static Filter parse(String json) throws Exception {
        return FilterParser.parse(DEEP.readTree(json), "filter");
    }

    /** Writes, parses the JSON object back, and also its text (as it travels between nodes) back. */
    private static void assertRoundTrips(Filter parsed) throws Exception {
        ObjectNode written = FilterJson.write(parsed);
        assertThat(FilterParser.parse(written, "filter")).isEqualTo(parsed);
        String text = Json.MAPPER.writeValueAsString(written);
        assertThat(parse(text)).as(text).isEqualTo(parsed);
        assertThat(Json.MAPPER.writeValueAsString(FilterJson.write(parse(text)))).isEqualTo(text); // stable
    }

    @Test
    void everyExampleRoundTripsExactly() throws Exception {
        for (String json : FILTERS) {
            assertRoundTrips(parse(json));
        }
        assertThat(FilterJson.write(null)).isNull();
        assertThat(FilterParser.parse(FilterJson.write(null), "filter")).isNull();
    }

    @Test
    void theExamplesCoverEveryKindOfCondition() throws Exception {
        Set<Class<?>> seen = new HashSet<>();
        for (String json : FILTERS) {
            collect(parse(json), seen);
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(Arrays.asList(Condition.class.getPermittedSubclasses()));
    }

    private static void collect(Condition c, Set<Class<?>> seen) {
        seen.add(c.getClass());
        switch (c) {
            case Filter f -> {
                f.must().forEach(x -> collect(x, seen));
                f.should().forEach(x -> collect(x, seen));
                f.mustNot().forEach(x -> collect(x, seen));
            }
            case ValueConditions.MinShould m -> m.conditions().forEach(x -> collect(x, seen));
            case ValueConditions.Nested n -> collect(n.filter(), seen);
            default -> { }
        }
    }

    @Test
    void aFilterNestedToTheDepthLimitRoundTripsWithinTheLimit() throws Exception {
        String leaf = "{\"key\": \"k\", \"match\": {\"except\": [1, \"x\"]}}, {\"has_vector\": \"\"}, {\"is_empty\": {\"key\": \"e\"}}";
        String json = "{\"must\": [" + leaf + "]}";
        for (int depth = 0; depth < FilterParser.MAX_DEPTH; depth++) {
            json = switch (depth % 3) {
                case 0 -> "{\"should\": [" + leaf + ", " + json + "], \"min_should\": {\"conditions\": [" + leaf + "], \"min_count\": 1}}";
                case 1 -> "{\"must_not\": [{\"nested\": {\"key\": \"n" + depth + "\", \"filter\": " + json + "}}]}";
                default -> "{\"must\": [" + json + ", {\"key\": \"r\", \"range\": {\"gt\": \"2020-02-29T23:59:59.999Z\"}}]}";
            };
        }
        Filter deep = parse(json);
        assertThatThrownBy(() -> parse("{\"must\": [" + "{\"must\": [".repeat(FilterParser.MAX_DEPTH + 1) + "]}".repeat(FilterParser.MAX_DEPTH + 2)))
                .hasMessageContaining("deeper than");
        assertRoundTrips(deep);
    }

    @Test
    void theMostConditionsAFilterMayHoldStillReadBack() throws Exception {
        StringBuilder json = new StringBuilder("{\"must\": [");
        for (int i = 0; i < FilterParser.MAX_CONDITIONS; i++) {
            json.append(i == 0 ? "" : ", ").append(i % 2 == 0 ? "{\"key\": \"k\", \"match\": {\"except\": [" + i + "]}}" : "{\"has_vector\": \"\"}");
        }
        assertRoundTrips(parse(json.append("]}").toString()));
    }

    @Test
    void refusesWhatNoJsonParsesTo() {
        var min = new ValueConditions.MinShould(List.of(new Condition.IsEmpty("a")), 1);
        assertThatThrownBy(() -> FilterJson.write(Filter.should(min))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min_should");
        assertThatThrownBy(() -> FilterJson.write(Filter.must(new ValueConditions.DatetimeRange("t", 0.0001, null, null, null))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("milliseconds");
    }
}
