package io.vectorflow.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.vectorflow.engine.Database;
import io.vectorflow.server.VectorFlowServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java client against a real server started in the test's JVM, with keys. */
class VectorFlowClientTest {

    private static final String ADMIN = "admin-key-0123456789abcdef";
    private static final String READER = "reader-key-0123456789abcdef";

    private static float[] vec(int dim, int seed) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = (float) Math.sin(seed * 1.7 + j);
        }
        return v;
    }

    private static Map<String, Object> filter(String key, Object value) {
        return Map.of("must", List.of(Map.of("key", key, "match", Map.of("value", value))));
    }

    @Test
    void everyCallWorksAgainstARealServerAndFailuresCarryTheServersMessage(@TempDir Path dir) throws Exception {
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0)
                     .withKeys(new VectorFlowServer.Keys(ADMIN, READER)));
             VectorFlowClient client = VectorFlowClient.builder().target("grpc://127.0.0.1:" + server.grpcPort()).apiKey(ADMIN).build();
             VectorFlowClient reader = VectorFlowClient.builder().target("127.0.0.1:" + server.grpcPort()).apiKey(READER).build();
             VectorFlowClient stranger = VectorFlowClient.builder().target("127.0.0.1:" + server.grpcPort()).build()) {

            assertThatThrownBy(stranger::listCollections).isInstanceOfSatisfying(VectorFlowException.class,
                    e -> assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED));

            client.createCollection("docs", 16, Distance.EUCLID);
            assertThat(client.collectionExists("docs")).isTrue();
            assertThat(client.collectionExists("nothing")).isFalse();
            assertThat(client.listCollections()).containsExactly("docs");
            assertThatThrownBy(() -> client.createCollection("docs", 16, Distance.EUCLID))
                    .isInstanceOfSatisfying(VectorFlowException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.ALREADY_EXISTS));

            // 2,500 points with 1 KiB of hard-to-compress text each (the snapshot spans several chunks):
            // three requests of at most 1,000, sent concurrently
            List<Point> points = new ArrayList<>();
            java.util.Random random = new java.util.Random(7);
            for (int i = 0; i < 2_500; i++) {
                String text = IntStream.range(0, 28).mapToObj(k -> new UUID(random.nextLong(), random.nextLong()).toString())
                        .collect(java.util.stream.Collectors.joining());
                points.add(Point.of(i, vec(16, i), Map.of("group", "g" + (i % 5), "n", i, "tags", List.of("a", "b"), "text", text)));
            }
            UUID uuid = UUID.fromString("5c56c793-69f3-4fbf-87e6-c4bf54c28c26");
            points.add(Point.of(uuid, vec(16, 9_999), Map.of("group", "uuid")));
            assertThat(client.upsert("docs", points)).isEqualTo(2_501);

            CollectionInfo info = client.collectionInfo("docs");
            assertThat(info.pointsCount()).isEqualTo(2_501);
            assertThat(info.dimension()).isEqualTo(16);
            assertThat(info.distance()).isEqualTo(Distance.EUCLID);
            assertThat(client.count("docs")).isEqualTo(2_501);
            assertThat(client.count("docs", Json.write(filter("group", "g3")))).isEqualTo(500);

            // what was written comes back exactly
            List<Point> got = client.get("docs", List.of(7L, 8, uuid, 123_456_789L));
            assertThat(got).containsExactlyInAnyOrder(points.get(7), points.get(8), points.get(2_500));
            assertThat(client.get("docs", List.of(7L), false, false)).containsExactly(new Point(7L, null, Map.of()));

            SearchResults hits = client.search("docs", Search.of(vec(16, 42)).limit(5).filter(filter("group", "g2")).withVector(true));
            assertThat(hits.points()).hasSize(5);
            assertThat(hits.points().getFirst().id()).isEqualTo(42L);
            assertThat(hits.points().getFirst().vector()).containsExactly(vec(16, 42));
            assertThat(hits.points()).allSatisfy(h -> assertThat(h.payload()).containsEntry("group", "g2"));
            assertThat(hits.performance().latencyMs()).isPositive();
            assertThat(hits.performance().vectorsScanned()).isPositive();
            assertThat(hits.performance().strategy()).isNotEmpty();
            assertThat(client.search("docs", Search.of(vec(16, 42)).limit(3).exact(true)).ids()).containsExactly(42L,
                    client.search("docs", vec(16, 42), 3).ids().get(1), client.search("docs", vec(16, 42), 3).ids().get(2));

            // 1,500 searches: two batch requests, answers in order and equal to single searches
            float[][] queries = IntStream.range(0, 1_500).mapToObj(i -> vec(16, i * 3 % 2_500)).toArray(float[][]::new);
            List<SearchResults> batch = client.searchBatch("docs", queries, 3);
            assertThat(batch).hasSize(1_500);
            for (int i : new int[] {0, 999, 1_000, 1_499}) {
                assertThat(batch.get(i).ids()).isEqualTo(client.search("docs", queries[i], 3).ids());
                assertThat(batch.get(i).ids().getFirst()).isEqualTo((long) (i * 3 % 2_500));
            }

            // scroll: every point once, in id order, numbers then UUIDs
            List<Object> ids = client.scroll("docs", null, 300, false, false).map(Point::id).toList();
            assertThat(ids).hasSize(2_501);
            assertThat(ids.subList(0, 2_500)).isEqualTo(IntStream.range(0, 2_500).mapToObj(i -> (Object) (long) i).toList());
            assertThat(ids.getLast()).isEqualTo(uuid);
            assertThat(client.scroll("docs", Json.write(filter("group", "uuid")), 10, true, true).toList())
                    .containsExactly(points.get(2_500));
            assertThat(client.scroll("docs").limit(3).map(Point::payload).toList()).allSatisfy(p -> assertThat(p).containsKey("n"));

            // bad input: the server's message names the field
            assertThatThrownBy(() -> client.upsert("docs", List.of(Point.of(1, new float[3]))))
                    .isInstanceOfSatisfying(VectorFlowException.class, e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getMessage()).contains("vector");
                    });
            assertThatThrownBy(() -> client.search("docs", Search.of(vec(16, 1)).filter("{\"must\": [{\"key\": \"n\", \"range\": 5}]}")))
                    .isInstanceOfSatisfying(VectorFlowException.class, e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getMessage()).contains("range");
                    });
            assertThatThrownBy(() -> client.search("nothing", vec(16, 1), 3))
                    .isInstanceOfSatisfying(VectorFlowException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
            assertThatThrownBy(() -> Point.of(-1, vec(16, 1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");

            // the read-only key reads and cannot write
            assertThat(reader.count("docs")).isEqualTo(2_501);
            assertThatThrownBy(() -> reader.upsert("docs", List.of(Point.of(1, vec(16, 1)))))
                    .isInstanceOfSatisfying(VectorFlowException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED));

            // snapshots: the streamed download is the same archive as the REST download
            SnapshotInfo snapshot = client.createSnapshot("docs");
            assertThat(snapshot.size()).isGreaterThan(2L << 20);
            assertThat(client.listSnapshots("docs")).containsExactly(snapshot);
            Path grpcCopy = dir.resolve("via-grpc.snapshot");
            assertThat(client.downloadSnapshot("docs", snapshot.name(), grpcCopy)).isEqualTo(snapshot.size());
            HttpResponse<byte[]> rest = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/collections/docs/snapshots/" + snapshot.name()))
                    .header("api-key", ADMIN).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(rest.statusCode()).isEqualTo(200);
            assertThat(Files.readAllBytes(grpcCopy)).isEqualTo(rest.body());
            assertThatThrownBy(() -> client.downloadSnapshot("docs", "docs-nothing.snapshot", dir.resolve("none")))
                    .isInstanceOfSatisfying(VectorFlowException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
            assertThat(dir.resolve("none")).doesNotExist();
            assertThat(dir.resolve("none.partial")).doesNotExist();
            assertThatThrownBy(() -> reader.createSnapshot("docs"))
                    .isInstanceOfSatisfying(VectorFlowException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED));
            client.deleteSnapshot("docs", snapshot.name());
            assertThat(client.listSnapshots("docs")).isEmpty();

            // deletes
            assertThat(client.delete("docs", List.of(1L, 2L, 123_456_789L))).isEqualTo(2);
            assertThat(client.deleteWhere("docs", filter("group", "g4"))).isEqualTo(500);
            assertThat(client.count("docs")).isEqualTo(2_501 - 2 - 500);
            assertThat(client.deleteCollection("docs")).isTrue();
            assertThat(client.deleteCollection("docs")).isFalse();
            assertThat(client.listCollections()).isEmpty();
        }
    }

    @Test
    void callsThatMayBeRepeatedAreRetriedUntilTheServerIsUpAndOthersAreNot(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (Database db = Database.open(dir);
             VectorFlowClient patient = VectorFlowClient.builder().target("127.0.0.1:" + port).retries(8, Duration.ofMillis(100)).build();
             VectorFlowClient hasty = VectorFlowClient.builder().target("127.0.0.1:" + port).retries(0, Duration.ofMillis(100)).build()) {
            assertThatThrownBy(hasty::listCollections)
                    .isInstanceOfSatisfying(VectorFlowException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThatThrownBy(() -> patient.createCollection("late", 4, Distance.COSINE))
                    .isInstanceOfSatisfying(VectorFlowException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
            int p = port;
            CompletableFuture<VectorFlowServer> started = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(700);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(p));
            });
            try {
                // waits up to 0.1 + 0.2 + ... + 12.8 s in all; the server is up after 0.7 s
                assertThat(patient.listCollections()).isEmpty();
            } finally {
                started.join().close();
            }
        }
    }

    @Test
    void aCallPastItsDeadlineIsCancelled(@TempDir Path dir) throws Exception {
        try (Database db = Database.open(dir);
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0));
             VectorFlowClient client = VectorFlowClient.builder().target("127.0.0.1:" + server.grpcPort()).build()) {
            client.createCollection("t", 8, Distance.COSINE);
            client.upsert("t", IntStream.range(0, 100).mapToObj(i -> Point.of(i, vec(8, i))).toList());
            assertThat(client.search("t", Search.of(vec(8, 5)).timeout(Duration.ofSeconds(10))).ids().getFirst()).isEqualTo(5L);
            assertThatThrownBy(() -> client.search("t", Search.of(vec(8, 5)).timeout(Duration.ofNanos(1))))
                    .isInstanceOfSatisfying(VectorFlowException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
            assertThatThrownBy(() -> VectorFlowClient.builder().timeout(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        }
    }
}
