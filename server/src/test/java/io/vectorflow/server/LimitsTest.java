package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.vectorflow.api.v1.CreateCollectionRequest;
import io.vectorflow.api.v1.Distance;
import io.vectorflow.api.v1.Point;
import io.vectorflow.api.v1.PointId;
import io.vectorflow.api.v1.SearchRequest;
import io.vectorflow.api.v1.UpsertRequest;
import io.vectorflow.api.v1.VectorFlowGrpc;
import io.vectorflow.engine.Database;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every size, count, depth and shape a request can carry gets a 4xx (or gRPC status) naming what
 * is wrong, and nothing it sends leaves the server answering 500: each case a defect once seen.
 */
class LimitsTest {

    @TempDir
    static Path dir;
    static Database db;
    static VectorFlowServer server;
    static TestServer.Client http;
    static ManagedChannel channel;

    @BeforeAll
    static void start() {
        db = Database.open(dir.resolve("data"));
        server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0));
        http = new TestServer.Client(server);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        assertThat(http.put("/collections/l", "{\"vectors\": {\"size\": 4, \"distance\": \"Cosine\"}}").status()).isEqualTo(200);
        StringBuilder points = new StringBuilder("{\"points\": [");
        for (int i = 0; i < 500; i++) {
            points.append(i == 0 ? "" : ",").append("{\"id\": ").append(i).append(", \"vector\": [1, ").append(i % 7)
                    .append(", 2, ").append(i % 11).append("], \"payload\": {\"n\": ").append(i).append(", \"tag\": \"t")
                    .append(i % 5).append("\"}}");
        }
        assertThat(http.put("/collections/l/points", points.append("]}").toString()).status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
        db.close();
    }

    private static void expect(TestServer.Answer a, int status, String mention) {
        assertThat(a.status()).as(a.text()).isEqualTo(status);
        assertThat(a.error()).as(a.text()).containsIgnoringCase(mention);
    }

    @Test
    void payloadKeysDeeperThanTheNestingLimitOrWithEmptyPartsAreRefusedAndPointsStayReadable() {
        String deep = String.join(".", java.util.Collections.nCopies(70, "k"));
        expect(http.post("/collections/l/points/payload", "{\"payload\": {\"x\": 1}, \"points\": [1], \"key\": \"" + deep + "\"}"),
                400, "key");
        expect(http.post("/collections/l/points/payload/delete", "{\"keys\": [\".\"], \"points\": [1]}"), 400, "keys[0]");
        expect(http.post("/collections/l/points/payload", "{\"payload\": {\"x\": 1}, \"points\": [1], \"key\": \"a..b\"}"),
                400, "empty part");
        // A key just inside the limit, with a payload that would nest past it: refused as a whole.
        String nested = "{\"v\": ".repeat(20) + "1" + "}".repeat(20);
        String key = String.join(".", java.util.Collections.nCopies(20, "k"));
        expect(http.post("/collections/l/points/payload", "{\"payload\": " + nested + ", \"points\": [1], \"key\": \"" + key + "\"}"),
                400, "levels deep");
        assertThat(http.get("/collections/l/points/1").status()).isEqualTo(200);
        assertThat(http.post("/collections/l/points/scroll", "{\"filter\": {\"must\": [{\"key\": \"tag\", \"match\": {\"value\": \"t1\"}}]}}")
                .status()).isEqualTo(200);
    }

    @Test
    void aSearchBatchAskingForTooManyHitsIsRefusedAtOnce() {
        StringBuilder b = new StringBuilder("{\"searches\": [");
        for (int i = 0; i < 1000; i++) {
            b.append(i == 0 ? "" : ",").append("{\"query\": [1, 0, 0, 0], \"limit\": 10000}");
        }
        long start = System.nanoTime();
        TestServer.Answer a = http.post("/collections/l/points/query/batch", b.append("]}").toString());
        expect(a, 400, "searches ask for 10000000 hits");
        assertThat((System.nanoTime() - start) / 1_000_000).as("refused before any search runs").isLessThan(5_000);
    }

    @Test
    void aMillionMatchAnyValuesAndTenThousandShouldClausesAreCheap() {
        StringBuilder any = new StringBuilder("{\"filter\": {\"must\": [{\"key\": \"n\", \"match\": {\"any\": [");
        for (int i = 0; i < 1_000_000; i++) {
            any.append(i == 0 ? "" : ",").append(i * 2 + 1_000_000);
        }
        any.append(", 7]}}]}, \"exact\": true}");
        long start = System.nanoTime();
        TestServer.Answer a = http.post("/collections/l/points/count", any.toString());
        long anyMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        assertThat(a.result().get("count").asInt()).isEqualTo(1);
        StringBuilder should = new StringBuilder("{\"filter\": {\"should\": [");
        for (int i = 0; i < 9_999; i++) {
            should.append(i == 0 ? "" : ",").append("{\"key\": \"n\", \"match\": {\"value\": ").append(i + 100_000).append("}}");
        }
        should.append(", {\"key\": \"n\", \"match\": {\"value\": 3}}]}}");
        start = System.nanoTime();
        a = http.post("/collections/l/points/count", should.toString());
        long shouldMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        assertThat(a.result().get("count").asInt()).isEqualTo(1);
        System.out.printf("count with match.any of 1,000,001 values: %,d ms; with 10,000 should clauses over 500 points: %,d ms%n",
                anyMillis, shouldMillis);
        assertThat(anyMillis).isLessThan(10_000);
    }

    @Test
    void aTimeoutStopsTheWorkAndIsAnswered408() {
        // 10,000 should clauses over 500 points, exact: far more than 1 ms of work.
        StringBuilder should = new StringBuilder("{\"query\": [1, 0, 0, 0], \"params\": {\"exact\": true}, \"filter\": {\"should\": [");
        for (int i = 0; i < 9_999; i++) {
            should.append(i == 0 ? "" : ",").append("{\"key\": \"tag\", \"match\": {\"value\": \"x").append(i).append("\"}}");
        }
        String body = should.append("]}}").toString();
        expect(http.post("/collections/l/points/query?timeout=0", body), 400, "timeout");
        expect(http.post("/collections/l/points/query?timeout=abc", body), 400, "timeout");
        TestServer.Answer ok = http.post("/collections/l/points/query?timeout=30", body);
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
    }

    @Test
    void jsonIsParsedStrictly() {
        expect(http.post("/collections/l/points/query", "{\"query\": [1, 0, 0, 0], \"limit\": 1, \"limit\": 2}"), 400, "duplicate");
        expect(http.post("/collections/l/points/query", "{\"query\": [1, 0, 0, 0]} trailing"), 400, "not valid JSON");
        expect(http.post("/collections/l/points", "{\"ids\": [\"+0000000-0000-0000-0000-000000000001\"]}"), 400, "ids[0]");
        expect(http.post("/collections/l/points", "{\"ids\": [\"\uFF11" + "0000000-0000-0000-0000-000000000001\"]}"), 400, "ids[0]");
        expect(http.get("/collections/l/points/%D9%A3"), 400, "point id");
        expect(http.get("/collections/l/points/+5"), 400, "point id");
        expect(http.put("/collections/" + "x".repeat(65), "{\"vectors\": {\"size\": 4, \"distance\": \"Dot\"}}"), 400, "1-64");
        assertThat(http.put("/collections/" + "x".repeat(64), "{\"vectors\": {\"size\": 4, \"distance\": \"Dot\"}}").status())
                .isEqualTo(200);
    }

    @Test
    void settingsThatWouldReserveMoreThanThisServerHasAreRefusedNamingTheField() {
        expect(http.put("/collections/huge", "{\"vectors\": {\"size\": 4, \"distance\": \"Dot\"},"
                + " \"optimizers_config\": {\"max_segment_size\": 400000000}}"), 400, "optimizers_config.max_segment_size");
        assertThat(http.get("/collections/huge").status()).isEqualTo(404);
    }

    @Test
    void snapshotArchivesThatAreNotSoundAreRefusedWith400() throws Exception {
        expect(upload("garbage".repeat(1000).getBytes(StandardCharsets.UTF_8)), 400, "snapshot archive");
        TestServer.Answer made = http.post("/collections/l/snapshots", "");
        assertThat(made.status()).as(made.text()).isEqualTo(200);
        byte[] good = Files.readAllBytes(db.snapshotFile("l", made.result().get("name").asText().replace(".snapshot", "")));
        expect(upload(java.util.Arrays.copyOf(good, good.length / 2)), 400, "snapshot archive");
        expect(upload(retar(good, "MANIFEST", "vectorflow-manifest 1\ngeneration x\n".getBytes(StandardCharsets.UTF_8))), 400,
                "snapshot archive");
        expect(upload(retar(good, "collection.json", "{not json".getBytes(StandardCharsets.UTF_8))), 400, "collection.json");
        TestServer.Answer ok = upload(good);
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        assertThat(http.post("/collections/restored/points/count", "{}").result().get("count").asInt()).isEqualTo(500);
    }

    private static TestServer.Answer upload(byte[] archive) throws Exception {
        var r = http.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(http.url()
                        + "/collections/restored/snapshots/upload")).header("content-type", "application/octet-stream")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(archive)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().startsWith("{") ? io.vectorflow.engine.Json.MAPPER.readTree(r.body()) : null;
        return new TestServer.Answer(r.statusCode(), json, r.body());
    }

    /** The archive with one entry's content replaced. */
    private static byte[] retar(byte[] archive, String name, byte[] content) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(new ByteArrayInputStream(archive));
             var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
            tar.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                byte[] bytes = e.getName().equals(name) ? content : in.readAllBytes();
                var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(e.getName());
                entry.setSize(bytes.length);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void interruptedSnapshotsLeaveNothingBehindAfterAReopen(@TempDir Path other) throws Exception {
        Path data = other.resolve("d");
        try (Database d = Database.open(data)) {
            d.createCollection(io.vectorflow.engine.CollectionConfig.of("s", 4, "dot"));
        }
        Path folder = data.resolve("snapshots").resolve("s");
        Files.createDirectories(folder.resolve(".taking-x-1").resolve("segments"));
        Files.writeString(folder.resolve(".partial-x-1"), "half a tar");
        Files.writeString(data.resolve("snapshots").resolve(".upload-1"), "half an upload");
        Files.writeString(folder.resolve("kept.snapshot"), "a finished one");
        try (Database d = Database.open(data)) {
            assertThat(d.listSnapshots("s")).containsExactly("kept");
            try (var s = Files.list(folder)) {
                assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("kept.snapshot");
            }
            assertThat(data.resolve("snapshots").resolve(".upload-1")).doesNotExist();
        }
    }

    @Test
    void asyncCollectionsHoldNoThreadOfTheirOwn() throws Exception {
        int before = Thread.activeCount();
        for (int i = 0; i < 200; i++) {
            assertThat(http.put("/collections/a" + i, "{\"vectors\": {\"size\": 4, \"distance\": \"Dot\"},"
                    + " \"wal_config\": {\"durability\": \"async\"}}").status()).isEqualTo(200);
            assertThat(http.put("/collections/a" + i + "/points", "{\"points\": [{\"id\": 1, \"vector\": [1, 2, 3, 4]}]}").status())
                    .isEqualTo(200);
        }
        Thread.sleep(500);
        int after = Thread.activeCount();
        System.out.printf("threads before 200 async collections: %d, after: %d%n", before, after);
        assertThat(after - before).as("threads added by 200 async collections").isLessThan(40);
    }

    @Test
    void grpcAppliesTheSameChecksAndAnswersWithFittingStatuses() {
        var stub = VectorFlowGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        assertThatThrownBy(() -> stub.createCollection(CreateCollectionRequest.newBuilder().setName("g").setSize(4)
                .setDistance(Distance.DOT).setEfConstruct(100_000).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("ef_construct");
                });
        assertThatThrownBy(() -> stub.search(SearchRequest.newBuilder().setCollection("l").addVector(1).addVector(0).addVector(0)
                .addVector(0).setScoreThreshold(Float.NaN).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("score_threshold");
                });
        assertThatThrownBy(() -> stub.search(SearchRequest.newBuilder().setCollection("missing").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                        .isEqualTo(Status.Code.NOT_FOUND));
        // Over the 32 MiB message limit: RESOURCE_EXHAUSTED, not an HTTP 413 the client sees as UNKNOWN.
        UpsertRequest.Builder big = UpsertRequest.newBuilder().setCollection("l");
        String pad = "x".repeat(1 << 20);
        for (int i = 0; i < 34; i++) {
            big.addPoints(Point.newBuilder().setId(PointId.newBuilder().setNum(10_000 + i)).addVector(1).addVector(1).addVector(1)
                    .addVector(1).setPayloadJson("{\"p\": \"" + pad + "\"}"));
        }
        assertThatThrownBy(() -> stub.upsert(big.build())).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        // Bytes that are not a valid message: truncated, and a string field holding invalid UTF-8.
        byte[] valid = SearchRequest.newBuilder().setCollection("l").addVector(1).addVector(0).addVector(0).addVector(0).build()
                .toByteArray();
        assertThat(rawSearch(java.util.Arrays.copyOf(valid, valid.length - 3))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(rawSearch(new byte[] {0x0a, 0x02, (byte) 0xc3, (byte) 0x28})).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    /** Sends raw bytes as a Search request; returns the status code it got. */
    private static Status.Code rawSearch(byte[] bytes) {
        MethodDescriptor.Marshaller<byte[]> raw = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(byte[] value) {
                return new ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(InputStream stream) {
                try {
                    return stream.readAllBytes();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("vectorflow.v1.VectorFlow/Search")
                .setRequestMarshaller(raw).setResponseMarshaller(raw).build();
        try {
            ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), bytes);
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }
}
