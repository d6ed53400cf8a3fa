package io.vectorflow.server;

import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.range;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorsFactory.vectors;
import static io.qdrant.client.WithPayloadSelectorFactory.enable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections;
import io.qdrant.client.grpc.Common;
import io.qdrant.client.grpc.JsonWithInt;
import io.qdrant.client.grpc.Points;
import io.vectorflow.engine.Database;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Qdrant Java client ({@code io.qdrant:client}) against a real server's gRPC port,
 * through collections, points, payloads, indexes, every kind of search and query, aliases and
 * snapshots, with correctness checks: a stored vector's nearest neighbour is itself, filters
 * return only matches, scroll pages every point once, payloads round-trip exactly, Euclid ranks
 * by distance ascending, failures carry Qdrant's status codes.
 */
class QdrantJavaClientTest {

    private static final int DIM = 8;
    private static final int N = 300;

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

    private static Map<String, JsonWithInt.Value> payload(int i) {
        Map<String, JsonWithInt.Value> p = new HashMap<>();
        p.put("n", value(i));
        p.put("city", value(i % 3 == 0 ? "Berlin" : "London"));
        p.put("price", value(i * 0.5));
        p.put("ok", value(i % 2 == 0));
        p.put("tags", io.qdrant.client.ValueFactory.list(List.of(value("t" + (i % 4)), value("all"))));
        p.put("nested", value(Map.of("a", value(i), "b", io.qdrant.client.ValueFactory.nullValue())));
        return p;
    }

    private static Status.Code code(Throwable t) {
        Throwable c = t instanceof ExecutionException ? t.getCause() : t;
        return c instanceof StatusRuntimeException s ? s.getStatus().getCode() : null;
    }

    private static List<Float> list(float[] v) {
        List<Float> out = new ArrayList<>(v.length);
        for (float f : v) {
            out.add(f);
        }
        return out;
    }

