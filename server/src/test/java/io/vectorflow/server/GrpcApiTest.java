package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.vectorflow.api.v1.CountRequest;
import io.vectorflow.api.v1.CreateCollectionRequest;
import io.vectorflow.api.v1.DeleteRequest;
import io.vectorflow.api.v1.Distance;
import io.vectorflow.api.v1.GetCollectionRequest;
import io.vectorflow.api.v1.GetRequest;
import io.vectorflow.api.v1.ListCollectionsRequest;
import io.vectorflow.api.v1.Point;
import io.vectorflow.api.v1.PointId;
import io.vectorflow.api.v1.ScrollRequest;
import io.vectorflow.api.v1.ScrollResponse;
import io.vectorflow.api.v1.SearchBatchRequest;
import io.vectorflow.api.v1.SearchRequest;
import io.vectorflow.api.v1.SearchResponse;
import io.vectorflow.api.v1.UpsertRequest;
import io.vectorflow.api.v1.VectorFlowGrpc;
import io.vectorflow.engine.Database;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC API through grpc-java's own client (generated stubs, Netty transport) against a real server. */
class GrpcApiTest {

    private static List<Float> vec(int dim, double seed) {
        List<Float> v = new ArrayList<>();
        for (int j = 0; j < dim; j++) {
            v.add((float) Math.sin(seed * 1.7 + j));
        }
        return v;
    }

    private static PointId num(long n) {
        return PointId.newBuilder().setNum(n).build();
    }

    @Test
    void roundTripsThroughGeneratedStubs(@TempDir Path dir) throws Exception {
        try (Database db = Database.open(dir);
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0))) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
            try {
                var stub = VectorFlowGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
                stub.createCollection(CreateCollectionRequest.newBuilder().setName("g").setSize(8).setDistance(Distance.COSINE).build());
                assertThat(stub.listCollections(ListCollectionsRequest.getDefaultInstance()).getNamesList()).contains("g");
                UpsertRequest.Builder up = UpsertRequest.newBuilder().setCollection("g");
                for (int i = 0; i < 300; i++) {
                    up.addPoints(Point.newBuilder().setId(num(i)).addAllVector(vec(8, i))
                            .setPayloadJson("{\"group\": \"g" + (i % 3) + "\", \"n\": " + i + "}"));
                }
                up.addPoints(Point.newBuilder().setId(PointId.newBuilder().setUuid("5c56c793-69f3-4fbf-87e6-c4bf54c28c26"))
                        .addAllVector(vec(8, 1000)));
                assertThat(stub.upsert(up.build()).getAffected()).isEqualTo(301);
                var info = stub.getCollection(GetCollectionRequest.newBuilder().setName("g").build());
                assertThat(info.getPointsCount()).isEqualTo(301);
                assertThat(info.getDistance()).isEqualTo(Distance.COSINE);

                SearchResponse r = stub.search(SearchRequest.newBuilder().setCollection("g").addAllVector(vec(8, 42)).setLimit(5)
                        .setWithPayload(true).setFilterJson("{\"must\": [{\"key\": \"group\", \"match\": {\"value\": \"g0\"}}]}").build());
                assertThat(r.getPointsList()).hasSize(5);
                assertThat(r.getPoints(0).getId().getNum()).isEqualTo(42);
                assertThat(r.getPointsList()).allMatch(p -> p.getPayloadJson().contains("\"g0\""));
                assertThat(r.getPerformance().getVectorsScanned()).isPositive();
                assertThat(r.getPerformance().getStrategy()).isNotEmpty();

                var batch = stub.searchBatch(SearchBatchRequest.newBuilder()
                        .addSearches(SearchRequest.newBuilder().setCollection("g").addAllVector(vec(8, 7)).setLimit(1))
                        .addSearches(SearchRequest.newBuilder().setCollection("g").addAllVector(vec(8, 9)).setLimit(1)).build());
                assertThat(batch.getResultsList()).extracting(x -> x.getPoints(0).getId().getNum()).containsExactly(7L, 9L);

                var got = stub.get(GetRequest.newBuilder().setCollection("g").addIds(num(3))
                        .addIds(PointId.newBuilder().setUuid("5c56c793-69f3-4fbf-87e6-c4bf54c28c26")).setWithVector(true).build());
                assertThat(got.getPointsList()).hasSize(2);
                assertThat(got.getPoints(0).getVectorCount()).isEqualTo(8);

                Set<Long> seen = new HashSet<>();
                ScrollResponse page = null;
                do {
                    var req = ScrollRequest.newBuilder().setCollection("g").setLimit(64);
                    if (page != null) {
                        req.setOffset(page.getNextPageOffset());
                    }
                    page = stub.scroll(req.build());
                    page.getPointsList().forEach(p -> seen.add(p.getId().hasUuid() ? -1L : p.getId().getNum()));
                } while (page.hasNextPageOffset());
                assertThat(seen).hasSize(301);

                assertThat(stub.delete(DeleteRequest.newBuilder().setCollection("g")
                        .setFilterJson("{\"must\": [{\"key\": \"group\", \"match\": {\"value\": \"g1\"}}]}").build()).getAffected())
                        .isEqualTo(100);
                assertThat(stub.count(CountRequest.newBuilder().setCollection("g").build()).getCount()).isEqualTo(201);

                // Errors: status codes with the field named, as in REST.
                expect(() -> stub.search(SearchRequest.newBuilder().setCollection("g").addAllVector(vec(4, 1)).build()),
                        Status.Code.INVALID_ARGUMENT, "vector has dimension 4");
                expect(() -> stub.upsert(UpsertRequest.newBuilder().setCollection("g").addPoints(Point.newBuilder().setId(num(1))
                        .addAllVector(List.of(Float.NaN, 0f, 0f, 0f, 0f, 0f, 0f, 0f))).build()), Status.Code.INVALID_ARGUMENT,
                        "points[0].vector[0]");
                expect(() -> stub.upsert(UpsertRequest.newBuilder().setCollection("g").addPoints(Point.newBuilder()
                        .addAllVector(vec(8, 1))).build()), Status.Code.INVALID_ARGUMENT, "points[0].id");
                expect(() -> stub.search(SearchRequest.newBuilder().setCollection("g").addAllVector(vec(8, 1))
                        .setFilterJson("{\"must\": [{\"key\": \"a\"}]}").build()), Status.Code.INVALID_ARGUMENT, "filter_json.must[0]");
                expect(() -> stub.count(CountRequest.newBuilder().setCollection("nope").build()), Status.Code.NOT_FOUND, "nope");
                expect(() -> stub.createCollection(CreateCollectionRequest.newBuilder().setName("g").setSize(8)
                        .setDistance(Distance.DOT).build()), Status.Code.ALREADY_EXISTS, "already exists");
                expect(() -> stub.createCollection(CreateCollectionRequest.newBuilder().setName("h").setSize(8).build()),
                        Status.Code.INVALID_ARGUMENT, "distance");

                // Server reflection lists the service.
                CompletableFuture<ServerReflectionResponse> listed = new CompletableFuture<>();
                var requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        listed.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        listed.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
                requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
                requests.onCompleted();
                assertThat(listed.get(30, TimeUnit.SECONDS).getListServicesResponse().getServiceList())
                        .anyMatch(s -> s.getName().equals("vectorflow.v1.VectorFlow"));
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void expect(Runnable call, Status.Code code, String mention) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(e.getMessage()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(mention);
        });
    }
}
