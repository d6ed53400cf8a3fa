package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.stub.StreamObserver;
import io.vectorflow.api.v1.CollectionInfo;
import io.vectorflow.api.v1.CountRequest;
import io.vectorflow.api.v1.CountResponse;
import io.vectorflow.api.v1.CreateCollectionRequest;
import io.vectorflow.api.v1.CreateCollectionResponse;
import io.vectorflow.api.v1.DeleteCollectionRequest;
import io.vectorflow.api.v1.DeleteCollectionResponse;
import io.vectorflow.api.v1.DeleteRequest;
import io.vectorflow.api.v1.Distance;
import io.vectorflow.api.v1.GetCollectionRequest;
import io.vectorflow.api.v1.GetRequest;
import io.vectorflow.api.v1.GetResponse;
import io.vectorflow.api.v1.ListCollectionsRequest;
import io.vectorflow.api.v1.ListCollectionsResponse;
import io.vectorflow.api.v1.ScrollRequest;
import io.vectorflow.api.v1.ScrollResponse;
import io.vectorflow.api.v1.SearchBatchRequest;
import io.vectorflow.api.v1.SearchBatchResponse;
import io.vectorflow.api.v1.SearchRequest;
import io.vectorflow.api.v1.SearchResponse;
import io.vectorflow.api.v1.UpsertRequest;
import io.vectorflow.api.v1.VectorFlowGrpc;
import io.vectorflow.api.v1.WriteResponse;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.ScoredPoint;
import io.vectorflow.engine.ScrollPage;
import io.vectorflow.engine.SearchResult;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.engine.filter.FilterParser;
import io.vectorflow.storage.Durability;
import io.vectorflow.storage.PointId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The gRPC service ({@code vectorflow.v1.VectorFlow}, api/src/main/proto): the REST API's
 * operations over the same engine calls, with the same limits and the same messages naming the
 * field, mapped to gRPC status codes. Calls go through the same admission control as REST (their
 * lane, working memory for their message) and run inside the same kind of budget: the call's
 * deadline ({@code grpc-timeout}) or the server's request timeout, cancelled with the call.
 */
final class GrpcApi extends VectorFlowGrpc.VectorFlowImplBase {

    private static final AtomicLong OPERATIONS = new AtomicLong();
    private final Database db;
    private final GrpcCalls calls;

    GrpcApi(Database db, GrpcCalls calls) {
        this.db = db;
        this.calls = calls;
    }

    /** A call that reads, answered from the read lane. */
    private <T> void read(com.google.protobuf.MessageLite request, StreamObserver<T> out, Supplier<T> call) {
        calls.read(request, out, call);
    }

    /** A call that writes, answered from the write lane. */
    private <T> void write(com.google.protobuf.MessageLite request, StreamObserver<T> out, Supplier<T> call) {
        calls.write(request, out, call);
    }

    // ---- conversions ---------------------------------------------------------------------------

    static PointId id(io.vectorflow.api.v1.PointId p, String field) {
        return switch (p.getKindCase()) {
            case NUM -> PointId.of(p.getNum());
            case UUID -> FilterParser.id(Json.MAPPER.getNodeFactory().textNode(p.getUuid()), field);
            case KIND_NOT_SET -> throw new IllegalArgumentException(field + " is required (num or uuid)");
        };
    }

    static io.vectorflow.api.v1.PointId id(PointId id) {
        return id.uuid() ? io.vectorflow.api.v1.PointId.newBuilder().setUuid(new UUID(id.msb(), id.lsb()).toString()).build()
                : io.vectorflow.api.v1.PointId.newBuilder().setNum(id.lsb()).build();
    }

    private static ObjectNode payload(String json, String field) {
        if (json.isEmpty()) {
            return null;
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(field + " is not valid JSON: " + e.getMessage());
        }
        if (!(n instanceof ObjectNode o)) {
            throw new IllegalArgumentException(field + " must be a JSON object");
        }
        return o;
    }

    private static Filter filter(String json, String field) {
        if (json.isEmpty()) {
            return null;
        }
        try {
            return FilterParser.parse(Json.MAPPER.readTree(json), field);
        } catch (IOException e) {
            throw new IllegalArgumentException(field + " is not valid JSON: " + e.getMessage());
        }
    }

    private static float[] floats(List<Float> values) {
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return v;
    }

    private static void addVector(float[] v, java.util.function.Consumer<Float> add) {
        for (float f : v) {
            add.accept(f);
        }
    }

