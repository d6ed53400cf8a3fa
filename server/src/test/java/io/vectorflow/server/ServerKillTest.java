package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged REST writes survive SIGKILL: a server runs in a child JVM, three clients upsert
 * over HTTP (two into a collection of one vector, one into a collection of a named dense and a
 * sparse vector, some points lacking the dense one), the child is killed at a random moment, and
 * after a restart every point whose upsert was answered 200 is there with its payload and
 * vectors. Five cycles on one data directory.
 */
class ServerKillTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyAcknowledgedWriteSurvivesAKill(@TempDir Path dir) throws Exception {
        Random random = new Random(5);
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        Set<Long> acknowledgedNamed = ConcurrentHashMap.newKeySet();
        AtomicLong nextId = new AtomicLong();
        for (int cycle = 0; cycle < 5; cycle++) {
            Child child = Child.start(dir.resolve("data"));
            try {
                String base = "http://127.0.0.1:" + child.port();
                if (cycle == 0) {
                    assertThat(send("PUT", base + "/collections/k", "{\"vectors\": {\"size\": 4, \"distance\": \"Dot\"}}").statusCode())
                            .isEqualTo(200);
                    assertThat(send("PUT", base + "/collections/h", "{\"vectors\": {\"d\": {\"size\": 4, \"distance\": \"Dot\"}},"
                            + " \"sparse_vectors\": {\"s\": {\"modifier\": \"idf\"}}}").statusCode()).isEqualTo(200);
                } else {
                    verify(base, "k", acknowledged);
                    verify(base, "h", acknowledgedNamed);
                }
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> writers = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    boolean named = t == 2;
                    writers.add(Thread.ofPlatform().start(() -> {
                        while (!stop.get()) {
                            long first = nextId.getAndAdd(20);
                            StringBuilder b = new StringBuilder("{\"points\": [");
                            for (long id = first; id < first + 20; id++) {
                                b.append(id == first ? "" : ",").append("{\"id\": ").append(id).append(", \"vector\": ")
                                        .append(named ? namedVectors(id) : "[1," + id % 97 + ",2,3]")
                                        .append(", \"payload\": {\"id\": ").append(id).append("}}");
                            }
                            try {
                                String target = base + "/collections/" + (named ? "h" : "k") + "/points?wait=true";
                                if (send("PUT", target, b.append("]}").toString()).statusCode() == 200) {
                                    for (long id = first; id < first + 20; id++) {
                                        (named ? acknowledgedNamed : acknowledged).add(id);
                                    }
                                }
                            } catch (Exception e) {
                                return; // the server died mid-request: not acknowledged
                            }
                        }
                    }));
                }
                Thread.sleep(300 + random.nextInt(1_200));
                child.kill();
                stop.set(true);
                for (Thread w : writers) {
                    w.join();
                }
            } finally {
                child.kill();
            }
        }
        Child last = Child.start(dir.resolve("data"));
        try {
            verify("http://127.0.0.1:" + last.port(), "k", acknowledged);
            verify("http://127.0.0.1:" + last.port(), "h", acknowledgedNamed);
        } finally {
            last.kill();
        }
        assertThat(acknowledged).hasSizeGreaterThan(100);
        assertThat(acknowledgedNamed).hasSizeGreaterThan(50);
        System.out.printf("%,d acknowledged points (%,d with named and sparse vectors) checked after 5 kills%n",
                acknowledged.size() + acknowledgedNamed.size(), acknowledgedNamed.size());
    }

    /** Point id's vectors in the named collection: a dense "d" unless id % 3 == 0, always a sparse "s". */
    private static String namedVectors(long id) {
        String sparse = "\"s\": {\"indices\": [" + id % 50 + ", " + (100 + id % 7) + "], \"values\": [1, " + id % 11 + "]}";
        return id % 3 == 0 ? "{" + sparse + "}" : "{\"d\": [1, " + id % 97 + ", 2, 3], " + sparse + "}";
    }

    private static void verify(String base, String collection, Set<Long> acknowledged) throws Exception {
        List<Long> ids = new ArrayList<>(acknowledged);
        boolean named = collection.equals("h");
        for (int from = 0; from < ids.size(); from += 5_000) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 5_000));
            HttpResponse<String> r = send("POST", base + "/collections/" + collection + "/points", "{\"ids\": " + chunk
                    + ", \"with_payload\": true, \"with_vector\": " + named + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode points = Json.MAPPER.readTree(r.body()).get("result");
            assertThat(points.size()).as("acknowledged points present after a kill").isEqualTo(chunk.size());
            for (JsonNode p : points) {
                long id = p.get("id").asLong();
                assertThat(p.at("/payload/id").asLong()).isEqualTo(id);
                if (named) {
                    assertThat(p.at("/vector/s/indices").toString()).isEqualTo("[" + id % 50 + "," + (100 + id % 7) + "]");
                    assertThat(p.at("/vector/d").isArray()).as("point %d has d", id).isEqualTo(id % 3 != 0);
                    if (id % 3 != 0) {
                        assertThat(p.at("/vector/d/1").asDouble()).isEqualTo(id % 97);
                    }
                }
            }
        }
    }

    private static HttpResponse<String> send(String method, String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private record Child(ChildServer server, int port) {
        static Child start(Path data) throws Exception {
            ChildServer c = ChildServer.start(data, "512m");
            return new Child(c, c.port);
        }

        void kill() throws InterruptedException {
            server.kill(); // SIGKILL
        }
    }
}
