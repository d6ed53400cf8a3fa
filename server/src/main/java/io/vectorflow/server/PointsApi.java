package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.server.ServerBuilder;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.ScrollPage;
import io.vectorflow.engine.SearchRequest;
import io.vectorflow.engine.SearchResult;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.engine.filter.FilterParser;
import io.vectorflow.engine.query.Facets;
import io.vectorflow.storage.PointId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Points, payloads and search under {@code /collections/{name}/points}, in Qdrant's shapes: upsert
 * (list and column forms), get, delete (ids or filter), scroll, count, set / overwrite / delete /
 * clear payload, and search through {@code query}, {@code query/batch}, {@code search} and
 * {@code search/batch}. Searches answer with the {@code performance} object defined in docs/api.md.
 */
final class PointsApi {

    /** Most points one upsert may carry (the body size limit usually binds first). */
    static final int MAX_BATCH = 100_000;
    /** Most searches one batch may carry. */
    static final int MAX_SEARCHES = 1_000;
    private static final AtomicLong OPERATIONS = new AtomicLong();
    private static final Set<String> SEARCH_FIELDS = Set.of("vector", "filter", "params", "limit", "offset", "with_payload",
            "with_vector", "with_vectors", "score_threshold", "explain");
    private static final Set<String> QDRANT_SEARCH_ONLY = Set.of("shard_key", "timeout", "consistency", "lookup_from");

    private final Database db;
    private final Rest rest;

    PointsApi(Database db, Rest rest) {
        this.db = db;
        this.rest = rest;
    }

    void register(ServerBuilder sb) {
        String p = "/collections/{name}/points";
        sb.route().put(p).build(rest.write(this::upsert));
        sb.route().post(p).build(rest.read(this::get));
        sb.route().get(p + "/{id}").build(rest.read(this::getOne));
        sb.route().post(p + "/delete").build(rest.write(this::delete));
        sb.route().post(p + "/scroll").build(rest.read(this::scroll));
        sb.route().post(p + "/count").build(rest.read(this::count));
        sb.route().post(p + "/payload").build(rest.write(c -> setPayload(c, false)));
        sb.route().put(p + "/payload").build(rest.write(c -> setPayload(c, true)));
        sb.route().post(p + "/payload/delete").build(rest.write(this::deletePayload));
        sb.route().post(p + "/payload/clear").build(rest.write(this::clearPayload));
        sb.route().put(p + "/vectors").build(rest.write(c -> done(updateVectors(db().collection(c.param("name")), c.body()))));
        sb.route().post(p + "/vectors").build(rest.write(c -> done(updateVectors(db().collection(c.param("name")), c.body()))));
        sb.route().post(p + "/vectors/delete").build(rest.write(c -> {
            return done(deleteVectors(db().collection(c.param("name")), c.body()));
        }));
        sb.route().post(p + "/batch").build(rest.write(this::batchUpdate));
        sb.route().post("/collections/{name}/facet").build(rest.read(this::facet));
        sb.route().post(p + "/search").build(rest.search(this::search));
        sb.route().post(p + "/search/batch").build(rest.search(this::batch));
    }

    /** Qdrant's answer to a write: {@code {"operation_id": n, "status": "completed"}}; every write here is durable on return. */
    static Map<String, Object> completed() {
        return Map.of("operation_id", OPERATIONS.incrementAndGet(), "status", "completed");
    }

    // ---- writes -------------------------------------------------------------------------------

    private Rest.Reply upsert(Rest.Call call) {
        return done(upsert(db().collection(call.param("name")), call.body()));
    }

