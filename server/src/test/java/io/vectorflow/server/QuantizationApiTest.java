package io.vectorflow.server;

import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.VectorsFactory.vectors;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections;
import io.qdrant.client.grpc.Points;
import io.vectorflow.engine.Database;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quantization_config} and {@code params.quantization} as Qdrant's clients send them:
 * over REST and through the official Java client's gRPC, created, echoed, changed, turned off,
 * used by searches, and refused with a message naming the field when malformed.
 */
class QuantizationApiTest {

    private static final int DIM = 32;
    private static final int N = 3_000;

    @TempDir
    Path dir;

    private static float[] vector(int i) {
        Random r = new Random(i);
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            v[j] = (float) r.nextGaussian();
        }
        return v;
    }

    private static String points(int from, int to) {
        StringBuilder b = new StringBuilder("{\"points\":[");
        for (int i = from; i < to; i++) {
            b.append(i > from ? "," : "").append("{\"id\":").append(i).append(",\"vector\":").append(java.util.Arrays.toString(vector(i)))
                    .append(",\"payload\":{\"i\":").append(i).append("}}");
        }
        return b.append("]}").toString();
    }

    /** Waits until the collection reports every segment's codes built. */
    private static void awaitCodes(TestServer s, String name) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            s.post("/collections/" + name + "/points/search", "{\"vector\":" + java.util.Arrays.toString(vector(0)) + ",\"limit\":1}");
            if (s.get("/collections/" + name).result().path("vectorflow").path("quantization_complete").asBoolean()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("codes not built within a minute");
    }

    @Test
    void restCreatesEchoesSearchesAndChangesQuantization() throws Exception {
        // Compaction off: a merge right after the codes are built would leave one segment on floats for a moment.
        try (TestServer s = new TestServer(dir, Database.Options.defaults().withCompaction(false, 0))) {
            assertThat(s.put("/collections/q", "{\"vectors\":{\"size\":32,\"distance\":\"Cosine\"},"
                    + "\"optimizers_config\":{\"max_segment_size\":200},"
                    + "\"quantization_config\":{\"scalar\":{\"type\":\"int8\",\"quantile\":0.98,\"always_ram\":true}}}").status())
                    .isEqualTo(200);
            JsonNode q = s.get("/collections/q").result().path("config").path("quantization_config");
            assertThat(q.path("scalar").path("type").asText()).isEqualTo("int8");
            assertThat(q.path("scalar").path("quantile").asDouble()).isCloseTo(0.98, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(q.path("scalar").path("always_ram").asBoolean()).isTrue();
            for (int from = 0; from < N; from += 1_000) {
                assertThat(s.put("/collections/q/points?wait=true", points(from, from + 1_000)).status()).isEqualTo(200);
            }
            awaitCodes(s, "q");
            JsonNode memory = s.get("/collections/q").result().path("memory");
            assertThat(memory.path("ram_bytes").path("quantized_vectors").asLong()).isGreaterThanOrEqualTo(DIM * 1_000L);
            assertThat(memory.path("disk_bytes").path("quantized_vectors").asLong()).isGreaterThanOrEqualTo(DIM * 1_000L);
            assertThat(memory.path("disk_bytes").path("vectors").asLong()).isGreaterThanOrEqualTo(4L * DIM * 1_000);
            assertThat(memory.path("ram_bytes").path("total").asLong()).isGreaterThan(memory.path("ram_bytes").path("graph").asLong());
            assertThat(memory.path("monthly_cost_usd").path("total").asDouble()).isPositive();
            String metrics = s.get("/metrics").text();
            assertThat(metrics).containsPattern(
                    "vectorflow_collection_memory_bytes\\{collection=\"q\",component=\"quantized_vectors\",tier=\"ram\"} [1-9]");
            String query = java.util.Arrays.toString(vector(17));
            TestServer.Answer r = s.post("/collections/q/points/search", "{\"vector\":" + query + ",\"limit\":5,\"explain\":true,"
                    + "\"params\":{\"hnsw_ef\":64,\"quantization\":{\"rescore\":true,\"oversampling\":2.0}}}");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.result().get(0).path("id").asInt()).isEqualTo(17); // a stored vector's nearest is itself
            assertThat(r.result().get(0).path("score").asDouble()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            assertThat(r.json().path("performance").path("explain").toString()).contains("\"quantization\":\"int8\"");
            TestServer.Answer ignored = s.post("/collections/q/points/query", "{\"query\":" + query + ",\"limit\":5,\"explain\":true,"
                    + "\"params\":{\"quantization\":{\"ignore\":true}}}");
            assertThat(ignored.status()).isEqualTo(200);
            assertThat(ignored.json().path("performance").path("explain").toString()).doesNotContain("quantization");

            // Malformed settings name their field.
            assertThat(s.post("/collections/q/points/search", "{\"vector\":" + query + ",\"limit\":5,"
                    + "\"params\":{\"quantization\":{\"oversampling\":0.5}}}").error()).contains("params.quantization.oversampling");
            assertThat(s.put("/collections/bad", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
                    + "\"quantization_config\":{\"scalar\":{\"type\":\"int8\",\"quantile\":0.2}}}").error())
                    .contains("quantization_config.scalar.quantile");
            TestServer.Answer product = s.put("/collections/bad", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
                    + "\"quantization_config\":{\"product\":{\"compression\":\"x3\"}}}");
            assertThat(product.status()).isEqualTo(400);
            assertThat(product.error()).contains("quantization_config.product.compression");
            assertThat(s.put("/collections/bad", "{\"vectors\":{\"size\":4,\"distance\":\"Manhattan\"},"
                    + "\"quantization_config\":{\"binary\":{}}}").error()).contains("manhattan");
            assertThat(s.get("/collections/bad").status()).isEqualTo(404);

            // Changed to binary, then turned off: echoed each time, searches answer throughout.
            assertThat(s.call("PATCH", "/collections/q", "{\"quantization_config\":{\"binary\":{\"always_ram\":true}}}").status())
                    .isEqualTo(200);
            assertThat(s.get("/collections/q").result().path("config").path("quantization_config").has("binary")).isTrue();
            awaitCodes(s, "q");
            r = s.post("/collections/q/points/search", "{\"vector\":" + query + ",\"limit\":5,\"explain\":true,"
                    + "\"params\":{\"quantization\":{\"oversampling\":4}}}");
            assertThat(r.result().get(0).path("id").asInt()).isEqualTo(17);
            assertThat(r.json().path("performance").path("explain").toString()).contains("\"quantization\":\"binary\"");
            // Product codes: x16, echoed, searched
            assertThat(s.call("PATCH", "/collections/q", "{\"quantization_config\":{\"product\":{\"compression\":\"x16\"}}}")
                    .status()).isEqualTo(200);
            assertThat(s.get("/collections/q").result().path("config").path("quantization_config").path("product")
                    .path("compression").asText()).isEqualTo("x16");
            awaitCodes(s, "q");
            r = s.post("/collections/q/points/search", "{\"vector\":" + query + ",\"limit\":5,\"explain\":true,"
                    + "\"params\":{\"quantization\":{\"oversampling\":4}}}");
            assertThat(r.result().get(0).path("id").asInt()).isEqualTo(17);
            assertThat(r.json().path("performance").path("explain").toString()).contains("\"quantization\":\"product\"");
            assertThat(s.call("PATCH", "/collections/q", "{\"quantization_config\":\"Disabled\"}").status()).isEqualTo(200);
            assertThat(s.get("/collections/q").result().path("config").path("quantization_config").isNull()).isTrue();
        }
    }

    @Test
    void qdrantsGrpcClientSetsAndReadsQuantization() throws Exception {
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0));
             QdrantClient client = new QdrantClient(QdrantGrpcClient.newBuilder("127.0.0.1", server.grpcPort(), false).build())) {
            client.createCollectionAsync(Collections.CreateCollection.newBuilder().setCollectionName("g")
                    .setVectorsConfig(Collections.VectorsConfig.newBuilder().setParams(Collections.VectorParams.newBuilder()
                            .setSize(DIM).setDistance(Collections.Distance.Euclid)))
                    .setOptimizersConfig(Collections.OptimizersConfigDiff.newBuilder().setMaxSegmentSize(200))
                    .setQuantizationConfig(Collections.QuantizationConfig.newBuilder().setScalar(Collections.ScalarQuantization
                            .newBuilder().setType(Collections.QuantizationType.Int8).setQuantile(0.99f).setAlwaysRam(true)))
                    .build()).get();
            Collections.CollectionInfo info = client.getCollectionInfoAsync("g").get();
            assertThat(info.getConfig().getQuantizationConfig().getScalar().getType()).isEqualTo(Collections.QuantizationType.Int8);
            assertThat(info.getConfig().getQuantizationConfig().getScalar().getQuantile()).isEqualTo(0.99f);
            List<Points.PointStruct> pts = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                pts.add(Points.PointStruct.newBuilder().setId(id(i)).setVectors(vectors(vector(i))).build());
            }
            client.upsertAsync("g", pts).get();
            try (TestServer.Client rest = new TestServer.Client(server)) {
                awaitCodes(rest, "g");
            }
            List<Float> q = new ArrayList<>();
            for (float f : vector(99)) {
                q.add(f);
            }
            List<Points.ScoredPoint> hits = client.searchAsync(Points.SearchPoints.newBuilder().setCollectionName("g")
                    .addAllVector(q).setLimit(3).setParams(Points.SearchParams.newBuilder().setHnswEf(64)
                            .setQuantization(Points.QuantizationSearchParams.newBuilder().setRescore(true).setOversampling(2)))
                    .build()).get();
            assertThat(hits.getFirst().getId().getNum()).isEqualTo(99);
            assertThat(hits.getFirst().getScore()).isEqualTo(0f);

            client.updateCollectionAsync(Collections.UpdateCollection.newBuilder().setCollectionName("g")
                    .setQuantizationConfig(Collections.QuantizationConfigDiff.newBuilder()
                            .setDisabled(Collections.Disabled.getDefaultInstance())).build()).get();
            assertThat(client.getCollectionInfoAsync("g").get().getConfig().hasQuantizationConfig()).isFalse();
        }
    }
}
