package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.engine.Database;
import io.vectorflow.storage.PointId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API through a real HTTP client against a started server: shapes, errors, shutdown. */
class RestApiTest {

    @TempDir
    Path dir;

    private static String vec(int dim, double seed) {
        StringBuilder sb = new StringBuilder("[");
        for (int j = 0; j < dim; j++) {
            sb.append(j == 0 ? "" : ",").append(Math.sin(seed * 1.7 + j));
        }
        return sb.append(']').toString();
    }

    @Test
    void rootHealthAndEnvelope() {
        try (TestServer s = new TestServer(dir)) {
            // Qdrant's shape, unwrapped: clients read "version" at the top level.
            TestServer.Answer root = s.get("/");
            assertThat(root.status()).isEqualTo(200);
            assertThat(root.json().get("title").asText()).contains("vectorflow");
            assertThat(root.json().get("version").asText()).isEqualTo(VectorFlowServer.QDRANT_API_VERSION).matches("1\\.\\d+\\.\\d+");
            assertThat(root.json().get("vectorflow_version").asText()).isEqualTo(VectorFlowServer.VERSION);
            TestServer.Answer envelope = s.get("/collections");
            assertThat(envelope.json().get("status").asText()).isEqualTo("ok");
            assertThat(envelope.json().get("time").isNumber()).isTrue();
            assertThat(envelope.json().get("performance").get("latency_ms").isNumber()).isTrue();
            assertThat(s.get("/healthz").status()).isEqualTo(200);
            assertThat(s.get("/readyz").status()).isEqualTo(200);
            TestServer.Answer list = s.get("/collections");
            assertThat(list.result().get("collections").isArray()).isTrue();
        }
    }

    @Test
    void collectionLifecycleAndSettings() {
        try (TestServer s = new TestServer(dir)) {
            TestServer.Answer created = s.put("/collections/docs", """
                    {"vectors": {"size": 4, "distance": "Dot", "on_disk": true},
                     "hnsw_config": {"m": 8, "ef_construct": 64, "full_scan_threshold": 1000},
                     "optimizers_config": {"max_segment_size": 64, "compaction_mb_per_second": 50},
                     "wal_config": {"durability": "async"}, "shard_number": 3, "replication_factor": 2}""");
            assertThat(created.status()).isEqualTo(200);
            assertThat(created.result().asBoolean()).isTrue();
            assertThat(created.json().get("warnings").toString()).contains("shard_number", "replication_factor",
                    "hnsw_config.full_scan_threshold");
            TestServer.Answer info = s.get("/collections/docs");
            assertThat(info.result().at("/config/params/vectors/distance").asText()).isEqualTo("Dot");
            assertThat(info.result().at("/config/params/vectors/on_disk").asBoolean()).isTrue();
            assertThat(info.result().at("/config/hnsw_config/m").asInt()).isEqualTo(8);
            assertThat(info.result().at("/config/wal_config/durability").asText()).isEqualTo("async");
            assertThat(s.db.collection("docs").config().segmentCapacity()).isEqualTo(64 * 1024 / 16);
            assertThat(s.db.collection("docs").config().compactionMbPerSecond()).isEqualTo(50.0);
            // PATCH takes effect and keeps the data.
            s.put("/collections/docs/points?wait=true", "{\"points\": [{\"id\": 1, \"vector\": [1,0,0,0]}]}");
            TestServer.Answer patched = s.call("PATCH", "/collections/docs", """
                    {"hnsw_config": {"ef_construct": 99}, "optimizers_config": {"indexing_threshold": 20000},
                     "wal_config": {"durability": "fsync"}}""");
            assertThat(patched.status()).as(patched.text()).isEqualTo(200);
            assertThat(s.db.collection("docs").config().efConstruction()).isEqualTo(99);
            assertThat(s.db.collection("docs").config().indexingThresholdKb()).isEqualTo(20000);
            assertThat(s.get("/collections/docs").result().get("points_count").asInt()).isEqualTo(1);
            assertThat(s.get("/collections/docs/exists").result().get("exists").asBoolean()).isTrue();
            assertThat(s.call("DELETE", "/collections/docs", null).result().asBoolean()).isTrue();
            assertThat(s.get("/collections/docs/exists").result().get("exists").asBoolean()).isFalse();
        }
    }

