package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vectorflow.api.v1.CountRequest;
import io.vectorflow.api.v1.VectorFlowGrpc;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} scraped and parsed by a third-party Prometheus text-format parser
 * ({@code parse-prometheus-text-format}, pinned in src/test/js), with the expected series present
 * and holding the values the test caused.
 */
class MetricsTest {

    @Test
    void scrapeParsesAndHoldsTheExpectedSeries(@TempDir Path dir) throws Exception {
        QdrantJsClientTest.installClient();
        try (Database db = Database.open(dir, Database.Options.defaults().withRecallSampling(1.0));
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0));
             TestServer.Client s = new TestServer.Client(server)) {
            s.put("/collections/m", "{\"vectors\": {\"size\": 4, \"distance\": \"Euclid\"}}");
            StringBuilder pts = new StringBuilder("{\"points\": [");
            for (int i = 0; i < 50; i++) {
                pts.append(i == 0 ? "" : ",").append("{\"id\": ").append(i).append(", \"vector\": [").append(i).append(",1,2,3]}");
            }
            s.put("/collections/m/points?wait=true", pts.append("]}").toString());
            for (int i = 0; i < 20; i++) {
                s.post("/collections/m/points/query", "{\"query\": [" + i + ",1,2,3], \"limit\": 3}");
            }
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
            VectorFlowGrpc.newBlockingStub(channel).count(CountRequest.newBuilder().setCollection("m").build());
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            Thread.sleep(1_000); // let the recall sampler re-run a few searches

            JsonNode families = parse(s.url()).get("families");
            List<String> names = new ArrayList<>();
            families.fieldNames().forEachRemaining(names::add);
            assertThat(names).as(String.join(", ", names)).contains(
                    "vectorflow_collection_points", "vectorflow_collection_segments", "vectorflow_collection_unindexed_points",
                    "vectorflow_collection_disk_bytes", "vectorflow_wal_written_bytes_total", "vectorflow_wal_fsync_seconds",
                    "vectorflow_compactions_total", "vectorflow_estimated_recall", "vectorflow_http_requests_total",
                    "vectorflow_http_total_duration_seconds", "vectorflow_grpc_requests_total", "jvm_memory_used_bytes",
                    "jvm_gc_memory_allocated_bytes_total");
            assertThat(sample(families, "vectorflow_collection_points", "collection", "m").path("value").asDouble()).isEqualTo(50);
            assertThat(families.at("/vectorflow_wal_fsync_seconds/type").asText()).isEqualTo("SUMMARY");
            assertThat(families.at("/vectorflow_http_total_duration_seconds/type").asText()).isEqualTo("HISTOGRAM");
            // Per endpoint and method: the query route counted 20 times.
            double queries = 0;
            for (JsonNode x : families.at("/vectorflow_http_requests_total/samples")) {
                String labels = x.get("labels").toString();
                if (labels.contains("/points/query") && labels.contains("POST")) {
                    queries += x.path("value").asDouble();
                }
            }
            assertThat(queries).as(families.get("vectorflow_http_requests_total").toString()).isEqualTo(20);
            JsonNode grpc = families.at("/vectorflow_grpc_requests_total/samples");
            assertThat(grpc.toString()).contains("\"method\":\"Count\"", "\"service\":\"vectorflow.v1.VectorFlow\"",
                    "\"result\":\"success\"");
        }
    }

    private static JsonNode sample(JsonNode families, String family, String label, String value) {
        for (JsonNode x : families.at("/" + family + "/samples")) {
            if (value.equals(x.at("/labels/" + label).asText())) {
                return x;
            }
        }
        throw new AssertionError("no " + family + "{" + label + "=\"" + value + "\"} in " + families.get(family));
    }

    private static JsonNode parse(String url) throws Exception {
        Path js = Path.of("src/test/js").toAbsolutePath();
        Path log = Files.createTempFile("metrics", ".json");
        try {
            Process p = new ProcessBuilder("node", "parse-metrics.mjs", url).directory(js.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isZero();
            return Json.MAPPER.readTree(out.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow(() ->
                    new AssertionError("parser printed no JSON:\n" + out)));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