    private static String json(ObjectNode payload) {
        return payload == null || payload.isEmpty() ? "" : payload.toString();
    }

    private static Distance distance(String metric) {
        return switch (metric) {
            case "cosine" -> Distance.COSINE;
            case "dot" -> Distance.DOT;
            case "euclidean" -> Distance.EUCLID;
            case "manhattan" -> Distance.MANHATTAN;
            default -> Distance.DISTANCE_UNSPECIFIED;
        };
    }

    // ---- collections ---------------------------------------------------------------------------

    @Override
    public void createCollection(CreateCollectionRequest r, StreamObserver<CreateCollectionResponse> out) {
        write(r, out, () -> {
            String metric = switch (r.getDistance()) {
                case COSINE -> "cosine";
                case DOT -> "dot";
                case EUCLID -> "euclidean";
                case MANHATTAN -> "manhattan";
                default -> throw new IllegalArgumentException("distance must be COSINE, DOT, EUCLID or MANHATTAN");
            };
            if (r.getSize() < 1 || r.getSize() > 65_536) {
                throw new IllegalArgumentException("size must be between 1 and 65536, got " + Integer.toUnsignedString(r.getSize()));
            }
            CollectionConfig c = CollectionConfig.of(r.getName(), r.getSize(), metric).withOnDisk(r.getOnDisk());
            if (r.getM() != 0 || r.getEfConstruct() != 0) {
                c = c.withHnsw(r.getM() != 0 ? r.getM() : c.m(), r.getEfConstruct() != 0 ? r.getEfConstruct() : c.efConstruction());
            }
            if (!r.getDurability().isEmpty()) {
                c = c.withDurability(Durability.parse(r.getDurability()));
            }
            if (r.hasQuantization() && r.getQuantization().getScheme() != io.vectorflow.api.v1.Quantization.Scheme.NONE) {
                io.vectorflow.api.v1.Quantization q = r.getQuantization();
                var scheme = switch (q.getScheme()) {
                    case INT8 -> io.vectorflow.core.quant.QuantizationSpec.Scheme.INT8;
                    case BINARY -> io.vectorflow.core.quant.QuantizationSpec.Scheme.BINARY;
                    case PRODUCT -> io.vectorflow.core.quant.QuantizationSpec.Scheme.PRODUCT;
                    default -> throw new IllegalArgumentException("quantization.scheme must be NONE, INT8, BINARY or PRODUCT");
                };
                try {
                    float quantile = q.getQuantile() == 0 ? io.vectorflow.core.quant.QuantizationSpec.DEFAULT_QUANTILE : q.getQuantile();
                    c = c.withQuantization(q.getCompression() == 0
                            ? new io.vectorflow.core.quant.QuantizationSpec(scheme, quantile, !q.getCodesOnDisk())
                            : new io.vectorflow.core.quant.QuantizationSpec(scheme, quantile, !q.getCodesOnDisk(), q.getCompression()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("quantization: " + e.getMessage(), e);
                }
            }
            if (r.hasTiering()) {
                io.vectorflow.api.v1.Tiering t = r.getTiering();
                if (!"disk".equals(t.getPinned()) && db().tierCache() == null) {
                    throw new IllegalArgumentException("tiering: this server has no object store to move segments to;"
                            + " start it with --object-store");
                }
                c = c.withTiering(new io.vectorflow.engine.TieringConfig(t.getPinned().isEmpty() ? null : t.getPinned(),
                        t.hasObjectAfterIdleS() ? t.getObjectAfterIdleS() : null, t.hasDiskBudgetBytes() ? t.getDiskBudgetBytes() : null,
                        t.getPromoteAfterHits() == 0 ? io.vectorflow.engine.TieringConfig.DEFAULT_PROMOTE_AFTER_HITS : t.getPromoteAfterHits(),
                        t.hasArchiveAfterIdleS() ? t.getArchiveAfterIdleS() : null));
            }
            db().createCollection(c);
            return CreateCollectionResponse.getDefaultInstance();
        });
    }

    @Override
    public void getCollection(GetCollectionRequest r, StreamObserver<CollectionInfo> out) {
        read(r, out, () -> {
            Collection c = db().collection(r.getName());
            CollectionConfig cfg = c.config();
            return CollectionInfo.newBuilder().setName(cfg.name()).setSize(cfg.dimension()).setDistance(distance(cfg.metric()))
                    .setOnDisk(cfg.onDisk()).setM(cfg.m()).setEfConstruct(cfg.efConstruction()).setPointsCount(c.count(null))
                    .setSegmentsCount(c.segmentCount()).setUnindexedPoints(c.store().unindexedPoints())
                    .setReadOnlyReason(c.readOnlyReason() == null ? "" : c.readOnlyReason())
                    .setQuantization(quantization(cfg.quantization())).setTiering(tiering(cfg.tiering())).build();
        });
    }

    private static io.vectorflow.api.v1.Tiering tiering(io.vectorflow.engine.TieringConfig t) {
        if (t == null) {
            return io.vectorflow.api.v1.Tiering.getDefaultInstance();
        }
        var b = io.vectorflow.api.v1.Tiering.newBuilder().setPinned(t.pinned() == null ? "" : t.pinned())
                .setPromoteAfterHits(t.promoteAfterHits());
        if (t.objectAfterIdleSeconds() != null) {
            b.setObjectAfterIdleS(t.objectAfterIdleSeconds());
        }
        if (t.diskBudgetBytes() != null) {
            b.setDiskBudgetBytes(t.diskBudgetBytes());
        }
        if (t.archiveAfterIdleSeconds() != null) {
            b.setArchiveAfterIdleS(t.archiveAfterIdleSeconds());
        }
        return b.build();
    }

    private static io.vectorflow.api.v1.Quantization quantization(io.vectorflow.core.quant.QuantizationSpec spec) {
        if (spec == null) {
            return io.vectorflow.api.v1.Quantization.getDefaultInstance();
        }
        return io.vectorflow.api.v1.Quantization.newBuilder().setScheme(switch (spec.scheme()) {
                    case INT8 -> io.vectorflow.api.v1.Quantization.Scheme.INT8;
                    case BINARY -> io.vectorflow.api.v1.Quantization.Scheme.BINARY;
                    case PRODUCT -> io.vectorflow.api.v1.Quantization.Scheme.PRODUCT;
                })
                .setQuantile(spec.quantile()).setCodesOnDisk(!spec.alwaysRam()).setCompression(spec.compression()).build();
    }

    @Override
    public void listCollections(ListCollectionsRequest r, StreamObserver<ListCollectionsResponse> out) {
        read(r, out, () -> ListCollectionsResponse.newBuilder().addAllNames(Security.visible(db().listCollections())).build());
    }

    @Override
    public void deleteCollection(DeleteCollectionRequest r, StreamObserver<DeleteCollectionResponse> out) {
        write(r, out, () -> DeleteCollectionResponse.newBuilder().setExisted(db().dropCollection(r.getName())).build());
    }

    // ---- points --------------------------------------------------------------------------------

    @Override
    public void upsert(UpsertRequest r, StreamObserver<WriteResponse> out) {
        write(r, out, () -> {
            Collection c = db().collection(r.getCollection());
            if (r.getPointsCount() > PointsApi.MAX_BATCH) {
                throw new ApiException(413, "points holds " + r.getPointsCount() + " points; at most " + PointsApi.MAX_BATCH);
            }
            List<Point> points = new ArrayList<>(r.getPointsCount());
            for (int i = 0; i < r.getPointsCount(); i++) {
                var p = r.getPoints(i);
                String path = "points[" + i + "]";
                points.add(new Point(id(p.getId(), path + ".id"), floats(p.getVectorList()), payload(p.getPayloadJson(),
                        path + ".payload_json")));
            }
            c.upsert(points);
            return WriteResponse.newBuilder().setOperationId(OPERATIONS.incrementAndGet()).setAffected(points.size()).build();
        });
    }

    @Override
    public void get(GetRequest r, StreamObserver<GetResponse> out) {
        read(r, out, () -> {
            Collection c = db().collection(r.getCollection());
            List<PointId> ids = new ArrayList<>();
            for (int i = 0; i < r.getIdsCount(); i++) {
                ids.add(id(r.getIds(i), "ids[" + i + "]"));
            }
            GetResponse.Builder b = GetResponse.newBuilder();
            for (Record rec : c.get(ids, r.getWithPayload(), r.getWithVector())) {
                b.addPoints(record(rec));
            }
            return b.build();
        });
    }

    private static io.vectorflow.api.v1.Record record(Record rec) {
        var b = io.vectorflow.api.v1.Record.newBuilder().setId(id(rec.id())).setPayloadJson(json(rec.payload()));
        if (rec.vector() != null) {
            addVector(rec.vector(), b::addVector);
        }
        return b.build();
    }

    @Override
    public void delete(DeleteRequest r, StreamObserver<WriteResponse> out) {
        write(r, out, () -> {
            Collection c = db().collection(r.getCollection());
            if ((r.getIdsCount() > 0) == !r.getFilterJson().isEmpty()) {
                throw new IllegalArgumentException("give either ids or filter_json");
            }
            long n;
            if (r.getIdsCount() > 0) {
                List<PointId> ids = new ArrayList<>();
                for (int i = 0; i < r.getIdsCount(); i++) {
                    ids.add(id(r.getIds(i), "ids[" + i + "]"));
                }
                n = c.delete(ids);
            } else {
                n = c.delete(filter(r.getFilterJson(), "filter_json"));
            }
            return WriteResponse.newBuilder().setOperationId(OPERATIONS.incrementAndGet()).setAffected(n).build();
        });
    }

    @Override
    public void scroll(ScrollRequest r, StreamObserver<ScrollResponse> out) {
        read(r, out, () -> {
            Collection c = db().collection(r.getCollection());
            int limit = r.getLimit() == 0 ? 10 : r.getLimit();
            if (limit < 1 || limit > Collection.MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be between 1 and " + Collection.MAX_LIMIT);
            }
            PointId offset = r.hasOffset() ? id(r.getOffset(), "offset") : null;
            ScrollPage page = c.scroll(offset, limit, filter(r.getFilterJson(), "filter_json"), r.getWithPayload(), r.getWithVector());
            ScrollResponse.Builder b = ScrollResponse.newBuilder();
            page.points().forEach(rec -> b.addPoints(record(rec)));
            if (page.nextOffset() != null) {
                b.setNextPageOffset(id(page.nextOffset()));
            }
            return b.build();
        });
    }

    @Override
    public void count(CountRequest r, StreamObserver<CountResponse> out) {
        read(r, out, () -> CountResponse.newBuilder().setCount(db().collection(r.getCollection())
                .count(filter(r.getFilterJson(), "filter_json"))).build());
    }

    // ---- search --------------------------------------------------------------------------------

    @Override
    public void search(SearchRequest r, StreamObserver<SearchResponse> out) {
        calls.search(r, out, () -> search(r, ""));
    }

    @Override
    public void searchBatch(SearchBatchRequest r, StreamObserver<SearchBatchResponse> out) {
        calls.search(r, out, () -> {
            if (r.getSearchesCount() > PointsApi.MAX_SEARCHES) {
                throw new ApiException(413, "searches holds " + r.getSearchesCount() + " searches; at most " + PointsApi.MAX_SEARCHES);
            }
            SearchBatchResponse.Builder b = SearchBatchResponse.newBuilder();
            if (r.getSearchesCount() == 0) {
                return b.build();
            }
            Collection c = db().collection(r.getSearches(0).getCollection());
            List<io.vectorflow.engine.SearchRequest> requests = new ArrayList<>();
            for (int i = 0; i < r.getSearchesCount(); i++) {
                if (!r.getSearches(i).getCollection().equals(c.name())) {
                    throw new IllegalArgumentException("searches[" + i + "].collection: every search of a batch must be on"
                            + " the same collection ('" + c.name() + "')");
                }
                requests.add(request(c, r.getSearches(i), "searches[" + i + "]."));
            }
            for (SearchResult res : c.searchBatch(requests)) {
                b.addResults(response(res));
            }
            return b.build();
        });
    }

    private SearchResponse search(SearchRequest r, String prefix) {
        Collection c = db().collection(r.getCollection());
        return response(c.search(request(c, r, prefix)));
    }

    /** The engine's request for a message; its checks are the engine's, named with {@code prefix}. */
    private io.vectorflow.engine.SearchRequest request(Collection c, SearchRequest r, String prefix) {
        float[] vector = floats(r.getVectorList());
        if (vector.length != c.config().dimension()) {
            throw new IllegalArgumentException(prefix + "vector has dimension " + vector.length + ", collection '" + c.name()
                    + "' expects " + c.config().dimension());
        }
        try {
            return new io.vectorflow.engine.SearchRequest(vector, r.getLimit() == 0 ? 10 : r.getLimit(),
                    filter(r.getFilterJson(), prefix + "filter_json"), r.getHnswEf(), r.getExact(), r.getWithPayload(),
                    r.getWithVector(), false, r.getOffset(), r.hasScoreThreshold() ? r.getScoreThreshold() : null)
                    .withQuantization(r.hasQuantization() ? new io.vectorflow.engine.QuantizationParams(r.getQuantization().getIgnore(),
                            !r.getQuantization().hasRescore() || r.getQuantization().getRescore(),
                            r.getQuantization().getOversampling() == 0 ? 1 : r.getQuantization().getOversampling()) : null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + e.getMessage(), e);
        }
    }

    private static SearchResponse response(SearchResult res) {
        SearchResponse.Builder b = SearchResponse.newBuilder();
        for (ScoredPoint p : res.points()) {
            var sp = io.vectorflow.api.v1.ScoredPoint.newBuilder().setId(id(p.id())).setScore(p.score())
                    .setPayloadJson(json(p.payload()));
            if (p.vector() != null) {
                addVector(p.vector(), sp::addVector);
            }
            b.addPoints(sp);
        }
        var perf = io.vectorflow.api.v1.Performance.newBuilder().setLatencyMs(res.latencyNanos() / 1e6)
                .setVectorsScanned(res.vectorsScanned()).setSegmentsSearched(res.segmentsSearched()).setStrategy(res.strategy())
                .setCacheHitRate(res.cacheHitRate()).setCostEstimate(res.costUsd()).setDegraded(res.tiers().degraded());
        SearchResult.Tiers t = res.tiers();
        perf.setTiers(io.vectorflow.api.v1.Tiers.newBuilder().setMemorySegments(t.memory()).setDiskSegments(t.disk())
                .setObjectSegments(t.object()).setBlocksFetched(t.blocksFetched()).setBytesFetched(t.bytesFetched())
                .setCacheHits(t.cacheHits()).setWaitMs(t.waitNanos() / 1e6).setUnavailableSegments(t.unavailable())
                .setArchiveRestored(t.restored()).setRestoreMs(t.restoreNanos() / 1e6));
        if (res.estimatedRecall() != null && !Double.isNaN(res.estimatedRecall().recall())) {
            perf.setEstimatedRecall(res.estimatedRecall().recall()).setEstimatedRecallSamples(res.estimatedRecall().samples());
        }
        return b.setPerformance(perf).build();
    }

    // ---- snapshots -----------------------------------------------------------------------------

    @Override
    public void createSnapshot(io.vectorflow.api.v1.CreateSnapshotRequest r, StreamObserver<io.vectorflow.api.v1.SnapshotInfo> out) {
        write(r, out, () -> snapshot(db().createSnapshot(r.getCollection(), SnapshotsApi.newName(r.getCollection()))));
    }

    @Override
    public void listSnapshots(io.vectorflow.api.v1.ListSnapshotsRequest r,
                              StreamObserver<io.vectorflow.api.v1.ListSnapshotsResponse> out) {
        read(r, out, () -> {
            db().collection(r.getCollection());
            var b = io.vectorflow.api.v1.ListSnapshotsResponse.newBuilder();
            db().listSnapshots(r.getCollection()).forEach(n -> b.addSnapshots(snapshot(db().snapshotFile(r.getCollection(), n))));
            return b.build();
        });
    }

    @Override
    public void deleteSnapshot(io.vectorflow.api.v1.DeleteSnapshotRequest r,
                               StreamObserver<io.vectorflow.api.v1.DeleteSnapshotResponse> out) {
        write(r, out, () -> {
            db().deleteSnapshot(r.getCollection(), SnapshotsApi.strip(r.getName()));
            return io.vectorflow.api.v1.DeleteSnapshotResponse.getDefaultInstance();
        });
    }

    @Override
    public void downloadSnapshot(io.vectorflow.api.v1.DownloadSnapshotRequest r,
                                 StreamObserver<io.vectorflow.api.v1.SnapshotChunk> out) {
        SnapshotStream.send(() -> db().snapshotFile(r.getCollection(), SnapshotsApi.strip(r.getName())), out);
    }

    private static io.vectorflow.api.v1.SnapshotInfo snapshot(java.nio.file.Path file) {
        try {
            return io.vectorflow.api.v1.SnapshotInfo.newBuilder().setName(file.getFileName().toString())
                    .setSize(java.nio.file.Files.size(file))
                    .setCreatedUnixMs(java.nio.file.Files.getLastModifiedTime(file).toMillis()).build();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The collections of the tenant the request being served acts for. */
    private Database db() {
        return Security.db(db);
    }
}