    @Test
    void badInputGetsFourHundredsNamingTheField() {
        try (TestServer s = new TestServer(dir, Database.Options.defaults(), 64 * 1024)) {
            assertThat(s.put("/collections/c", "{\"vectors\": {\"size\": 3, \"distance\": \"Euclid\"}}").status()).isEqualTo(200);
            expect(s.put("/collections/c", "{\"vectors\": {\"size\": 3, \"distance\": \"Euclid\"}}"), 409, "already exists");
            expect(s.put("/collections/d", "{\"vectors\": {\"size\": 3, \"distance\": \"Hamming\"}}"), 400, "vectors.distance");
            expect(s.put("/collections/d", "{\"vectors\": {\"size\": \"big\", \"distance\": \"Dot\"}}"), 422, "vectors.size");
            expect(s.put("/collections/d", "{\"vectors\": {\"size\": 0, \"distance\": \"Dot\"}}"), 400, "vectors.size");
            expect(s.put("/collections/d", "{\"vectors\": {\"size\": 3, \"distance\": \"Dot\"}, \"colour\": 1}"), 400, "colour");
            expect(s.put("/collections/d", "{\"vectors\": {\"size\": 3, \"distance\": \"Dot\"}, \"sparse_vectors\": {\"s\": 1}}"),
                    422, "sparse_vectors.s");
            // One unnamed vector beside a sparse one: the unnamed one is named "".
            assertThat(s.put("/collections/u", "{\"vectors\": {\"size\": 3, \"distance\": \"Dot\"}, \"sparse_vectors\": {\"s\": {}}}")
                    .status()).isEqualTo(200);
            assertThat(s.get("/collections/u").json().at("/result/config/params/vectors/").path("size").asInt()).isEqualTo(3);
            assertThat(s.get("/collections/u").json().at("/result/config/params/sparse_vectors").has("s")).isTrue();
            assertThat(s.put("/collections/u/points?wait=true", "{\"points\": [{\"id\": 1, \"vector\": {\"\": [1, 2, 3],"
                    + " \"s\": {\"indices\": [4], \"values\": [1]}}}]}").status()).isEqualTo(200);
            assertThat(s.post("/collections/u/points/query", "{\"query\": [1, 2, 3], \"limit\": 1}").json()
                    .at("/result/points/0/id").asInt()).isEqualTo(1);
            expect(s.put("/collections/u/points", "{\"points\": [{\"id\": 2, \"vector\": [1, 2]}]}"), 400, "points[0].vector");
            // Clients that serialise unset optional fields as null (Qdrant's Python models do) are not refused.
            TestServer.Answer nulls = s.put("/collections/n", "{\"vectors\": {\"size\": 3, \"distance\": \"Dot\", \"on_disk\": null,"
                    + " \"datatype\": null}, \"hnsw_config\": null, \"sparse_vectors\": null, \"init_from\": null, \"colour\": null}");
            assertThat(nulls.status()).as(nulls.text()).isEqualTo(200);
            assertThat(nulls.json().has("warnings")).isFalse();
            expect(s.put("/collections/d", "{\"vectors\": {\"size\": 3, \"distance\": \"Dot\"}, \"hnsw_config\": {\"m\": 1}}"),
                    400, "hnsw_config.m");
            expect(s.put("/collections/bad%20name", "{\"vectors\": {\"size\": 3, \"distance\": \"Dot\"}}"), 400, "collection name");
            TestServer.Answer dots = s.put("/collections/..%2Fetc", "{\"vectors\": {\"size\": 3, \"distance\": \"Dot\"}}");
            assertThat(dots.status()).isBetween(400, 404);
            assertThat(dots.error()).isNotBlank();
            expect(s.put("/collections/c/points", "{\"points\": [{\"id\": 1, \"vector\": [1,2,3]}, {\"id\": 2, \"vector\": [1,2]}]}"),
                    400, "points[1].vector");
            expect(s.put("/collections/c/points", "{\"points\": [{\"id\": -1, \"vector\": [1,2,3]}]}"), 400, "points[0].id");
            expect(s.put("/collections/c/points", "{\"points\": [{\"id\": \"abc\", \"vector\": [1,2,3]}]}"), 400, "points[0].id");
            expect(s.put("/collections/c/points", "{\"points\": [{\"id\": 18446744073709551616, \"vector\": [1,2,3]}]}"), 400,
                    "points[0].id");
            expect(s.put("/collections/c/points", "{\"points\": [{\"id\": 1, \"vector\": [1e400,2,3]}]}"), 400,
                    "points[0].vector[0]");
            expect(s.put("/collections/c/points", "{\"points\": [{\"id\": 1, \"vector\": [NaN,2,3]}]}"), 400, "not valid JSON");
            expect(s.put("/collections/c/points", "{\"points\": [{\"id\": 1, \"vector\": [\"x\",2,3]}]}"), 422,
                    "points[0].vector[0]");
            expect(s.put("/collections/c/points", "{\"points\": [{\"id\": 1, \"vector\": [1,2,3], \"payload\": [1]}]}"), 422,
                    "points[0].payload");
            expect(s.put("/collections/c/points", "{\"batch\": {\"ids\": [1, 2], \"vectors\": [[1,2,3]]}}"), 400, "batch");
            expect(s.put("/collections/c/points", "{\"points\": [{\"id\": 1, \"vector\": [1,2,3]}"), 400, "not valid JSON");
            expect(s.put("/collections/nope/points", "{\"points\": []}"), 404, "nope");
            expect(s.post("/collections/c/points/query", "{\"query\": [1,2,3], \"limit\": 0}"), 400, "limit");
            expect(s.post("/collections/c/points/query", "{\"query\": [1,2,3], \"limit\": -5}"), 400, "limit");
            expect(s.post("/collections/c/points/query", "{\"query\": [1,2,3], \"params\": {\"hnsw_ef\": 0}}"), 400,
                    "params.hnsw_ef");
            expect(s.post("/collections/c/points/query", "{\"query\": [1,2,3], \"filter\": {\"must\": [{\"key\": \"a\"}]}}"), 400,
                    "filter.must[0]");
            expect(s.post("/collections/c/points/query", "{\"query\": [1,2,3], \"filter\": {\"must\": [{\"key\": \"a\", "
                    + "\"range\": {\"gt\": \"x\"}}]}}"), 400, "filter.must[0].range.gt");
            expect(s.post("/collections/c/points/query", "{\"query\": [1,2,3], \"with_payload\": 3}"), 422, "with_payload");
            expect(s.post("/collections/c/points/query", "{\"query\": [1,2,3], \"prefetch\": [{\"query\": [1,2,3], \"limit\": 0}]}"),
                    400, "prefetch[0].limit");
            expect(s.post("/collections/c/points/query", "{\"query\": {\"fusion\": \"rrf\"}}"), 400, "fusion");
            expect(s.post("/collections/c/points/query", "{\"query\": {\"nearest\": [1,2,3], \"mmr\": {\"diversity\": 2}}}"), 400,
                    "mmr.diversity");
            expect(s.post("/collections/c/points/query", "{\"query\": {\"recommend\": {\"positive\": []}}}"), 400, "recommend");
            expect(s.post("/collections/c/points/query", "{\"query\": {\"order_by\": {\"key\": \"a\", \"direction\": \"up\"}}}"),
                    400, "order_by.direction");
            expect(s.post("/collections/c/points/query", "{\"query\": [1,2,3], \"using\": \"img\"}"), 400, "using");
            expect(s.post("/collections/c/points/query/groups", "{\"query\": [1,2,3]}"), 400, "group_by");
            expect(s.post("/collections/c/points/query", "[1,2,3]"), 422, "request body");
            expect(s.post("/collections/c/points/scroll", "{\"offset\": {\"a\": 1}}"), 400, "offset");
            expect(s.post("/collections/c/points/delete", "{}"), 400, "points");
            expect(s.put("/collections/c/index", "{\"field_name\": \"a\", \"field_schema\": \"polygon\"}"), 400, "field_schema");
            // Over the body limit.
            StringBuilder big = new StringBuilder("{\"points\": [");
            for (int i = 0; i < 5_000; i++) {
                big.append(i == 0 ? "" : ",").append("{\"id\": ").append(i).append(", \"vector\": [1,2,3]}");
            }
            expect(s.put("/collections/c/points", big.append("]}").toString()), 413, "larger than the limit");
            expect(s.get("/no/such/endpoint"), 404, "no endpoint");
            // Nothing above broke the server or wrote anything.
            assertThat(s.get("/healthz").status()).isEqualTo(200);
            assertThat(s.post("/collections/c/points/count", "{}").result().get("count").asInt()).isZero();
        }
    }

