package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.engine.filter.FilterParser;
import io.vectorflow.storage.PointId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input: generated JSON bodies (built from the API's own field names, wrong types,
 * deep nesting, huge and odd numbers) and raw bytes sent to every JSON endpoint of a running
 * server. Every answer must be 2xx or 4xx with the error shape, within the client's timeout;
 * never a 500, never a hang. The filter parser is also fed generated filters directly: it either
 * returns a filter that evaluates without throwing, or refuses with an IllegalArgumentException.
 */
class HostileInputPropertiesTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> KEYS = List.of("vectors", "size", "distance", "on_disk", "hnsw_config", "m",
            "sparse_vectors", "modifier", "idf", "indices", "values", "name", "s",
            "ef_construct", "optimizers_config", "max_segment_size", "indexing_threshold", "wal_config", "durability", "points",
            "batch", "ids", "id", "vector", "payload", "payloads", "filter", "must", "should", "must_not", "key", "match",
            "value", "any", "except", "range", "gt", "gte", "lt", "lte", "has_id", "is_empty", "query", "nearest", "limit",
            "offset", "params", "hnsw_ef", "exact", "with_payload", "with_vector", "score_threshold", "explain", "searches",
            "field_name", "field_schema", "keys", "include", "exclude", "shard_number", "location", "a", "b.c", "",
            "prefetch", "fusion", "rrf", "k", "weights", "mmr", "diversity", "candidates_limit", "recommend", "positive",
            "negative", "strategy", "discover", "target", "context", "order_by", "direction", "start_from", "sample",
            "group_by", "group_size", "with_lookup", "collection", "using", "operations", "upsert", "delete", "set_payload",
            "actions", "create_alias", "alias_name", "collection_name", "is_null", "values_count", "nested", "text", "phrase",
            "geo_radius", "center", "radius", "lon", "lat", "geo_polygon", "exterior", "a[].b");
    private static final List<String> ENDPOINTS = List.of("PUT /collections/fuzz_new", "PATCH /collections/fuzz",
            "PUT /collections/fuzz/points", "POST /collections/fuzz/points", "POST /collections/fuzz/points/delete",
            "POST /collections/fuzz/points/scroll", "POST /collections/fuzz/points/count", "POST /collections/fuzz/points/payload",
            "PUT /collections/fuzz/points/payload", "POST /collections/fuzz/points/payload/delete",
            "POST /collections/fuzz/points/query", "POST /collections/fuzz/points/query/batch",
            "POST /collections/fuzz/points/search", "POST /collections/fuzz/points/search/batch", "PUT /collections/fuzz/index",
            "PUT /collections/fuzz/snapshots/recover", "POST /collections/fuzz/points/query/groups",
            "POST /collections/fuzz/points/search/groups", "POST /collections/fuzz/points/recommend",
            "POST /collections/fuzz/points/recommend/batch", "POST /collections/fuzz/points/discover",
            "POST /collections/fuzz/facet", "POST /collections/fuzz/points/batch", "PUT /collections/fuzz/points/vectors",
            "POST /collections/aliases", "POST /collections/fuzz/points/vectors/delete",
            "PUT /collections/fuzzn/points", "POST /collections/fuzzn/points/query", "POST /collections/fuzzn/points/search",
            "PUT /collections/fuzzn/points/vectors", "POST /collections/fuzzn/points/vectors/delete",
            "POST /collections/fuzzn/points/query/groups", "PATCH /collections/fuzzn");

    private static Path dir;
    private static TestServer server;

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("vectorflow-fuzz");
        server = new TestServer(dir, Database.Options.defaults().withRecallSampling(0), 1 << 20);
        server.put("/collections/fuzz", "{\"vectors\": {\"size\": 3, \"distance\": \"Cosine\"}}");
        server.put("/collections/fuzz/points", "{\"points\": [{\"id\": 1, \"vector\": [1,2,3], \"payload\": {\"a\": 1, \"b\": {\"c\": \"x\"}}},"
                + "{\"id\": 2, \"vector\": [3,2,1], \"payload\": {\"a\": [1, 2], \"b\": null}}]}");
        server.put("/collections/fuzzn", "{\"vectors\": {\"a\": {\"size\": 3, \"distance\": \"Cosine\"}, \"\": {\"size\": 2,"
                + " \"distance\": \"Euclid\"}}, \"sparse_vectors\": {\"s\": {\"modifier\": \"idf\"}}}");
        server.put("/collections/fuzzn/points", "{\"points\": [{\"id\": 1, \"vector\": {\"a\": [1,2,3], \"\": [1, 0],"
                + " \"s\": {\"indices\": [1, 5], \"values\": [0.5, 1]}}, \"payload\": {\"a\": 1}}, {\"id\": 2, \"vector\": {\"s\":"
                + " {\"indices\": [5], \"values\": [2]}}}]}");
    }

    @AfterContainer
    static void stop() throws Exception {
        server.close();
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<JsonNode> json() {
        return node(4);
    }

    private Arbitrary<JsonNode> node(int depth) {
        Arbitrary<JsonNode> leaf = Arbitraries.oneOf(
                Arbitraries.integers().between(-3, 300).map(i -> (JsonNode) F.numberNode(i)),
                Arbitraries.longs().map(l -> (JsonNode) F.numberNode(l)),
                Arbitraries.doubles().map(d -> (JsonNode) F.numberNode(d)),
                Arbitraries.of(new java.math.BigInteger("18446744073709551616"), new java.math.BigInteger("-1"))
                        .map(b -> (JsonNode) F.numberNode(b)),
                Arbitraries.of(true, false).map(b -> (JsonNode) F.booleanNode(b)),
                Arbitraries.of(KEYS).map(s -> (JsonNode) F.textNode(s)),
                Arbitraries.of("Cosine", "Dot", "Euclid", "keyword", "integer", "fsync", "5c56c793-69f3-4fbf-87e6-c4bf54c28c26",
                        "rrf", "dbsf", "random", "best_score", "sum_scores", "asc", "desc", "2024-01-01T00:00:00Z", "fuzz",
                        "../../etc/passwd", "\u0000", "x".repeat(300)).map(s -> (JsonNode) F.textNode(s)),
                Arbitraries.just((JsonNode) F.nullNode()));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<JsonNode> array = node(depth - 1).list().ofMaxSize(5).map(l -> {
            ArrayNode a = F.arrayNode();
            l.forEach(a::add);
            return a;
        });
        Arbitrary<JsonNode> object = Arbitraries.entries(Arbitraries.of(KEYS), node(depth - 1)).list().ofMaxSize(5).map(l -> {
            ObjectNode o = F.objectNode();
            l.forEach(e -> o.set(e.getKey(), e.getValue()));
            return o;
        });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, leaf), net.jqwik.api.Tuple.of(2, array),
                net.jqwik.api.Tuple.of(5, object));
    }

    @Property(tries = 400)
    void everyEndpointAnswersTwoOrFourHundredToGeneratedJson(@ForAll("json") JsonNode body,
                                                             @ForAll("endpoints") String endpoint) {
        String[] parts = endpoint.split(" ");
        TestServer.Answer a = server.call(parts[0], parts[1], body.toString());
        assertThat(a.status()).as(endpoint + " " + body + " -> " + a.text()).isLessThan(500);
        if (a.status() >= 400) {
            assertThat(a.error()).as(a.text()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> endpoints() {
        return Arbitraries.of(ENDPOINTS);
    }

    @Property(tries = 200)
    void rawBytesNeverBreakTheServer(@ForAll("endpoints") String endpoint, @ForAll("garbage") String body) {
        String[] parts = endpoint.split(" ");
        TestServer.Answer a = server.call(parts[0], parts[1], body);
        assertThat(a.status()).as(endpoint + " " + body + " -> " + a.text()).isLessThan(500);
    }

    @Provide
    Arbitrary<String> garbage() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200),
                Arbitraries.of("{", "[", "{\"points\": [", "{\"a\":1}}", "nul", "1e99999", "[".repeat(5_000) + "]".repeat(5_000),
                        "{\"query\": [" + "1,".repeat(10_000) + "1]}", "{\"filter\": " + "{\"must\": [".repeat(200) + "]}".repeat(200) + "}",
                        "\"\\ud800\"", "{\"limit\": 1e308}", "{\"limit\": 99999999999999999999}"));
    }

    @Property(tries = 1_000)
    void filterParserRefusesOrReturnsAFilterThatEvaluates(@ForAll("json") JsonNode filter, @ForAll("json") JsonNode payload) {
        Filter f;
        try {
            f = FilterParser.parse(filter, "filter");
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).startsWith("filter");
            return;
        }
        if (f != null) {
            f.test(PointId.of(1), payload.isObject() ? payload : null);
        }
    }
}
