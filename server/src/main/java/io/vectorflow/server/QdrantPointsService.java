package io.vectorflow.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Points;
import io.qdrant.client.grpc.PointsGrpc;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.ScrollPage;
import io.vectorflow.engine.SearchResult;
import io.vectorflow.engine.filter.FilterParser;
import io.vectorflow.engine.index.FieldType;
import io.vectorflow.engine.query.Facets;
import io.vectorflow.engine.query.Groups;
import io.vectorflow.engine.query.QueryEngine;
import io.vectorflow.engine.query.QueryRequest;
import io.vectorflow.storage.PointId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Qdrant's {@code qdrant.Points} gRPC service. Each call's message is written as the JSON of the
 * matching REST request and goes through the same parsers and engine calls as REST (see
 * {@link QdrantRequests}); upserts and vector updates, the bulk path, build points directly.
 * Answers are Qdrant's messages ({@link QdrantAnswers}); searches send their {@code performance}
 * object as a trailer ({@link GrpcCalls#PERFORMANCE_TRAILER}).
 */
final class QdrantPointsService extends PointsGrpc.PointsImplBase {

    private final Database db;
    private final GrpcCalls calls;

    QdrantPointsService(Database db, GrpcCalls calls) {
        this.db = db;
        this.calls = calls;
    }

    private static ObjectNode json() {
        return Json.MAPPER.createObjectNode();
    }

    // ---- writes -------------------------------------------------------------------------------

    @Override
    public void upsert(Points.UpsertPoints r, StreamObserver<Points.PointsOperationResponse> out) {
        calls.write(r, out, () -> {
            long start = System.nanoTime();
            Collection col = db().collection(r.getCollectionName());
            col.upsert(points(r.getPointsList()));
            return QdrantAnswers.completed(start);
        });
    }

    private static List<Point> points(List<Points.PointStruct> list) {
        if (list.size() > PointsApi.MAX_BATCH) {
            throw new ApiException(413, "points holds " + list.size() + " points; at most " + PointsApi.MAX_BATCH + " per request");
        }
        List<Point> points = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Points.PointStruct p = list.get(i);
            String path = "points[" + i + "]";
            if (!p.hasId()) {
                throw new IllegalArgumentException(path + ".id is required");
            }
            points.add(QdrantRequests.point(QdrantRequests.pointId(p.getId(), path + ".id"), p.getVectors(),
                    p.getPayloadCount() == 0 ? null : QdrantRequests.object(p.getPayloadMap()), path + ".vectors"));
        }
        return points;
    }

    @Override
    public void updateVectors(Points.UpdatePointVectors r, StreamObserver<Points.PointsOperationResponse> out) {
        calls.write(r, out, () -> {
            long start = System.nanoTime();
            vectorUpdate(db().collection(r.getCollectionName()), r.getPointsList()).run();
            return QdrantAnswers.completed(start);
        });
    }

    private static Runnable vectorUpdate(Collection col, List<Points.PointVectors> list) {
        List<Point> points = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            points.add(QdrantRequests.point(QdrantRequests.pointId(list.get(i).getId(), "points[" + i + "].id"),
                    list.get(i).getVectors(), null, "points[" + i + "].vectors"));
        }
        return () -> col.updateVectors(points);
    }

    @Override
    public void deleteVectors(Points.DeletePointVectors r, StreamObserver<Points.PointsOperationResponse> out) {
        calls.write(r, out, () -> {
            long start = System.nanoTime();
            vectorDelete(db().collection(r.getCollectionName()), r.getPointsSelector(), r.getVectors(), "").run();
            return QdrantAnswers.completed(start);
        });
    }

    /** Removes named vectors from the selected points, through the REST request's one implementation. */
    private static Runnable vectorDelete(Collection col, Points.PointsSelector points, Points.VectorsSelector names, String path) {
        ObjectNode o = selector(points);
        o.set("vector", QdrantRequests.strings(names.getNamesList()));
        return PointsApi.deleteVectors(col, Body.of(o, path));
    }

    @Override
    public void delete(Points.DeletePoints r, StreamObserver<Points.PointsOperationResponse> out) {
        write(r, out, r.getCollectionName(), col -> PointsApi.delete(col, Body.of(selector(r.getPoints()), "")));
    }

    @Override
    public void setPayload(Points.SetPayloadPoints r, StreamObserver<Points.PointsOperationResponse> out) {
        write(r, out, r.getCollectionName(), col -> PointsApi.setPayload(col, payloadBody(r), false));
    }

    @Override
    public void overwritePayload(Points.SetPayloadPoints r, StreamObserver<Points.PointsOperationResponse> out) {
        write(r, out, r.getCollectionName(), col -> PointsApi.setPayload(col, payloadBody(r), true));
    }

    private static Body payloadBody(Points.SetPayloadPoints r) {
        ObjectNode o = r.hasPointsSelector() ? selector(r.getPointsSelector()) : json();
        o.set("payload", QdrantRequests.object(r.getPayloadMap()));
        if (r.hasKey()) {
            o.put("key", r.getKey());
        }
        return Body.of(o, "");
    }

    @Override
    public void deletePayload(Points.DeletePayloadPoints r, StreamObserver<Points.PointsOperationResponse> out) {
        write(r, out, r.getCollectionName(), col -> {
            ObjectNode o = r.hasPointsSelector() ? selector(r.getPointsSelector()) : json();
            o.set("keys", QdrantRequests.strings(r.getKeysList()));
            return PointsApi.deletePayload(col, Body.of(o, ""));
        });
    }

    @Override
    public void clearPayload(Points.ClearPayloadPoints r, StreamObserver<Points.PointsOperationResponse> out) {
        write(r, out, r.getCollectionName(), col -> PointsApi.clearPayload(col, Body.of(selector(r.getPoints()), "")));
    }

    @Override
    public void createFieldIndex(Points.CreateFieldIndexCollection r, StreamObserver<Points.PointsOperationResponse> out) {
        write(r, out, r.getCollectionName(), col -> {
            if (r.getFieldName().isEmpty()) {
                throw new IllegalArgumentException("field_name is required");
            }
            FieldType type = switch (r.hasFieldType() ? r.getFieldType() : Points.FieldType.FieldTypeKeyword) {
                case FieldTypeInteger -> FieldType.INTEGER;
                case FieldTypeFloat -> FieldType.FLOAT;
                case FieldTypeGeo -> FieldType.GEO;
                case FieldTypeText -> FieldType.TEXT;
                case FieldTypeBool -> FieldType.BOOL;
                case FieldTypeDatetime -> FieldType.DATETIME;
                case FieldTypeUuid -> FieldType.UUID;
                default -> FieldType.KEYWORD;
            };
            return () -> col.createPayloadIndex(r.getFieldName(), type);
        });
    }

    @Override
    public void deleteFieldIndex(Points.DeleteFieldIndexCollection r, StreamObserver<Points.PointsOperationResponse> out) {
        write(r, out, r.getCollectionName(), col -> () -> {
            if (!col.dropPayloadIndex(r.getFieldName())) {
                throw new ApiException(404, "collection '" + col.name() + "' has no payload index on '" + r.getFieldName() + "'");
            }
        });
    }

    @Override
    public void updateBatch(Points.UpdateBatchPoints r, StreamObserver<Points.UpdateBatchResponse> out) {
        calls.write(r, out, () -> {
            long start = System.nanoTime();
            Collection col = db().collection(r.getCollectionName());
            List<Runnable> writes = new ArrayList<>();
            for (int i = 0; i < r.getOperationsCount(); i++) {
                writes.add(operation(col, r.getOperations(i), "operations[" + i + "]"));
            }
            Points.UpdateBatchResponse.Builder b = Points.UpdateBatchResponse.newBuilder();
            for (Runnable w : writes) { // every operation checked before the first runs
                w.run();
                b.addResult(QdrantAnswers.completed(start).getResult());
            }
            return b.setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    private static Runnable operation(Collection col, Points.PointsUpdateOperation op, String path) {
        return switch (op.getOperationCase()) {
            case UPSERT -> {
                List<Point> points = points(op.getUpsert().getPointsList());
                yield () -> col.upsert(points);
            }
            case DELETE_POINTS -> PointsApi.delete(col, Body.of(selector(op.getDeletePoints().getPoints()), path));
            case DELETE_DEPRECATED -> PointsApi.delete(col, Body.of(selector(op.getDeleteDeprecated()), path));
            case SET_PAYLOAD, OVERWRITE_PAYLOAD -> {
                boolean replace = op.getOperationCase() == Points.PointsUpdateOperation.OperationCase.OVERWRITE_PAYLOAD;
                var set = op.getSetPayload();
                var over = op.getOverwritePayload();
                ObjectNode o = (replace ? over.hasPointsSelector() : set.hasPointsSelector())
                        ? selector(replace ? over.getPointsSelector() : set.getPointsSelector()) : json();
                o.set("payload", QdrantRequests.object(replace ? over.getPayloadMap() : set.getPayloadMap()));
                if (replace ? over.hasKey() : set.hasKey()) {
                    o.put("key", replace ? over.getKey() : set.getKey());
                }
                yield PointsApi.setPayload(col, Body.of(o, path), replace);
            }
            case DELETE_PAYLOAD -> {
                ObjectNode o = op.getDeletePayload().hasPointsSelector() ? selector(op.getDeletePayload().getPointsSelector()) : json();
                o.set("keys", QdrantRequests.strings(op.getDeletePayload().getKeysList()));
                yield PointsApi.deletePayload(col, Body.of(o, path));
            }
            case CLEAR_PAYLOAD -> PointsApi.clearPayload(col, Body.of(selector(op.getClearPayload().getPoints()), path));
            case CLEAR_PAYLOAD_DEPRECATED -> PointsApi.clearPayload(col, Body.of(selector(op.getClearPayloadDeprecated()), path));
            case UPDATE_VECTORS -> vectorUpdate(col, op.getUpdateVectors().getPointsList());
            case DELETE_VECTORS -> vectorDelete(col, op.getDeleteVectors().getPointsSelector(), op.getDeleteVectors().getVectors(),
                    path + ".delete_vectors");
            case OPERATION_NOT_SET -> throw new IllegalArgumentException(path + " holds no operation");
        };
    }

    /** A points selector as REST writes it: {@code {"points": [ids]}} or {@code {"filter": …}}. */
    private static ObjectNode selector(Points.PointsSelector s) {
        ObjectNode o = json();
        switch (s.getPointsSelectorOneOfCase()) {
            case POINTS -> o.set("points", QdrantRequests.ids(s.getPoints().getIdsList()));
            case FILTER -> o.set("filter", QdrantRequests.filter(s.getFilter()));
            case POINTSSELECTORONEOF_NOT_SET -> { }
        }
        return o;
    }

    private <T> void write(com.google.protobuf.MessageLite r, StreamObserver<Points.PointsOperationResponse> out, String collection,
                           Function<Collection, Runnable> prepare) {
        calls.write(r, out, () -> {
            long start = System.nanoTime();
            prepare.apply(db().collection(collection)).run();
            return QdrantAnswers.completed(start);
        });
    }

    // ---- reads --------------------------------------------------------------------------------

    @Override
    public void get(Points.GetPoints r, StreamObserver<Points.GetResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            Collection col = db().collection(r.getCollectionName());
            PayloadSelector ps = payload(r.hasWithPayload() ? r.getWithPayload() : null, false);
            boolean vectors = r.hasWithVectors() && withVectors(r.getWithVectors());
            List<PointId> ids = PointsApi.ids(QdrantRequests.ids(r.getIdsList()), "ids");
            Points.GetResponse.Builder b = Points.GetResponse.newBuilder();
            for (Record rec : col.get(ids, ps.any(), vectors)) {
                b.addResult(QdrantAnswers.retrieved(rec, ps));
            }
            return b.setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    @Override
    public void scroll(Points.ScrollPoints r, StreamObserver<Points.ScrollResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            Collection col = db().collection(r.getCollectionName());
            PayloadSelector ps = payload(r.hasWithPayload() ? r.getWithPayload() : null, true);
            boolean vectors = r.hasWithVectors() && withVectors(r.getWithVectors());
            int limit = r.hasLimit() ? r.getLimit() : 10;
            if (limit < 1 || limit > Collection.MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be between 1 and " + Collection.MAX_LIMIT + ", got " + limit);
            }
            var filter = r.hasFilter() ? FilterParser.parse(QdrantRequests.filter(r.getFilter()), "filter") : null;
            Points.ScrollResponse.Builder b = Points.ScrollResponse.newBuilder();
            if (r.hasOrderBy()) { // ordered by a payload value: the query API's order_by, one page
                ObjectNode q = json();
                q.set("query", json().set("order_by", QdrantRequests.orderBy(r.getOrderBy())));
                q.put("limit", limit);
                if (r.hasFilter()) {
                    q.set("filter", QdrantRequests.filter(r.getFilter()));
                }
                SearchResult res = QueryEngine.run(col, withOutput(QueryParser.query(Body.of(q, ""), Set.of()), ps.any(), vectors));
                for (var p : res.points()) {
                    Points.RetrievedPoint.Builder rp = QdrantAnswers.retrieved(new Record(p.id(), p.payload(), p.vector(), p.named()), ps).toBuilder();
                    Points.OrderValue order = QdrantAnswers.orderValue(p.orderValue());
                    b.addResult(order == null ? rp : rp.setOrderValue(order));
                }
                return b.setTime(QdrantAnswers.seconds(start)).build();
            }
            PointId offset = r.hasOffset() ? QdrantRequests.pointId(r.getOffset(), "offset") : null;
            ScrollPage page = col.scroll(offset, limit, filter, ps.any(), vectors);
            page.points().forEach(p -> b.addResult(QdrantAnswers.retrieved(p, ps)));
            if (page.nextOffset() != null) {
                b.setNextPageOffset(QdrantAnswers.id(page.nextOffset()));
            }
            return b.setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    private static QueryRequest withOutput(QueryRequest q, boolean payload, boolean vectors) {
        return new QueryRequest(q.prefetch(), q.query(), q.using(), q.filter(), q.ef(), q.exact(), q.scoreThreshold(), q.limit(),
                q.offset(), payload, vectors, q.explain(), q.quantization());
    }

    @Override
    public void count(Points.CountPoints r, StreamObserver<Points.CountResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            Collection col = db().collection(r.getCollectionName());
            long n = col.count(r.hasFilter() ? FilterParser.parse(QdrantRequests.filter(r.getFilter()), "filter") : null);
            return Points.CountResponse.newBuilder().setResult(Points.CountResult.newBuilder().setCount(n))
                    .setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    @Override
    public void facet(Points.FacetCounts r, StreamObserver<Points.FacetResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            Collection col = db().collection(r.getCollectionName());
            io.vectorflow.engine.filter.KeyPath.parse(r.getKey(), "key");
            int limit = r.hasLimit() ? (int) Math.min(Integer.MAX_VALUE, r.getLimit()) : 10;
            Points.FacetResponse.Builder b = Points.FacetResponse.newBuilder();
            for (Facets.Hit h : Facets.count(col, r.getKey(), r.hasFilter() ? FilterParser.parse(QdrantRequests.filter(r.getFilter()),
                    "filter") : null, limit)) {
                Points.FacetValue.Builder v = Points.FacetValue.newBuilder();
                switch (h.value()) {
                    case String s -> v.setStringValue(s);
                    case Boolean x -> v.setBoolValue(x);
                    case Long l -> v.setIntegerValue(l);
                    default -> v.setStringValue(String.valueOf(h.value()));
                }
                b.addHits(Points.FacetHit.newBuilder().setValue(v).setCount(h.count()));
            }
            return b.setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    // ---- searches: written as the query API's JSON --------------------------------------------

    /** The output and paging fields the search-like requests share. */
    static ObjectNode common(boolean hasFilter, io.qdrant.client.grpc.Common.Filter filter, Points.SearchParams params,
                             Float threshold, Long limit, Long offset, Points.WithPayloadSelector payload,
                             Points.WithVectorsSelector vectors) {
        ObjectNode o = json();
        if (hasFilter) {
            o.set("filter", QdrantRequests.filter(filter));
        }
        if (params != null) {
            o.set("params", QdrantRequests.params(params));
        }
        if (threshold != null) {
            o.put("score_threshold", threshold);
        }
        if (limit != null) {
            o.put("limit", limit);
        }
        if (offset != null) {
            o.put("offset", offset);
        }
        if (payload != null) {
            o.set("with_payload", QdrantRequests.withPayload(payload));
        }
        if (vectors != null) {
            o.set("with_vector", QdrantRequests.withVectors(vectors));
        }
        return o;
    }

    static ObjectNode search(Points.SearchPoints r) {
        ObjectNode o = common(r.hasFilter(), r.getFilter(), r.hasParams() ? r.getParams() : null,
                r.hasScoreThreshold() ? r.getScoreThreshold() : null, r.getLimit(), r.hasOffset() ? r.getOffset() : null,
                r.hasWithPayload() ? r.getWithPayload() : null, r.hasWithVectors() ? r.getWithVectors() : null);
        if (r.hasSparseIndices()) { // a sparse query on the vector vector_name names
            ObjectNode q = o.putObject("query");
            ArrayNode idx = q.putArray("indices");
            r.getSparseIndices().getDataList().forEach(i -> idx.add(Integer.toUnsignedLong(i)));
            ArrayNode val = q.putArray("values");
            r.getVectorList().forEach(val::add);
        } else {
            ArrayNode v = o.putArray("query");
            r.getVectorList().forEach(v::add);
        }
        if (r.hasVectorName()) {
            o.put("using", r.getVectorName());
        }
        return o;
    }

    static ObjectNode query(Points.QueryPoints r) {
        ObjectNode o = common(r.hasFilter(), r.getFilter(), r.hasParams() ? r.getParams() : null,
                r.hasScoreThreshold() ? r.getScoreThreshold() : null, r.hasLimit() ? r.getLimit() : null,
                r.hasOffset() ? r.getOffset() : null, r.hasWithPayload() ? r.getWithPayload() : null,
                r.hasWithVectors() ? r.getWithVectors() : null);
        if (r.getPrefetchCount() > 0) {
            ArrayNode a = o.putArray("prefetch");
            r.getPrefetchList().forEach(p -> a.add(QdrantRequests.prefetch(p)));
        }
        if (r.hasQuery()) {
            o.set("query", QdrantRequests.query(r.getQuery()));
        }
        if (r.hasUsing()) {
            o.put("using", r.getUsing());
        }
        if (r.hasLookupFrom()) {
            o.put("lookup_from", r.getLookupFrom().getCollectionName());
        }
        return o;
    }

    static ObjectNode recommend(Points.RecommendPoints r) {
        ObjectNode o = common(r.hasFilter(), r.getFilter(), r.hasParams() ? r.getParams() : null,
                r.hasScoreThreshold() ? r.getScoreThreshold() : null, r.getLimit(), r.hasOffset() ? r.getOffset() : null,
                r.hasWithPayload() ? r.getWithPayload() : null, r.hasWithVectors() ? r.getWithVectors() : null);
        ArrayNode pos = o.putArray("positive");
        r.getPositiveList().forEach(id -> pos.add(QdrantRequests.id(id)));
        ArrayNode neg = o.putArray("negative");
        r.getNegativeList().forEach(id -> neg.add(QdrantRequests.id(id)));
        for (int i = 0; i < r.getPositiveVectorsCount(); i++) {
            pos.add(Json.MAPPER.valueToTree(QdrantRequests.dense(r.getPositiveVectors(i), "positive_vectors[" + i + "]")));
        }
        for (int i = 0; i < r.getNegativeVectorsCount(); i++) {
            neg.add(Json.MAPPER.valueToTree(QdrantRequests.dense(r.getNegativeVectors(i), "negative_vectors[" + i + "]")));
        }
        if (r.hasStrategy()) {
            o.put("strategy", QdrantRequests.strategy(r.getStrategy()));
        }
        if (r.hasUsing()) {
            o.put("using", r.getUsing());
        }
        if (r.hasLookupFrom()) {
            o.put("lookup_from", r.getLookupFrom().getCollectionName());
        }
        return o;
    }

    static ObjectNode discover(Points.DiscoverPoints r) {
        ObjectNode o = common(r.hasFilter(), r.getFilter(), r.hasParams() ? r.getParams() : null, null, r.getLimit(),
                r.hasOffset() ? r.getOffset() : null, r.hasWithPayload() ? r.getWithPayload() : null,
                r.hasWithVectors() ? r.getWithVectors() : null);
        o.set("target", QdrantRequests.target(r.getTarget()));
        o.set("context", QdrantRequests.examplePairs(r.getContextList()));
        if (r.hasUsing()) {
            o.put("using", r.getUsing());
        }
        if (r.hasLookupFrom()) {
            o.put("lookup_from", r.getLookupFrom().getCollectionName());
        }
        return o;
    }

    /** Runs one search-like request: the REST parser reads its JSON, the query engine answers. */
    private SearchResult run(String collection, ObjectNode request, Function<Body, QueryRequest> parse) {
        return QueryEngine.run(db().collection(collection), parse.apply(Body.of(request, "")));
    }

    private static PayloadSelector selectorOf(ObjectNode request) {
        return PayloadSelector.parse(request.get("with_payload"), "with_payload", false);
    }

    private static List<Points.ScoredPoint> answer(SearchResult r, ObjectNode request) {
        GrpcCalls.performance(List.of(r));
        return QdrantAnswers.scored(r.points(), selectorOf(request));
    }

    @Override
    public void search(Points.SearchPoints r, StreamObserver<Points.SearchResponse> out) {
        calls.search(r, out, () -> {
            long start = System.nanoTime();
            ObjectNode q = search(r);
            return Points.SearchResponse.newBuilder().addAllResult(answer(run(r.getCollectionName(), q, QUERY), q))
                    .setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    @Override
    public void query(Points.QueryPoints r, StreamObserver<Points.QueryResponse> out) {
        calls.search(r, out, () -> {
            long start = System.nanoTime();
            ObjectNode q = query(r);
            return Points.QueryResponse.newBuilder().addAllResult(answer(run(r.getCollectionName(), q, QUERY), q))
                    .setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    @Override
    public void recommend(Points.RecommendPoints r, StreamObserver<Points.RecommendResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            ObjectNode q = recommend(r);
            return Points.RecommendResponse.newBuilder().addAllResult(answer(run(r.getCollectionName(), q, RECOMMEND), q))
                    .setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    @Override
    public void discover(Points.DiscoverPoints r, StreamObserver<Points.DiscoverResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            ObjectNode q = discover(r);
            return Points.DiscoverResponse.newBuilder().addAllResult(answer(run(r.getCollectionName(), q, QueryParser::discover), q))
                    .setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    private static final Function<Body, QueryRequest> QUERY = b -> QueryParser.query(b, Set.of());
    private static final Function<Body, QueryRequest> RECOMMEND = b -> QueryParser.recommend(b, Set.of());

    @Override
    public void searchBatch(Points.SearchBatchPoints r, StreamObserver<Points.SearchBatchResponse> out) {
        calls.search(r, out, () -> {
            long start = System.nanoTime();
            List<Points.BatchResult> results = batch(r.getCollectionName(), r.getSearchPointsList().stream()
                    .map(QdrantPointsService::search).toList(), QUERY);
            return Points.SearchBatchResponse.newBuilder().addAllResult(results).setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    @Override
    public void queryBatch(Points.QueryBatchPoints r, StreamObserver<Points.QueryBatchResponse> out) {
        calls.search(r, out, () -> {
            long start = System.nanoTime();
            List<Points.BatchResult> results = batch(r.getCollectionName(), r.getQueryPointsList().stream()
                    .map(QdrantPointsService::query).toList(), QUERY);
            return Points.QueryBatchResponse.newBuilder().addAllResult(results).setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    @Override
    public void recommendBatch(Points.RecommendBatchPoints r, StreamObserver<Points.RecommendBatchResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            List<Points.BatchResult> results = batch(r.getCollectionName(), r.getRecommendPointsList().stream()
                    .map(QdrantPointsService::recommend).toList(), RECOMMEND);
            return Points.RecommendBatchResponse.newBuilder().addAllResult(results).setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    @Override
    public void discoverBatch(Points.DiscoverBatchPoints r, StreamObserver<Points.DiscoverBatchResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            List<Points.BatchResult> results = batch(r.getCollectionName(), r.getDiscoverPointsList().stream()
                    .map(QdrantPointsService::discover).toList(), QueryParser::discover);
            return Points.DiscoverBatchResponse.newBuilder().addAllResult(results).setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    /** Several searches: every one parsed and its size checked before the first runs. */
    private List<Points.BatchResult> batch(String collection, List<ObjectNode> requests, Function<Body, QueryRequest> parse) {
        if (requests.size() > PointsApi.MAX_SEARCHES) {
            throw new ApiException(413, "the batch holds " + requests.size() + " searches; at most " + PointsApi.MAX_SEARCHES);
        }
        Collection col = db().collection(collection);
        List<QueryRequest> parsed = new ArrayList<>(requests.size());
        long hits = 0;
        for (int i = 0; i < requests.size(); i++) {
            QueryRequest q = parse.apply(Body.of(requests.get(i), "searches[" + i + "]"));
            hits += q.limit() + q.offset();
            parsed.add(q);
        }
        if (hits > Collection.MAX_BATCH_RESULTS) {
            throw new IllegalArgumentException("the batch asks for " + hits + " hits in all; at most " + Collection.MAX_BATCH_RESULTS);
        }
        List<SearchResult> raw = new ArrayList<>(parsed.size());
        List<Points.BatchResult> out = new ArrayList<>(parsed.size());
        for (int i = 0; i < parsed.size(); i++) {
            SearchResult res = QueryEngine.run(col, parsed.get(i));
            raw.add(res);
            out.add(Points.BatchResult.newBuilder().addAllResult(QdrantAnswers.scored(res.points(), selectorOf(requests.get(i)))).build());
        }
        GrpcCalls.performance(raw);
        return out;
    }

    // ---- groups -------------------------------------------------------------------------------

    @Override
    public void searchGroups(Points.SearchPointGroups r, StreamObserver<Points.SearchGroupsResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            ObjectNode q = common(r.hasFilter(), r.getFilter(), r.hasParams() ? r.getParams() : null,
                    r.hasScoreThreshold() ? r.getScoreThreshold() : null, null, null, r.hasWithPayload() ? r.getWithPayload() : null,
                    r.hasWithVectors() ? r.getWithVectors() : null);
            ArrayNode v = q.putArray("query");
            r.getVectorList().forEach(v::add);
            if (r.hasVectorName()) {
                q.put("using", r.getVectorName());
            }
            return Points.SearchGroupsResponse.newBuilder().setResult(groups(r.getCollectionName(), q, r.getGroupBy(),
                    r.getGroupSize(), r.getLimit(), r.hasWithLookup() ? r.getWithLookup() : null)).setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    @Override
    public void queryGroups(Points.QueryPointGroups r, StreamObserver<Points.QueryGroupsResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            ObjectNode q = common(r.hasFilter(), r.getFilter(), r.hasParams() ? r.getParams() : null,
                    r.hasScoreThreshold() ? r.getScoreThreshold() : null, null, null, r.hasWithPayload() ? r.getWithPayload() : null,
                    r.hasWithVectors() ? r.getWithVectors() : null);
            if (r.getPrefetchCount() > 0) {
                ArrayNode a = q.putArray("prefetch");
                r.getPrefetchList().forEach(p -> a.add(QdrantRequests.prefetch(p)));
            }
            if (r.hasQuery()) {
                q.set("query", QdrantRequests.query(r.getQuery()));
            }
            if (r.hasUsing()) {
                q.put("using", r.getUsing());
            }
            return Points.QueryGroupsResponse.newBuilder().setResult(groups(r.getCollectionName(), q, r.getGroupBy(),
                    r.hasGroupSize() ? (int) r.getGroupSize() : 3, r.hasLimit() ? (int) r.getLimit() : 10,
                    r.hasWithLookup() ? r.getWithLookup() : null)).setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    @Override
    public void recommendGroups(Points.RecommendPointGroups r, StreamObserver<Points.RecommendGroupsResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            Points.RecommendPoints.Builder rec = Points.RecommendPoints.newBuilder().setCollectionName(r.getCollectionName())
                    .addAllPositive(r.getPositiveList()).addAllNegative(r.getNegativeList()).addAllPositiveVectors(r.getPositiveVectorsList())
                    .addAllNegativeVectors(r.getNegativeVectorsList()).setLimit(1);
            if (r.hasFilter()) {
                rec.setFilter(r.getFilter());
            }
            if (r.hasParams()) {
                rec.setParams(r.getParams());
            }
            if (r.hasScoreThreshold()) {
                rec.setScoreThreshold(r.getScoreThreshold());
            }
            if (r.hasWithPayload()) {
                rec.setWithPayload(r.getWithPayload());
            }
            if (r.hasWithVectors()) {
                rec.setWithVectors(r.getWithVectors());
            }
            if (r.hasStrategy()) {
                rec.setStrategy(r.getStrategy());
            }
            if (r.hasUsing()) {
                rec.setUsing(r.getUsing());
            }
            ObjectNode q = recommend(rec.build());
            q.remove("limit");
            return Points.RecommendGroupsResponse.newBuilder().setResult(groups(r.getCollectionName(), q, r.getGroupBy(),
                    r.getGroupSize(), r.getLimit(), r.hasWithLookup() ? r.getWithLookup() : null, RECOMMEND_GROUPS))
                    .setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    private static final Function<Body, QueryRequest> QUERY_GROUPS = b -> QueryParser.query(b, QueryApi.GROUP_FIELDS);
    private static final Function<Body, QueryRequest> RECOMMEND_GROUPS = b -> QueryParser.recommend(b, QueryApi.GROUP_FIELDS);

    private Points.GroupsResult groups(String collection, ObjectNode q, String groupBy, int size, int limit, Points.WithLookup lookup) {
        return groups(collection, q, groupBy, size, limit, lookup, QUERY_GROUPS);
    }

    private Points.GroupsResult groups(String collection, ObjectNode q, String groupBy, int size, int limit, Points.WithLookup lookup,
                                       Function<Body, QueryRequest> parse) {
        if (groupBy.isEmpty()) {
            throw new IllegalArgumentException("group_by is required (a payload key)");
        }
        io.vectorflow.engine.filter.KeyPath.parse(groupBy, "group_by");
        Collection col = db().collection(collection);
        Groups.Result g = Groups.run(col, parse.apply(Body.of(q, "")), groupBy, size == 0 ? 3 : size, limit == 0 ? 10 : limit);
        GrpcCalls.performance(List.of(g.search()));
        PayloadSelector ps = selectorOf(q);
        Collection other = lookup == null ? null : db().collection(lookup.getCollection());
        PayloadSelector lookupPayload = lookup == null ? null : payload(lookup.hasWithPayload() ? lookup.getWithPayload() : null, true);
        boolean lookupVectors = lookup != null && lookup.hasWithVectors() && withVectors(lookup.getWithVectors());
        Points.GroupsResult.Builder b = Points.GroupsResult.newBuilder();
        for (Groups.Group group : g.groups()) {
            Points.PointGroup.Builder pg = Points.PointGroup.newBuilder().addAllHits(QdrantAnswers.scored(group.hits(), ps));
            PointId lookupId = null;
            switch (group.id()) {
                case Long l -> {
                    pg.setId(l >= 0 ? Points.GroupId.newBuilder().setUnsignedValue(l) : Points.GroupId.newBuilder().setIntegerValue(l));
                    lookupId = l >= 0 ? PointId.of(l) : null;
                }
                default -> {
                    pg.setId(Points.GroupId.newBuilder().setStringValue(String.valueOf(group.id())));
                    try {
                        lookupId = PointId.parseUuid(String.valueOf(group.id()));
                    } catch (IllegalArgumentException notUuid) {
                        lookupId = null;
                    }
                }
            }
            if (other != null && lookupId != null) {
                List<Record> found = other.get(List.of(lookupId), lookupPayload.any(), lookupVectors);
                if (!found.isEmpty()) {
                    pg.setLookup(QdrantAnswers.retrieved(found.getFirst(), lookupPayload));
                }
            }
            b.addGroups(pg);
        }
        return b.build();
    }

    // ---- selectors ------------------------------------------------------------------------------

    private static PayloadSelector payload(Points.WithPayloadSelector s, boolean fallback) {
        return s == null ? (fallback ? PayloadSelector.ALL : PayloadSelector.NONE)
                : PayloadSelector.parse(QdrantRequests.withPayload(s), "with_payload", fallback);
    }

    private static boolean withVectors(Points.WithVectorsSelector s) {
        ObjectNode o = json();
        o.set("with_vector", QdrantRequests.withVectors(s));
        return QueryParser.withVector(Body.of(o, ""));
    }

    /** The collections of the tenant the request being served acts for. */
    private Database db() {
        return Security.db(db);
    }
}