    @Test
    void apiKeysAreCheckedForTheClientsWithApiKeyOption() throws Exception {
        String admin = "java-admin-key-0123456789";
        String reader = "java-read-only-key-0123456789";
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0)
                     .withKeys(new VectorFlowServer.Keys(admin, reader)));
             QdrantClient full = new QdrantClient(QdrantGrpcClient.newBuilder("127.0.0.1", server.grpcPort(), false)
                     .withApiKey(admin).build());
             QdrantClient readOnly = new QdrantClient(QdrantGrpcClient.newBuilder("127.0.0.1", server.grpcPort(), false)
                     .withApiKey(reader).build());
             QdrantClient none = new QdrantClient(QdrantGrpcClient.newBuilder("127.0.0.1", server.grpcPort(), false).build())) {
            full.createCollectionAsync("k", Collections.VectorParams.newBuilder().setSize(2).setDistance(Collections.Distance.Dot)
                    .build()).get();
            full.upsertAsync("k", List.of(Points.PointStruct.newBuilder().setId(id(1)).setVectors(vectors(1f, 0f)).build())).get();
            assertThat(readOnly.countAsync("k").get()).isEqualTo(1);
            assertThatThrownBy(() -> readOnly.upsertAsync("k", List.of(Points.PointStruct.newBuilder().setId(id(2))
                    .setVectors(vectors(0f, 1f)).build())).get())
                    .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.PERMISSION_DENIED));
            assertThatThrownBy(() -> none.listCollectionsAsync().get())
                    .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.UNAUTHENTICATED));
            assertThat(full.listCollectionsAsync().get()).containsExactly("k");
            // A key of another tenant sees its own namespace over gRPC too.
            String acme = io.vectorflow.server.auth.ApiKeys.in(dir.resolve("data"))
                    .create("acme", io.vectorflow.server.auth.Role.READ_WRITE, "acme", List.of()).secret();
            try (QdrantClient tenant = new QdrantClient(QdrantGrpcClient.newBuilder("127.0.0.1", server.grpcPort(), false)
                    .withApiKey(acme).build())) {
                assertThat(tenant.listCollectionsAsync().get()).isEmpty();
                assertThatThrownBy(() -> tenant.countAsync("k").get())
                        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.NOT_FOUND));
                tenant.createCollectionAsync("k", Collections.VectorParams.newBuilder().setSize(2)
                        .setDistance(Collections.Distance.Dot).build()).get();
                assertThat(tenant.countAsync("k").get()).isZero();
                assertThat(full.countAsync("k").get()).isEqualTo(1);
            }
        }
    }

    @Test
    void aRequestsOwnTimeoutStopsItsWork() throws Exception {
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0));
             QdrantClient client = new QdrantClient(QdrantGrpcClient.newBuilder("127.0.0.1", server.grpcPort(), false).build())) {
            client.createCollectionAsync("t", Collections.VectorParams.newBuilder().setSize(4).setDistance(Collections.Distance.Dot)
                    .build()).get();
            List<Points.PointStruct> points = new ArrayList<>();
            for (int i = 0; i < 30_000; i++) {
                points.add(Points.PointStruct.newBuilder().setId(id(i)).setVectors(vectors(1f, i, 0f, 1f))
                        .putPayload("k", value("v" + i)).build());
            }
            client.upsertAsync("t", points).get();
            Common.Filter.Builder slow = Common.Filter.newBuilder(); // 10,000 clauses tested on every point: a minute of work
            for (int i = 0; i < 10_000; i++) {
                slow.addShould(matchKeyword("k", "x" + i));
            }
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.searchAsync(Points.SearchPoints.newBuilder().setCollectionName("t")
                    .addAllVector(List.of(1f, 1f, 1f, 1f)).setFilter(slow).setLimit(5).setTimeout(1)
                    .setParams(Points.SearchParams.newBuilder().setExact(true)).build()).get())
                    .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
            assertThat((System.nanoTime() - start) / 1e9).as("seconds until the answer").isLessThan(5);
        }
    }

    @Test
    void searchesSendTheirPerformanceAsATrailer() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> trailer = new java.util.concurrent.atomic.AtomicReference<>();
        io.grpc.Metadata.Key<String> key = io.grpc.Metadata.Key.of(GrpcCalls.PERFORMANCE_TRAILER, io.grpc.Metadata.ASCII_STRING_MARSHALLER);
        io.grpc.ClientInterceptor capture = new io.grpc.ClientInterceptor() {
            @Override
            public <Q, A> io.grpc.ClientCall<Q, A> interceptCall(io.grpc.MethodDescriptor<Q, A> method, io.grpc.CallOptions options,
                                                                 io.grpc.Channel next) {
                return new io.grpc.ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<A> listener, io.grpc.Metadata headers) {
                        super.start(new io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onClose(Status status, io.grpc.Metadata trailers) {
                                if (trailers.get(key) != null) {
                                    trailer.set(trailers.get(key));
                                }
                                super.onClose(status, trailers);
                            }
                        }, headers);
                    }
                };
            }
        };
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0))) {
            io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
                    .forAddress("127.0.0.1", server.grpcPort()).usePlaintext().intercept(capture).build();
            try (QdrantClient client = new QdrantClient(QdrantGrpcClient.newBuilder(channel, true).build())) {
                client.createCollectionAsync("p", Collections.VectorParams.newBuilder().setSize(2)
                        .setDistance(Collections.Distance.Dot).build()).get();
                client.upsertAsync("p", List.of(Points.PointStruct.newBuilder().setId(id(1)).setVectors(vectors(1f, 0f)).build())).get();
                client.queryAsync(Points.QueryPoints.newBuilder().setCollectionName("p").setQuery(nearest(1f, 0f)).build()).get();
                var perf = io.vectorflow.engine.Json.MAPPER.readTree(trailer.get());
                assertThat(perf.get("latency_ms").isNumber()).as(trailer.get()).isTrue();
                assertThat(perf.get("strategy").asText()).isNotEmpty();
            }
        }
    }

    /** Point i's sparse vector: dimensions i % 11 and 20 + i % 7, values 1 and (i % 3) + 1. */
    private static Points.Vector sparse(int i) {
        return io.qdrant.client.VectorFactory.vector(List.of(1f, (float) (i % 3 + 1)), List.of(i % 11, 20 + i % 7));
    }

    private static double cosine(float[] a, float[] b) {
        double d = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return d / Math.sqrt(na * nb);
    }

    @Test
    void namedDenseAndSparseVectorsThroughTheJavaClient() throws Exception {
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0));
             QdrantClient client = new QdrantClient(QdrantGrpcClient.newBuilder("127.0.0.1", server.grpcPort(), false).build())) {
            client.createCollectionAsync(Collections.CreateCollection.newBuilder().setCollectionName("h")
                    .setVectorsConfig(Collections.VectorsConfig.newBuilder().setParamsMap(Collections.VectorParamsMap.newBuilder()
                            .putMap("dense", Collections.VectorParams.newBuilder().setSize(DIM).setDistance(Collections.Distance.Cosine).build())))
                    .setSparseVectorsConfig(Collections.SparseVectorConfig.newBuilder().putMap("words",
                            Collections.SparseVectorParams.getDefaultInstance())).build()).get();
            Collections.CollectionParams params = client.getCollectionInfoAsync("h").get().getConfig().getParams();
            assertThat(params.getVectorsConfig().getParamsMap().getMapMap().get("dense").getSize()).isEqualTo(DIM);
            assertThat(params.getSparseVectorsConfig().getMapMap()).containsKey("words");

            List<Points.PointStruct> points = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                Map<String, Points.Vector> named = new HashMap<>();
                named.put("dense", io.qdrant.client.VectorFactory.vector(list(vector(i))));
                if (i % 4 != 0) {
                    named.put("words", sparse(i));
                }
                points.add(Points.PointStruct.newBuilder().setId(id(i)).setVectors(io.qdrant.client.VectorsFactory.namedVectors(named))
                        .build());
            }
            client.upsertAsync("h", points).get();

            // Dense on its name: the exact ranking.
            List<Points.ScoredPoint> dense = client.queryAsync(Points.QueryPoints.newBuilder().setCollectionName("h")
                    .setQuery(nearest(vector(500))).setUsing("dense").setLimit(10)
                    .setParams(Points.SearchParams.newBuilder().setExact(true)).build()).get();
            List<Integer> want = java.util.stream.IntStream.range(0, 120).boxed()
                    .sorted((a, b) -> Double.compare(cosine(vector(b), vector(500)), cosine(vector(a), vector(500)))).limit(10).toList();
            assertThat(dense.stream().map(p -> (int) p.getId().getNum()).toList()).isEqualTo(want);

            // Sparse on its name: dot products, only points sharing a dimension, none lacking the vector.
            List<Points.ScoredPoint> sparse = client.queryAsync(Points.QueryPoints.newBuilder().setCollectionName("h")
                    .setQuery(nearest(List.of(1f, 2f), List.of(3, 22))).setUsing("words").setLimit(200).build()).get();
            Map<Integer, Float> expected = new HashMap<>();
            for (int i = 0; i < 120; i++) {
                float score = (i % 11 == 3 ? 1f : 0f) + (20 + i % 7 == 22 ? 2f * (i % 3 + 1) : 0f);
                if (i % 4 != 0 && score > 0) {
                    expected.put(i, score);
                }
            }
            assertThat(sparse).hasSize(expected.size());
            for (Points.ScoredPoint p : sparse) {
                assertThat(p.getScore()).isEqualTo(expected.get((int) p.getId().getNum()));
            }
            List<Points.ScoredPoint> legacy = client.searchAsync(Points.SearchPoints.newBuilder().setCollectionName("h")
                    .setVectorName("words").addAllVector(List.of(1f, 2f))
                    .setSparseIndices(Points.SparseIndices.newBuilder().addData(3).addData(22)).setLimit(5).build()).get();
            assertThat(legacy.stream().map(Points.ScoredPoint::getId).toList())
                    .isEqualTo(sparse.subList(0, 5).stream().map(Points.ScoredPoint::getId).toList());

            // Hybrid: both prefetched, fused by reciprocal rank (k = 2) over the two rankings above.
            List<Points.ScoredPoint> hybrid = client.queryAsync(Points.QueryPoints.newBuilder().setCollectionName("h")
                    .addPrefetch(Points.PrefetchQuery.newBuilder().setQuery(nearest(vector(500))).setUsing("dense").setLimit(10)
                            .setParams(Points.SearchParams.newBuilder().setExact(true)))
                    .addPrefetch(Points.PrefetchQuery.newBuilder().setQuery(nearest(List.of(1f, 2f), List.of(3, 22)))
                            .setUsing("words").setLimit(10))
                    .setQuery(io.qdrant.client.QueryFactory.rrf(Points.Rrf.newBuilder().setK(2).build())).setLimit(5)
                    .setWithVectors(io.qdrant.client.WithVectorsSelectorFactory.enable(true)).build()).get();
            Map<Long, Double> fused = new HashMap<>();
            for (List<Points.ScoredPoint> ranking : List.of(dense, sparse.subList(0, 10))) {
                for (int r = 0; r < ranking.size(); r++) {
                    fused.merge(ranking.get(r).getId().getNum(), 1.0 / (r + 2), Double::sum);
                }
            }
            assertThat(hybrid).hasSize(5);
            for (Points.ScoredPoint p : hybrid) {
                assertThat((double) p.getScore()).isCloseTo(fused.get(p.getId().getNum()), org.assertj.core.data.Offset.offset(1e-5));
                assertThat(p.getVectors().getVectors().getVectorsMap()).containsKey("dense");
            }

            // Vectors by name; one deleted while the other stays.
            Points.RetrievedPoint p5 = client.retrieveAsync("h", List.of(id(5)), false, true, null).get().getFirst();
            Points.VectorOutput words = p5.getVectors().getVectors().getVectorsMap().get("words");
            assertThat(words.getSparse().getIndicesList()).containsExactly(5, 25);
            assertThat(words.getSparse().getValuesList()).containsExactly(1f, 3f);
            client.deleteVectorsAsync("h", List.of("words"), List.of(id(5))).get();
            p5 = client.retrieveAsync("h", List.of(id(5)), false, true, null).get().getFirst();
            assertThat(p5.getVectors().getVectors().getVectorsMap()).containsOnlyKeys("dense");
            assertThatThrownBy(() -> client.queryAsync(Points.QueryPoints.newBuilder().setCollectionName("h")
                    .setQuery(nearest(vector(1))).setUsing("nope").build()).get())
                    .satisfies(e -> {
                        assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getCause().getMessage()).contains("nope");
                    });
        }
    }

    @Test
    void theOfficialJavaClientWorksThroughTheWholeSurface() throws Exception {
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0));
             QdrantClient client = new QdrantClient(QdrantGrpcClient.newBuilder("127.0.0.1", server.grpcPort(), false).build())) {
            assertThat(client.healthCheckAsync().get().getVersion()).isEqualTo(VectorFlowServer.QDRANT_GRPC_API_VERSION);

            // Collections.
            client.createCollectionAsync("c", Collections.VectorParams.newBuilder().setSize(DIM)
                    .setDistance(Collections.Distance.Cosine).build()).get();
            assertThat(client.collectionExistsAsync("c").get()).isTrue();
            assertThat(client.listCollectionsAsync().get()).contains("c");
            assertThatThrownBy(() -> client.createCollectionAsync("c", Collections.VectorParams.newBuilder().setSize(DIM)
                    .setDistance(Collections.Distance.Cosine).build()).get()).satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.ALREADY_EXISTS));
            assertThatThrownBy(() -> client.getCollectionInfoAsync("missing").get())
                    .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.NOT_FOUND));

            // Upsert: numeric and UUID ids, every kind of payload value.
            List<Points.PointStruct> points = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                points.add(Points.PointStruct.newBuilder().setId(id(i)).setVectors(vectors(vector(i))).putAllPayload(payload(i)).build());
            }
            UUID uuid = UUID.fromString("5c56c793-69f3-4fbf-87e6-c4bf54c28c26");
            points.add(Points.PointStruct.newBuilder().setId(id(uuid)).setVectors(vectors(vector(1000)))
                    .putPayload("city", value("Paris")).build());
            assertThat(client.upsertAsync("c", points).get().getStatus()).isEqualTo(Points.UpdateStatus.Completed);
            assertThatThrownBy(() -> client.upsertAsync("c", List.of(Points.PointStruct.newBuilder().setId(id(1))
                    .setVectors(vectors(1f, 2f)).build())).get()).satisfies(e -> {
                        assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getCause().getMessage()).contains("points[0]");
                    });
            Collections.CollectionInfo info = client.getCollectionInfoAsync("c").get();
            assertThat(info.getPointsCount()).isEqualTo(N + 1);
            assertThat(info.getConfig().getParams().getVectorsConfig().getParams().getSize()).isEqualTo(DIM);

            // Retrieve: payloads round-trip exactly; vectors in both the dense and the older data field.
            List<Points.RetrievedPoint> got = client.retrieveAsync("c", List.of(id(7), id(uuid)), true, true, null).get();
            assertThat(got).hasSize(2);
            assertThat(got.getFirst().getPayloadMap()).isEqualTo(payload(7));
            Points.VectorOutput out = got.getFirst().getVectors().getVector();
            assertThat(out.getDataList()).hasSize(DIM).isEqualTo(out.getDense().getDataList());

            // Search: a stored vector's nearest neighbour is itself; filters return only matches.
            List<Points.ScoredPoint> hits = client.searchAsync(Points.SearchPoints.newBuilder().setCollectionName("c")
                    .addAllVector(list(vector(42))).setLimit(5).setWithPayload(enable(true)).build()).get();
            assertThat(hits.getFirst().getId()).isEqualTo(id(42));
            assertThat(hits.getFirst().getScore()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
            List<Points.ScoredPoint> berlin = client.queryAsync(Points.QueryPoints.newBuilder().setCollectionName("c")
                    .setQuery(nearest(vector(5))).setFilter(Common.Filter.newBuilder().addMust(matchKeyword("city", "Berlin")))
                    .setLimit(20).setWithPayload(enable(true)).build()).get();
            assertThat(berlin).hasSize(20).allSatisfy(p -> assertThat(p.getPayloadMap().get("city").getStringValue()).isEqualTo("Berlin"));
            assertThat(client.countAsync("c", Common.Filter.newBuilder().addMust(range("n", Common.Range.newBuilder().setLt(30)
                    .build())).build(), true).get()).isEqualTo(30);
            // Spring AI sends a score threshold of 0: scores at least 0.
            List<Points.ScoredPoint> positive = client.searchAsync(Points.SearchPoints.newBuilder().setCollectionName("c")
                    .addAllVector(list(vector(3))).setLimit(N).setScoreThreshold(0f).build()).get();
            assertThat(positive).isNotEmpty().hasSizeLessThan(N).allSatisfy(p -> assertThat(p.getScore()).isGreaterThanOrEqualTo(0f));

            // Scroll pages every point once.
            Set<Common.PointId> seen = new HashSet<>();
            Common.PointId offset = null;
            do {
                Points.ScrollPoints.Builder s = Points.ScrollPoints.newBuilder().setCollectionName("c").setLimit(64);
                if (offset != null) {
                    s.setOffset(offset);
                }
                Points.ScrollResponse page = client.scrollAsync(s.build()).get();
                page.getResultList().forEach(p -> assertThat(seen.add(p.getId())).isTrue());
                offset = page.hasNextPageOffset() ? page.getNextPageOffset() : null;
            } while (offset != null);
            assertThat(seen).hasSize(N + 1);

            // Query API: prefetch with fusion, recommend, discover, groups, batches, order_by, facet.
            List<Points.ScoredPoint> fused = client.queryAsync(Points.QueryPoints.newBuilder().setCollectionName("c")
                    .addPrefetch(Points.PrefetchQuery.newBuilder().setQuery(nearest(vector(1))).setLimit(20))
                    .addPrefetch(Points.PrefetchQuery.newBuilder().setQuery(nearest(vector(2))).setLimit(20))
                    .setQuery(io.qdrant.client.QueryFactory.fusion(Points.Fusion.RRF)).setLimit(5).build()).get();
            assertThat(fused).hasSize(5);
            List<Points.ScoredPoint> rec = client.recommendAsync(Points.RecommendPoints.newBuilder().setCollectionName("c")
                    .addPositive(id(10)).addNegative(id(11)).setLimit(5).setStrategy(Points.RecommendStrategy.BestScore).build()).get();
            assertThat(rec).hasSize(5).noneMatch(p -> p.getId().equals(id(10)) || p.getId().equals(id(11)));
            List<Points.ScoredPoint> disc = client.discoverAsync(Points.DiscoverPoints.newBuilder().setCollectionName("c")
                    .setTarget(Points.TargetVector.newBuilder().setSingle(Points.VectorExample.newBuilder().setId(id(20))))
                    .addContext(Points.ContextExamplePair.newBuilder().setPositive(Points.VectorExample.newBuilder().setId(id(21)))
                            .setNegative(Points.VectorExample.newBuilder().setId(id(22)))).setLimit(3).build()).get();
            assertThat(disc).hasSize(3);
            List<Points.PointGroup> groups = client.queryGroupsAsync(Points.QueryPointGroups.newBuilder().setCollectionName("c")
                    .setQuery(nearest(vector(9))).setGroupBy("city").setGroupSize(2).setLimit(3).build()).get();
            assertThat(groups).hasSize(3);
            assertThat(groups.stream().map(g -> g.getId().getStringValue())).containsExactlyInAnyOrder("Berlin", "London", "Paris");
            List<Points.BatchResult> batch = client.queryBatchAsync("c", List.of(
                    Points.QueryPoints.newBuilder().setCollectionName("c").setQuery(nearest(vector(1))).setLimit(1).build(),
                    Points.QueryPoints.newBuilder().setCollectionName("c").setQuery(nearest(vector(2))).setLimit(1).build())).get();
            assertThat(batch.stream().map(b -> b.getResult(0).getId())).containsExactly(id(1), id(2));
            List<Points.ScoredPoint> ordered = client.queryAsync(Points.QueryPoints.newBuilder().setCollectionName("c")
                    .setQuery(io.qdrant.client.QueryFactory.orderBy(Points.OrderBy.newBuilder().setKey("n")
                            .setDirection(Points.Direction.Desc).build())).setLimit(3).build()).get();
            assertThat(ordered.stream().map(Points.ScoredPoint::getId)).containsExactly(id(N - 1), id(N - 2), id(N - 3));
            assertThat(ordered.getFirst().getOrderValue().getInt()).isEqualTo(N - 1);
            List<Points.FacetHit> facet = client.facetAsync(Points.FacetCounts.newBuilder().setCollectionName("c").setKey("city")
                    .build()).get();
            assertThat(facet.getFirst().getValue().getStringValue()).isEqualTo("London");
            assertThat(facet.getFirst().getCount()).isEqualTo(N - N / 3);

            // Payload changes, an index, vectors, batches of writes, deletes.
            client.setPayloadAsync("c", Map.of("checked", value(true)), List.of(id(1), id(2)), true, null, null).get();
            client.deletePayloadAsync("c", List.of("price"), List.of(id(1)), true, null, null).get();
            Map<String, JsonWithInt.Value> p1 = client.retrieveAsync("c", List.of(id(1)), true, false, null).get().getFirst().getPayloadMap();
            assertThat(p1).containsKey("checked").doesNotContainKey("price");
            client.overwritePayloadAsync("c", Map.of("only", value("this")), List.of(id(2)), true, null, null).get();
            assertThat(client.retrieveAsync("c", List.of(id(2)), true, false, null).get().getFirst().getPayloadMap())
                    .isEqualTo(Map.of("only", value("this")));
            client.createPayloadIndexAsync("c", "city", Collections.PayloadSchemaType.Keyword, null, true, null, null).get();
            assertThat(client.getCollectionInfoAsync("c").get().getPayloadSchemaMap().get("city").getDataType())
                    .isEqualTo(Collections.PayloadSchemaType.Keyword);
            client.updateVectorsAsync("c", List.of(Points.PointVectors.newBuilder().setId(id(3)).setVectors(vectors(vector(42)))
                    .build())).get();
            assertThat(client.searchAsync(Points.SearchPoints.newBuilder().setCollectionName("c").addAllVector(list(vector(42)))
                    .setLimit(2).build()).get().stream().map(Points.ScoredPoint::getId)).contains(id(3));
            List<Points.UpdateResult> ops = client.batchUpdateAsync("c", List.of(
                    Points.PointsUpdateOperation.newBuilder().setUpsert(Points.PointsUpdateOperation.PointStructList.newBuilder()
                            .addPoints(Points.PointStruct.newBuilder().setId(id(5000)).setVectors(vectors(vector(5000))))).build(),
                    Points.PointsUpdateOperation.newBuilder().setDeletePoints(Points.PointsUpdateOperation.DeletePoints.newBuilder()
                            .setPoints(Points.PointsSelector.newBuilder().setPoints(Points.PointsIdsList.newBuilder().addIds(id(5000)))))
                            .build())).get();
            assertThat(ops).hasSize(2);
            client.deleteAsync("c", List.of(id(0))).get();
            client.deleteAsync("c", Common.Filter.newBuilder().addMust(matchKeyword("city", "Paris")).build()).get();
            assertThat(client.countAsync("c").get()).isEqualTo(N - 1);

            // Euclid: the score is the distance, smaller first.
            client.createCollectionAsync("e", Collections.VectorParams.newBuilder().setSize(2).setDistance(Collections.Distance.Euclid)
                    .build()).get();
            client.upsertAsync("e", List.of(Points.PointStruct.newBuilder().setId(id(1)).setVectors(vectors(0f, 0f)).build(),
                    Points.PointStruct.newBuilder().setId(id(2)).setVectors(vectors(3f, 4f)).build())).get();
            List<Points.ScoredPoint> e = client.queryAsync(Points.QueryPoints.newBuilder().setCollectionName("e")
                    .setQuery(nearest(0f, 0f)).setLimit(2).build()).get();
            assertThat(e.stream().map(Points.ScoredPoint::getId)).containsExactly(id(1), id(2));
            assertThat(e.get(1).getScore()).isCloseTo(5f, org.assertj.core.data.Offset.offset(1e-5f));

            // Aliases and snapshots.
            client.createAliasAsync("live", "c").get();
            assertThat(client.listAliasesAsync().get().stream().map(Collections.AliasDescription::getAliasName)).containsExactly("live");
            assertThat(client.countAsync("live").get()).isEqualTo(N - 1);
            var snapshot = client.createSnapshotAsync("c").get();
            assertThat(client.listSnapshotAsync("c").get().stream().map(s -> s.getName())).contains(snapshot.getName());
            client.deleteSnapshotAsync("c", snapshot.getName()).get();
            assertThat(client.listSnapshotAsync("c").get()).isEmpty();

            assertThat(client.deleteCollectionAsync("e").get().getResult()).isTrue();
            // A collection that does not exist answers result false, which this client reports as a failure.
            assertThatThrownBy(() -> client.deleteCollectionAsync("e").get()).hasMessageContaining("could not be deleted");
        }
    }
}