    private static void expect(TestServer.Answer a, int status, String mention) {
        assertThat(a.status()).as(a.text()).isEqualTo(status);
        assertThat(a.error()).as(a.text()).isNotNull().contains(mention);
    }

    @Test
    void pointsPayloadsSearchAndScroll() {
        try (TestServer s = new TestServer(dir)) {
            s.put("/collections/p", "{\"vectors\": {\"size\": 8, \"distance\": \"Cosine\"}}");
            StringBuilder pts = new StringBuilder("{\"points\": [");
            for (int i = 0; i < 300; i++) {
                pts.append(i == 0 ? "" : ",").append("{\"id\": ").append(i).append(", \"vector\": ").append(vec(8, i))
                        .append(", \"payload\": {\"group\": \"g").append(i % 3).append("\", \"n\": ").append(i).append("}}");
            }
            assertThat(s.put("/collections/p/points?wait=true", pts.append("]}").toString()).result().get("status").asText())
                    .isEqualTo("completed");
            TestServer.Answer q = s.post("/collections/p/points/query", "{\"query\": " + vec(8, 42)
                    + ", \"limit\": 5, \"with_payload\": true, \"filter\": {\"must\": [{\"key\": \"group\", \"match\": {\"value\": \"g0\"}}]}}");
            assertThat(q.status()).as(q.text()).isEqualTo(200);
            assertThat(q.result().get("points").get(0).get("id").asInt()).isEqualTo(42);
            q.result().get("points").forEach(p -> assertThat(p.at("/payload/group").asText()).isEqualTo("g0"));
            var perf = q.json().get("performance");
            for (String f : List.of("latency_ms", "vectors_scanned", "segments_searched", "strategy", "cache_hit_rate",
                    "cost_estimate", "estimated_recall")) {
                assertThat(perf.has(f)).as(f).isTrue();
            }
            assertThat(perf.get("cache_hit_rate").asDouble()).isBetween(0.0, 1.0);
            assertThat(perf.get("cost_estimate").asDouble()).isPositive();
            // offset and score_threshold
            TestServer.Answer all = s.post("/collections/p/points/query", "{\"query\": " + vec(8, 42) + ", \"limit\": 4}");
            TestServer.Answer paged = s.post("/collections/p/points/query", "{\"query\": " + vec(8, 42) + ", \"limit\": 2, \"offset\": 2}");
            assertThat(paged.result().get("points").get(0).get("id")).isEqualTo(all.result().get("points").get(2).get("id"));
            double third = all.result().get("points").get(2).get("score").asDouble();
            TestServer.Answer thresholded = s.post("/collections/p/points/query", "{\"query\": " + vec(8, 42)
                    + ", \"limit\": 10, \"score_threshold\": " + third + "}");
            assertThat(thresholded.result().get("points").size()).isBetween(2, 3);
            // explain names a helpful index; creating it makes the count exact from bitmaps.
            TestServer.Answer explained = s.post("/collections/p/points/query", "{\"query\": " + vec(8, 1)
                    + ", \"explain\": true, \"filter\": {\"must\": [{\"key\": \"n\", \"range\": {\"lt\": 10}}]}}");
            assertThat(explained.json().at("/performance/explain/suggested_payload_indexes/n").asText()).isEqualTo("float");
            assertThat(s.put("/collections/p/index", "{\"field_name\": \"n\", \"field_schema\": \"integer\"}").status()).isEqualTo(200);
            explained = s.post("/collections/p/points/query", "{\"query\": " + vec(8, 1)
                    + ", \"explain\": true, \"filter\": {\"must\": [{\"key\": \"n\", \"range\": {\"lt\": 10}}]}}");
            assertThat(explained.json().at("/performance/explain/segments/0/selectivity_from").asText()).contains("payload index");
            assertThat(explained.json().at("/performance/strategy").asText()).isEqualTo("exact");
            assertThat(explained.result().get("points").size()).isEqualTo(10);
            assertThat(s.get("/collections/p").result().at("/payload_schema/n/points").asInt()).isEqualTo(300);
            // payload updates
            s.post("/collections/p/points/payload", "{\"payload\": {\"seen\": true}, \"filter\": {\"must\": [{\"key\": \"n\", \"range\": {\"lt\": 3}}]}}");
            assertThat(s.post("/collections/p/points/count", "{\"filter\": {\"must\": [{\"key\": \"seen\", \"match\": {\"value\": true}}]}}")
                    .result().get("count").asInt()).isEqualTo(3);
            s.put("/collections/p/points/payload", "{\"payload\": {\"x\": 1}, \"points\": [0]}");
            assertThat(s.get("/collections/p/points/0").result().get("payload").toString()).isEqualTo("{\"x\":1}");
            s.post("/collections/p/points/payload/clear", "{\"points\": [0]}");
            assertThat(s.get("/collections/p/points/0").result().get("payload").size()).isZero();
            // scroll covers everything once, in id order
            Set<Integer> seen = ConcurrentHashMap.newKeySet();
            String offset = "null";
            int prev = -1;
            do {
                TestServer.Answer page = s.post("/collections/p/points/scroll", "{\"limit\": 70, \"offset\": " + offset + "}");
                for (var p : page.result().get("points")) {
                    assertThat(p.get("id").asInt()).isGreaterThan(prev);
                    prev = p.get("id").asInt();
                    seen.add(prev);
                }
                offset = page.result().get("next_page_offset").toString();
            } while (!offset.equals("null"));
            assertThat(seen).hasSize(300);
            // delete by filter and by id
            s.post("/collections/p/points/delete", "{\"filter\": {\"must\": [{\"key\": \"group\", \"match\": {\"value\": \"g1\"}}]}}");
            s.post("/collections/p/points/delete", "{\"points\": [0, 3]}");
            assertThat(s.post("/collections/p/points/count", "{}").result().get("count").asInt()).isEqualTo(198);
            assertThat(s.post("/collections/p/points", "{\"ids\": [0, 1, 2, 5]}").result().size()).isEqualTo(2);
            // UUID ids in the column form
            assertThat(s.put("/collections/p/points", "{\"batch\": {\"ids\": [\"5c56c793-69f3-4fbf-87e6-c4bf54c28c26\"], "
                    + "\"vectors\": [" + vec(8, 7) + "]}}").status()).isEqualTo(200);
            assertThat(s.get("/collections/p/points/5c56c793-69f3-4fbf-87e6-c4bf54c28c26").status()).isEqualTo(200);
        }
    }

