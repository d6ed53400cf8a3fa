package io.vectorflow.engine.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Json;
import io.vectorflow.storage.PointId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The filter model's semantics, against Qdrant's rules for payload values. */
class FilterTest {

    private static JsonNode payload(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    private static final PointId ID = PointId.of(7);

    @Test
    void matchComparesStringsNumbersAndBooleansAndLooksIntoArraysAndNestedObjects() throws Exception {
        JsonNode p = payload("{\"city\":\"Berlin\",\"n\":3,\"ok\":true,\"tags\":[\"a\",\"b\"],\"geo\":{\"country\":\"DE\"},"
                + "\"items\":[{\"sku\":\"x1\"},{\"sku\":\"x2\"}]}");
        assertThat(new Condition.Match("city", "Berlin").test(ID, p)).isTrue();
        assertThat(new Condition.Match("city", "berlin").test(ID, p)).isFalse();
        assertThat(new Condition.Match("n", 3).test(ID, p)).isTrue();
        assertThat(new Condition.Match("n", 3.0).test(ID, p)).isTrue();
        assertThat(new Condition.Match("n", "3").test(ID, p)).isFalse(); // no type coercion
        assertThat(new Condition.Match("ok", true).test(ID, p)).isTrue();
        assertThat(new Condition.Match("tags", "b").test(ID, p)).isTrue();
        assertThat(new Condition.Match("geo.country", "DE").test(ID, p)).isTrue();
        assertThat(new Condition.Match("items.sku", "x2").test(ID, p)).isTrue();
        assertThat(new Condition.Match("missing", "x").test(ID, p)).isFalse();
        assertThat(new Condition.MatchAny("city", List.of("Paris", "Berlin")).test(ID, p)).isTrue();
        assertThat(new Condition.MatchAny("tags", List.of("z")).test(ID, p)).isFalse();
    }

    @Test
    void rangeBoundsAreOpenOrClosedAsAsked() throws Exception {
        JsonNode p = payload("{\"price\":10,\"scores\":[1,50]}");
        assertThat(new Condition.Range("price", null, 10.0, null, 10.0).test(ID, p)).isTrue();
        assertThat(new Condition.Range("price", 10.0, null, null, null).test(ID, p)).isFalse();
        assertThat(new Condition.Range("price", null, null, 10.0, null).test(ID, p)).isFalse();
        assertThat(new Condition.Range("scores", 40.0, null, null, null).test(ID, p)).isTrue(); // any element
        assertThat(new Condition.Range("price", null, null, null, 5.0).test(ID, p)).isFalse();
        assertThatThrownBy(() -> new Condition.Range("price", null, null, null, null)).hasMessageContaining("gt, gte, lt, lte");
    }

    @Test
    void isEmptyMeansMissingNullOrEmptyArray() throws Exception {
        JsonNode p = payload("{\"a\":null,\"b\":[],\"c\":[1],\"d\":\"\"}");
        assertThat(new Condition.IsEmpty("a").test(ID, p)).isTrue();
        assertThat(new Condition.IsEmpty("b").test(ID, p)).isTrue();
        assertThat(new Condition.IsEmpty("c").test(ID, p)).isFalse();
        assertThat(new Condition.IsEmpty("d").test(ID, p)).isFalse();
        assertThat(new Condition.IsEmpty("zzz").test(ID, p)).isTrue();
    }

    @Test
    void mustShouldAndMustNotCombineAndNest() throws Exception {
        JsonNode p = payload("{\"color\":\"red\",\"size\":3}");
        Condition red = new Condition.Match("color", "red");
        Condition blue = new Condition.Match("color", "blue");
        Condition big = new Condition.Range("size", 5.0, null, null, null);
        assertThat(Filter.must(red).test(ID, p)).isTrue();
        assertThat(Filter.must(red, big).test(ID, p)).isFalse();
        assertThat(Filter.should(blue, red).test(ID, p)).isTrue();
        assertThat(Filter.should(blue, big).test(ID, p)).isFalse();
        assertThat(Filter.mustNot(blue).test(ID, p)).isTrue();
        assertThat(Filter.mustNot(red).test(ID, p)).isFalse();
        // (red AND NOT big) OR blue, nested
        Filter nested = Filter.should(new Filter(List.of(red), null, List.of(big)), blue);
        assertThat(nested.test(ID, p)).isTrue();
        assertThat(new Filter(null, null, null).test(ID, p)).isTrue(); // an empty filter accepts all
        assertThat(new Filter(List.of(new Condition.HasId(Set.of(PointId.of(7)))), null, null).needsPayload()).isFalse();
        assertThat(nested.needsPayload()).isTrue();
    }

    @Test
    void hasIdMatchesNumbersAndUuidsAndBadConditionsNameTheirKey() {
        Condition ids = new Condition.HasId(Set.of(PointId.of(7), PointId.parse("550e8400-e29b-41d4-a716-446655440000")));
        assertThat(ids.test(PointId.of(7), null)).isTrue();
        assertThat(ids.test(PointId.parse("550e8400-e29b-41d4-a716-446655440000"), null)).isTrue();
        assertThat(ids.test(PointId.of(8), null)).isFalse();
        assertThatThrownBy(() -> new Condition.Match("", "x")).hasMessageContaining("key");
        assertThatThrownBy(() -> new Condition.Match("k", List.of())).hasMessageContaining("'k'");
    }

    private static Filter parse(String json) throws Exception {
        return FilterParser.parse(Json.MAPPER.readTree(json), "filter");
    }

    @Test
    void theNewerConditionsFollowQdrantsRules() throws Exception {
        JsonNode p = payload("{\"note\": null, \"tags\": [\"a\", \"b\", \"c\"], \"people\": [{\"name\": \"ann\", \"age\": 20},"
                + " {\"name\": \"bob\", \"age\": 50}], \"text\": \"The Quick brown fox\", \"at\": \"2024-03-15T12:00:00+01:00\","
                + " \"loc\": {\"lon\": 13.4, \"lat\": 52.5}, \"items\": [{\"k\": \"x\"}]}");
        assertThat(parse("{\"must\": [{\"is_null\": {\"key\": \"note\"}}]}").test(ID, p)).isTrue();
        assertThat(parse("{\"must\": [{\"is_null\": {\"key\": \"missing\"}}]}").test(ID, p)).isFalse();
        assertThat(parse("{\"must\": [{\"key\": \"tags\", \"values_count\": {\"gte\": 3, \"lt\": 4}}]}").test(ID, p)).isTrue();
        // nested: both conditions on the same element; the flat form matches across elements
        assertThat(parse("{\"must\": [{\"nested\": {\"key\": \"people\", \"filter\": {\"must\": [{\"key\": \"name\","
                + " \"match\": {\"value\": \"ann\"}}, {\"key\": \"age\", \"range\": {\"gt\": 30}}]}}}]}").test(ID, p)).isFalse();
        assertThat(parse("{\"must\": [{\"key\": \"people[].name\", \"match\": {\"value\": \"ann\"}},"
                + " {\"key\": \"people[].age\", \"range\": {\"gt\": 30}}]}").test(ID, p)).isTrue();
        assertThat(parse("{\"must\": [{\"key\": \"text\", \"match\": {\"text\": \"fox QUICK\"}}]}").test(ID, p)).isTrue();
        assertThat(parse("{\"must\": [{\"key\": \"text\", \"match\": {\"phrase\": \"fox quick\"}}]}").test(ID, p)).isFalse();
        assertThat(parse("{\"must\": [{\"key\": \"at\", \"range\": {\"gte\": \"2024-03-15T11:00:00Z\", \"lt\": \"2024-03-15T11:00:01Z\"}}]}")
                .test(ID, p)).isTrue();
        assertThat(parse("{\"must\": [{\"key\": \"loc\", \"geo_radius\": {\"center\": {\"lon\": 13.41, \"lat\": 52.5},"
                + " \"radius\": 1000}}]}").test(ID, p)).isTrue();
        assertThat(parse("{\"must\": [{\"key\": \"loc\", \"geo_radius\": {\"center\": {\"lon\": 13.6, \"lat\": 52.5},"
                + " \"radius\": 1000}}]}").test(ID, p)).isFalse();
        assertThat(parse("{\"min_should\": {\"conditions\": [{\"key\": \"tags\", \"match\": {\"value\": \"a\"}},"
                + " {\"key\": \"tags\", \"match\": {\"value\": \"z\"}}, {\"key\": \"items[].k\", \"match\": {\"value\": \"x\"}}],"
                + " \"min_count\": 2}}").test(ID, p)).isTrue();
        assertThat(parse("{\"min_should\": {\"conditions\": [{\"key\": \"tags\", \"match\": {\"value\": \"a\"}},"
                + " {\"key\": \"tags\", \"match\": {\"value\": \"z\"}}], \"min_count\": 2}}").test(ID, p)).isFalse();
        assertThatThrownBy(() -> parse("{\"must\": [{\"key\": \"loc\", \"geo_radius\": {\"center\": {\"lon\": 200, \"lat\": 0},"
                + " \"radius\": 1}}]}")).hasMessageContaining("filter.must[0].geo_radius.center");
        assertThatThrownBy(() -> parse("{\"must\": [{\"key\": \"at\", \"range\": {\"gt\": \"yesterday\"}}]}"))
                .hasMessageContaining("filter.must[0].range.gt");
    }
}