    /** The write an upsert body asks for, checked and ready to run. */
    static Runnable upsert(Collection col, Body b) {
        Body body = b.check(Set.of("points", "batch"), Set.of("shard_key", "update_filter"), null);
        List<Point> points = new ArrayList<>();
        if (body.has("points") == body.has("batch")) {
            throw ApiException.badRequest("give either points (a list) or batch (columns)");
        }
        if (body.has("points")) {
            JsonNode list = body.get("points");
            if (!list.isArray()) {
                throw ApiException.unprocessable("points must be an array");
            }
            checkBatch(list.size(), "points");
            for (int i = 0; i < list.size(); i++) {
                String path = "points[" + i + "]";
                Body pt = Body.of(list.get(i), path).check(Set.of("id", "vector", "payload"));
                points.add(VectorsJson.point(FilterParser.id(pt.get("id"), path + ".id"), pt.get("vector"),
                        payload(pt.get("payload"), path + ".payload"), path + ".vector"));
            }
        } else {
            Body batch = body.object("batch").check(Set.of("ids", "vectors", "payloads"));
            JsonNode ids = batch.get("ids");
            JsonNode vectors = batch.get("vectors");
            JsonNode payloads = batch.get("payloads");
            if (ids == null || !ids.isArray() || vectors == null || !(vectors.isArray() || vectors.isObject())) {
                throw ApiException.unprocessable("batch.ids must be an array and batch.vectors an array or an object of named"
                        + " arrays");
            }
            boolean named = vectors.isObject(); // {"name": [vector per id], …}
            for (JsonNode column : named ? vectors : java.util.List.of(vectors)) {
                if (!column.isArray() || column.size() != ids.size()) {
                    throw ApiException.badRequest("batch.ids and batch.vectors must have the same length");
                }
            }
            if (payloads != null && (!payloads.isArray() || payloads.size() != ids.size())) {
                throw ApiException.badRequest("batch.ids, batch.vectors and batch.payloads must have the same length");
            }
            checkBatch(ids.size(), "batch.ids");
            for (int i = 0; i < ids.size(); i++) {
                JsonNode vector = vectors.get(i);
                if (named) {
                    ObjectNode one = Json.MAPPER.createObjectNode();
                    for (var it = vectors.fields(); it.hasNext(); ) {
                        var e = it.next();
                        if (!e.getValue().get(i).isNull()) {
                            one.set(e.getKey(), e.getValue().get(i));
                        }
                    }
                    vector = one;
                }
                points.add(VectorsJson.point(FilterParser.id(ids.get(i), "batch.ids[" + i + "]"), vector,
                        payload(payloads == null ? null : payloads.get(i), "batch.payloads[" + i + "]"),
                        "batch.vectors[" + i + "]"));
            }
        }
        return () -> col.upsert(points);
    }

    private static Rest.Reply done(Runnable write) {
        write.run();
        return Rest.Reply.of(completed());
    }