    @Test
    void gracefulShutdownKeepsEveryAcknowledgedWrite() throws Exception {
        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger next = new AtomicInteger();
        TestServer s = new TestServer(dir);
        s.put("/collections/w", "{\"vectors\": {\"size\": 16, \"distance\": \"Euclid\"}}");
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            writers.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    int first = next.getAndAdd(50);
                    StringBuilder b = new StringBuilder("{\"points\": [");
                    for (int i = first; i < first + 50; i++) {
                        b.append(i == first ? "" : ",").append("{\"id\": ").append(i).append(", \"vector\": ").append(vec(16, i)).append('}');
                    }
                    try {
                        if (s.put("/collections/w/points?wait=true", b.append("]}").toString()).status() == 200) {
                            for (int i = first; i < first + 50; i++) {
                                acknowledged.add(i);
                            }
                        }
                    } catch (RuntimeException e) {
                        return; // the server went away mid-request: that write was not acknowledged
                    }
                }
            }));
        }
        Thread.sleep(1_500);
        Thread closing = Thread.ofPlatform().start(s.server::close); // graceful: requests in flight finish first
        Thread.sleep(300); // writes keep arriving while it shuts down
        stop.set(true);
        closing.join();
        for (Thread w : writers) {
            w.join();
        }
        s.db.close();
        assertThat(acknowledged).isNotEmpty();
        try (Database reopened = Database.open(dir)) {
            var c = reopened.collection("w");
            List<PointId> ids = acknowledged.stream().map(i -> PointId.of(i)).toList();
            assertThat(c.get(ids, false, false)).hasSize(acknowledged.size());
        }
    }
}
