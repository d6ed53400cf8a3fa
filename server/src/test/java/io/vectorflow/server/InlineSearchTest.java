package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cheap searches are answered on the network thread they arrived on; costly ones move to the
 * read lane before doing the costly part, and both answer the same.
 */
class InlineSearchTest {

    @TempDir
    Path dir;

    @Test
    void cheapSearchesNeedNoWorkerAndCostlyOnesMoveToOne() {
        try (TestServer s = new TestServer(dir)) {
            assertThat(s.call("PUT", "/collections/c", "{\"vectors\":{\"size\":4,\"distance\":\"Euclid\"}}").status()).isEqualTo(200);
            StringBuilder b = new StringBuilder("{\"points\":[");
            for (int i = 0; i < 500; i++) {
                b.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[").append(i).append(",")
                        .append(i % 7).append(",").append(i % 13).append(",1],\"payload\":{\"n\":").append(i).append("}}");
            }
            assertThat(s.call("PUT", "/collections/c/points?wait=true", b.append("]}").toString()).status()).isEqualTo(200);
            int before = s.server.readThreads();

            List<Long> direct = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                TestServer.Answer a = s.call("POST", "/collections/c/points/search",
                        "{\"vector\":[250,5,3,1],\"limit\":5,\"with_payload\":true}");
                assertThat(a.status()).isEqualTo(200);
                direct = ids(a.result());
                TestServer.Answer q = s.call("POST", "/collections/c/points/query", "{\"query\":[250,5,3,1],\"limit\":5}");
                assertThat(ids(q.result().get("points"))).isEqualTo(direct);
            }
            assertThat(direct.getFirst()).isEqualTo(250L);
            assertThat(s.server.readThreads()).as("read-lane threads after cheap searches only").isEqualTo(before);

            // A query with a prefetch stage is not bounded cheaply: it moves to the read lane and answers the same.
            TestServer.Answer staged = s.call("POST", "/collections/c/points/query",
                    "{\"prefetch\":{\"query\":[250,5,3,1],\"limit\":20},\"query\":[250,5,3,1],\"limit\":5}");
            assertThat(staged.status()).isEqualTo(200);
            assertThat(ids(staged.result().get("points"))).isEqualTo(direct);
            assertThat(s.server.readThreads()).as("read-lane threads after a staged query").isGreaterThan(before);

            // Errors found on the network thread are the same answers as on a worker.
            TestServer.Answer bad = s.call("POST", "/collections/c/points/search", "{\"vector\":[1,2,3],\"limit\":5}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.error()).contains("vector");
            assertThat(s.call("POST", "/collections/none/points/search", "{\"vector\":[1,2,3,4]}").status()).isEqualTo(404);
        }
    }

    private static List<Long> ids(JsonNode points) {
        List<Long> out = new ArrayList<>();
        points.forEach(p -> out.add(p.get("id").asLong()));
        return out;
    }
}