    /** {@code PUT /points/vectors}: new vectors for existing points, payloads kept. */
    static Runnable updateVectors(Collection col, Body b) {
        Body body = b.check(Set.of("points"), Set.of("shard_key", "update_filter"), null);
        JsonNode list = body.get("points");
        if (list == null || !list.isArray()) {
            throw ApiException.unprocessable("points must be an array of {id, vector}");
        }
        checkBatch(list.size(), "points");
        List<Point> points = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String path = "points[" + i + "]";
            Body pt = Body.of(list.get(i), path).check(Set.of("id", "vector"));
            points.add(VectorsJson.point(FilterParser.id(pt.get("id"), path + ".id"), pt.get("vector"), null, path + ".vector"));
        }
        return () -> col.updateVectors(points);
    }

    private static void checkBatch(int n, String field) {
        if (n > MAX_BATCH) {
            throw new ApiException(413, field + " holds " + n + " points; at most " + MAX_BATCH + " per request");
        }
    }

    /** A dense vector: an array of finite numbers (or {@code {"": [...]}}, the unnamed vector written as a map). */
    static float[] vector(JsonNode v, String path) {
        if (v == null || v.isNull()) {
            throw ApiException.badRequest(path + " is required");
        }
        if (v.isObject()) {
            if (v.size() == 1 && v.has("")) { // {"": […]}: the unnamed vector written as a map
                return vector(v.get(""), path + "[\"\"]");
            }
            throw ApiException.unprocessable(path + " must be an array of numbers");
        }
        if (!v.isArray()) {
            throw ApiException.unprocessable(path + " must be an array of numbers");
        }
        float[] read = RequestJson.floats(v); // read straight from the request's numbers
        if (read != null) {
            for (int j = 0; j < read.length; j++) {
                if (!Float.isFinite(read[j])) {
                    throw ApiException.badRequest(path + "[" + j + "] is " + Body.brief(v.get(j)) + ", which is not a finite 32-bit float");
                }
            }
            return read;
        }
        float[] out = new float[v.size()];
        for (int j = 0; j < out.length; j++) {
            JsonNode x = v.get(j);
            if (!x.isNumber()) {
                throw ApiException.unprocessable(path + "[" + j + "] must be a number, got " + Body.brief(x));
            }
            float f = x.floatValue();
            if (!Float.isFinite(f)) {
                throw ApiException.badRequest(path + "[" + j + "] is " + Body.brief(x) + ", which is not a finite 32-bit float");
            }
            out[j] = f;
        }
        return out;
    }

    private static ObjectNode payload(JsonNode p, String path) {
        if (p == null || p.isNull()) {
            return null;
        }
        if (!p.isObject()) {
            throw ApiException.unprocessable(path + " must be a JSON object");
        }
        return (ObjectNode) p;
    }

    /** The points a write selects: {@code points} (ids) or {@code filter}; exactly one. */
    private record Selector(List<PointId> ids, Filter filter) {}

    private static Selector selector(Body body) {
        JsonNode points = body.get("points");
        Filter filter = FilterParser.parse(body.get("filter"), "filter");
        if (points != null && points.isObject()) { // {"points": {"filter": …}} is accepted too
            filter = FilterParser.parse(points.get("filter"), "points.filter");
            points = null;
        }
        if ((points == null) == (filter == null)) {
            throw ApiException.badRequest("give either points (a list of ids) or filter");
        }
        return new Selector(points == null ? null : ids(points, "points"), filter);
    }

    static List<PointId> ids(JsonNode node, String path) {
        if (!node.isArray()) {
            throw ApiException.unprocessable(path + " must be an array of point ids");
        }
        checkBatch(node.size(), path);
        List<PointId> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(FilterParser.id(node.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    private Rest.Reply delete(Rest.Call call) {
        return done(delete(db().collection(call.param("name")), call.body()));
    }

    static Runnable delete(Collection col, Body body) {
        Selector s = selector(body.check(Set.of("points", "filter"), Set.of("shard_key"), null));
        return s.ids() != null ? () -> col.delete(s.ids()) : () -> col.delete(s.filter());
    }

    private Rest.Reply setPayload(Rest.Call call, boolean replace) {
        return done(setPayload(db().collection(call.param("name")), call.body(), replace));
    }

    static Runnable setPayload(Collection col, Body b, boolean replace) {
        Body body = b.check(Set.of("payload", "points", "filter", "key"), Set.of("shard_key"), null);
        ObjectNode payload = payload(body.get("payload"), "payload");
        if (payload == null) {
            throw ApiException.badRequest("payload is required");
        }
        Selector s = selector(body);
        String key = body.string("key", null);
        return () -> col.setPayload(s.ids(), s.filter(), payload, replace, key);
    }

    private Rest.Reply deletePayload(Rest.Call call) {
        return done(deletePayload(db().collection(call.param("name")), call.body()));
    }

    static Runnable deletePayload(Collection col, Body b) {
        Body body = b.check(Set.of("keys", "points", "filter"), Set.of("shard_key"), null);
        JsonNode keys = body.get("keys");
        if (keys == null || !keys.isArray() || keys.isEmpty()) {
            throw ApiException.badRequest("keys must be a non-empty array of payload keys");
        }
        List<String> list = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            if (!keys.get(i).isTextual() || keys.get(i).textValue().isEmpty()) {
                throw ApiException.unprocessable("keys[" + i + "] must be a non-empty string");
            }
            list.add(keys.get(i).textValue());
        }
        Selector s = selector(body);
        return () -> col.deletePayloadKeys(s.ids(), s.filter(), list);
    }

    private Rest.Reply clearPayload(Rest.Call call) {
        return done(clearPayload(db().collection(call.param("name")), call.body()));
    }

    static Runnable clearPayload(Collection col, Body body) {
        Selector s = selector(body.check(Set.of("points", "filter"), Set.of("shard_key"), null));
        return () -> col.deletePayloadKeys(s.ids(), s.filter(), List.of());
    }

    /**
     * {@code POST /points/batch}: several writes in one request, applied in order. Every
     * operation is checked before the first runs, so a malformed one changes nothing; each is
     * durable when the next starts, and the answer lists one status per operation.
     */
    private Rest.Reply batchUpdate(Rest.Call call) {
        Collection col = db().collection(call.param("name"));
        Body body = call.body().check(Set.of("operations"), Set.of("ordering"), null);
        JsonNode ops = body.get("operations");
        if (ops == null || !ops.isArray()) {
            throw ApiException.unprocessable("operations must be an array");
        }
        checkBatch(ops.size(), "operations");
        List<Runnable> writes = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            String path = "operations[" + i + "]";
            JsonNode op = ops.get(i);
            if (op == null || !op.isObject() || op.size() != 1) {
                throw ApiException.badRequest(path + " must be an object with one operation (upsert, delete, set_payload,"
                        + " overwrite_payload, delete_payload, clear_payload, update_vectors)");
            }
            String kind = op.fieldNames().next();
            Body b = Body.of(op.get(kind), path + "." + kind);
            writes.add(switch (kind) {
                case "upsert" -> upsert(col, b);
                case "delete" -> delete(col, b);
                case "set_payload" -> setPayload(col, b, false);
                case "overwrite_payload" -> setPayload(col, b, true);
                case "delete_payload" -> deletePayload(col, b);
                case "clear_payload" -> clearPayload(col, b);
                case "update_vectors" -> updateVectors(col, b);
                case "delete_vectors" -> deleteVectors(col, b);
                default -> throw ApiException.badRequest(path + "." + kind + " is not an operation (upsert, delete, set_payload,"
                        + " overwrite_payload, delete_payload, clear_payload, update_vectors)");
            });
        }
        List<Map<String, Object>> results = new ArrayList<>(writes.size());
        for (Runnable w : writes) {
            w.run();
            results.add(completed());
        }
        return Rest.Reply.of(results);
    }

    /** {@code POST /collections/{name}/facet}: value counts at a payload key. */
    private Rest.Reply facet(Rest.Call call) {
        Collection col = db().collection(call.param("name"));
        Body body = call.body().check(Set.of("key", "filter", "limit", "exact"), Set.of("shard_key", "consistency", "timeout"), null);
        String key = body.string("key", null);
        if (key == null) {
            throw ApiException.badRequest("key is required (a payload key)");
        }
        io.vectorflow.engine.filter.KeyPath.parse(key, "key");
        body.bool("exact", false);
        List<Map<String, Object>> hits = new ArrayList<>();
        for (Facets.Hit h : Facets.count(col, key, FilterParser.parse(body.get("filter"), "filter"),
                body.integer("limit", 10, 1, Facets.MAX_LIMIT))) {
            hits.add(Map.of("value", h.value(), "count", h.count()));
        }
        return Rest.Reply.of(Map.of("hits", hits));
    }

    // ---- reads --------------------------------------------------------------------------------

    private Rest.Reply get(Rest.Call call) {
        Collection col = db().collection(call.param("name"));
        Body body = call.body().check(Set.of("ids", "with_payload", "with_vector"), Set.of("shard_key", "consistency"), null);
        JsonNode ids = body.get("ids");
        if (ids == null) {
            throw ApiException.badRequest("ids is required");
        }
        PayloadSelector ps = PayloadSelector.parse(body.get("with_payload"), "with_payload", true);
        boolean withVector = QueryParser.withVector(body);
        List<ObjectNode> out = new ArrayList<>();
        for (Record r : col.get(ids(ids, "ids"), ps.any(), withVector)) {
            out.add(record(r.id(), r.payload(), r.vector(), r.named(), ps));
        }
        return Rest.Reply.of(out);
    }

    private Rest.Reply getOne(Rest.Call call) {
        Collection col = db().collection(call.param("name"));
        PointId id;
        try {
            id = PointId.parse(call.param("id"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("point id in the path: " + e.getMessage());
        }
        List<Record> found = col.get(List.of(id), true, true);
        if (found.isEmpty()) {
            throw new ApiException(404, "point " + id + " does not exist in collection '" + col.name() + "'");
        }
        Record r = found.getFirst();
        return Rest.Reply.of(record(r.id(), r.payload(), r.vector(), r.named(), PayloadSelector.ALL));
    }

    private Rest.Reply scroll(Rest.Call call) {
        Collection col = db().collection(call.param("name"));
        Body body = call.body().check(Set.of("filter", "limit", "offset", "with_payload", "with_vector"),
                Set.of("shard_key", "consistency", "order_by", "timeout"), null);
        if (body.has("order_by")) {
            throw ApiException.badRequest("order_by is not supported; points are returned in id order");
        }
        int limit = body.integer("limit", 10, 1, Collection.MAX_LIMIT);
        PointId offset = body.has("offset") ? FilterParser.id(body.get("offset"), "offset") : null;
        PayloadSelector ps = PayloadSelector.parse(body.get("with_payload"), "with_payload", true);
        ScrollPage page = col.scroll(offset, limit, FilterParser.parse(body.get("filter"), "filter"), ps.any(), QueryParser.withVector(body));
        ObjectNode result = Json.MAPPER.createObjectNode();
        ArrayNode points = result.putArray("points");
        for (Record r : page.points()) {
            points.add(record(r.id(), r.payload(), r.vector(), r.named(), ps));
        }
        result.set("next_page_offset", page.nextOffset() == null ? null : Json.MAPPER.valueToTree(page.nextOffset().toJsonValue()));
        return Rest.Reply.of(result);
    }

    private Rest.Reply count(Rest.Call call) {
        Collection col = db().collection(call.param("name"));
        Body body = call.body().check(Set.of("filter", "exact"), Set.of("shard_key", "consistency", "timeout"), null);
        body.bool("exact", true);
        return Rest.Reply.of(Map.of("count", col.count(FilterParser.parse(body.get("filter"), "filter"))));
    }

    // ---- search -------------------------------------------------------------------------------

    /** A parsed search with the output option the engine does not handle. */
    private record Search(SearchRequest request, PayloadSelector payload) {}

    private Search parseSearch(Collection col, Body body) {
        body.check(SEARCH_FIELDS, QDRANT_SEARCH_ONLY, null);
        VectorsJson.Target target = VectorsJson.target(body.get("vector"), body.path("vector"));
        int limit = body.integer("limit", 10, 1, Collection.MAX_LIMIT);
        int offset = body.integer("offset", 0, 0, Collection.MAX_LIMIT);
        Body params = body.object("params").check(Set.of("hnsw_ef", "exact", "quantization"), Set.of("indexed_only", "acorn"), null);
        int ef = params.integer("hnsw_ef", 0, 1, SearchRequest.MAX_EF);
        boolean exact = params.bool("exact", false);
        Float threshold = body.has("score_threshold") ? (float) body.number("score_threshold", 0) : null;
        PayloadSelector ps = PayloadSelector.parse(body.get("with_payload"), "with_payload", false);
        SearchRequest r = new SearchRequest(target.dense(), limit, FilterParser.parse(body.get("filter"), "filter"), ef, exact,
                ps.any(), QueryParser.withVector(body), body.bool("explain", false), offset, threshold, target.using(),
                target.sparse(), QuantizationJson.params(params));
        return new Search(r, ps);
    }

    private Rest.Reply search(Rest.Call call) {
        Collection col = db().collection(call.param("name"));
        Search s = parseSearch(col, call.body());
        SearchResult r = col.search(s.request());
        return new Rest.Reply(QueryApi.scored(r.points(), s.payload()), Performance.of(r), List.of());
    }

    private Rest.Reply batch(Rest.Call call) {
        Collection col = db().collection(call.param("name"));
        Body body = call.body().check(Set.of("searches"), Set.of("consistency", "timeout"), null);
        JsonNode searches = body.get("searches");
        if (searches == null || !searches.isArray()) {
            throw ApiException.badRequest("searches must be an array");
        }
        if (searches.size() > MAX_SEARCHES) {
            throw new ApiException(413, "searches holds " + searches.size() + " searches; at most " + MAX_SEARCHES);
        }
        List<Search> parsed = new ArrayList<>();
        for (int i = 0; i < searches.size(); i++) {
            parsed.add(parseSearch(col, Body.of(searches.get(i), "searches[" + i + "]")));
        }
        List<SearchResult> raw = col.searchBatch(parsed.stream().map(Search::request).toList());
        List<Object> results = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
            results.add(QueryApi.scored(raw.get(i).points(), parsed.get(i).payload()));
        }
        return new Rest.Reply(results, Performance.ofBatch(raw), List.of());
    }

    static ObjectNode record(PointId id, ObjectNode payload, float[] vector, io.vectorflow.engine.Vectors named,
                             PayloadSelector ps) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.set("id", Json.MAPPER.valueToTree(id.toJsonValue()));
        n.set("payload", payload == null ? null : ps.apply(payload));
        VectorsJson.write(n, vector, named);
        return n;
    }

    /** {@code POST /points/vectors/delete}: named vectors removed from points chosen by id or filter. */
    static Runnable deleteVectors(Collection col, Body b) {
        Body body = b.check(Set.of("points", "filter", "vector"), Set.of("shard_key", "ordering"), null);
        JsonNode names = body.get("vector");
        if (names == null || !names.isArray() || names.isEmpty()) {
            throw ApiException.badRequest(body.path("vector") + " must be a list of vector names");
        }
        java.util.Set<String> set = new java.util.LinkedHashSet<>();
        for (JsonNode n : names) {
            if (!n.isTextual()) {
                throw ApiException.badRequest(body.path("vector") + " must hold vector names, got " + Body.brief(n));
            }
            set.add(n.textValue());
        }
        if (body.has("points") == body.has("filter")) {
            throw ApiException.badRequest("give either points (ids) or filter");
        }
        List<PointId> ids = body.has("points") ? ids(body.get("points"), body.path("points")) : null;
        Filter filter = body.has("filter") ? FilterParser.parse(body.get("filter"), body.path("filter")) : null;
        return () -> col.deleteVectors(ids, filter, set);
    }

    /** The collections of the tenant the request being served acts for. */
    private Database db() {
        return Security.db(db);
    }
}
