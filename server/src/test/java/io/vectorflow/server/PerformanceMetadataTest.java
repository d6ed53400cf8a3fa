package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code performance} object reports what actually happened: right after a segment searched
 * in place has its pages dropped from memory, {@code cache_hit_rate} is lower and
 * {@code cost_estimate} higher than for the same query warm. Runs in {@code target/}, on the
 * build's disk (a tmpfs /tmp would keep the pages in memory whatever we ask).
 */
class PerformanceMetadataTest {

    private Path dir;

    @AfterEach
    void cleanUp() throws IOException {
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void coldReadsShowInHitRateAndCost() throws IOException {
        dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "cold-cache");
        int dim = 256;
        try (TestServer s = new TestServer(dir, Database.Options.defaults().withPrefault(false).withRecallSampling(0))) {
            assertThat(s.put("/collections/cold", "{\"vectors\": {\"size\": " + dim + ", \"distance\": \"Euclid\", \"on_disk\": true}}")
                    .status()).isEqualTo(200);
            java.util.Random rnd = new java.util.Random(3);
            for (int batch = 0; batch < 10; batch++) {
                StringBuilder b = new StringBuilder("{\"points\": [");
                for (int i = 0; i < 2_000; i++) {
                    b.append(i == 0 ? "" : ",").append("{\"id\": ").append(batch * 2_000 + i).append(", \"vector\": [");
                    for (int j = 0; j < dim; j++) {
                        b.append(j == 0 ? "" : ",").append((float) rnd.nextGaussian());
                    }
                    b.append("]}");
                }
                assertThat(s.put("/collections/cold/points?wait=true", b.append("]}").toString()).status()).isEqualTo(200);
            }
            Collection c = s.db.collection("cold");
            c.flush(); // every point in a sealed segment, searched in place in its mapped file
            StringBuilder q = new StringBuilder("{\"limit\": 10, \"params\": {\"hnsw_ef\": 64}, \"query\": [");
            for (int j = 0; j < dim; j++) {
                q.append(j == 0 ? "" : ",").append((float) rnd.nextGaussian());
            }
            String query = q.append("]}").toString();
            double coldHits = 0, warmHits = 0, coldCost = 0, warmCost = 0;
            int rounds = 5;
            for (int r = 0; r < rounds; r++) {
                assertThat(c.dropPageCache()).isPositive();
                JsonNode cold = s.post("/collections/cold/points/query", query).json().get("performance");
                JsonNode warm = s.post("/collections/cold/points/query", query).json().get("performance");
                assertThat(cold.get("strategy").asText()).isEqualTo("hnsw");
                assertThat(cold.get("vectors_scanned").asLong()).isEqualTo(warm.get("vectors_scanned").asLong());
                coldHits += cold.get("cache_hit_rate").asDouble();
                warmHits += warm.get("cache_hit_rate").asDouble();
                coldCost += cold.get("cost_estimate").asDouble();
                warmCost += warm.get("cost_estimate").asDouble();
            }
            System.out.printf("cache_hit_rate cold %.3f warm %.3f; cost_estimate cold %.3e warm %.3e USD (means of %d)%n",
                    coldHits / rounds, warmHits / rounds, coldCost / rounds, warmCost / rounds, rounds);
            assertThat(warmHits / rounds).isEqualTo(1.0);
            assertThat(coldHits / rounds).isLessThan(0.8);
            assertThat(coldCost).isGreaterThan(warmCost);
        }
    }
}
