package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.server.ServerBuilder;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.ScoredPoint;
import io.vectorflow.engine.SearchResult;
import io.vectorflow.engine.query.Groups;
import io.vectorflow.engine.query.QueryEngine;
import io.vectorflow.engine.query.QueryRequest;
import io.vectorflow.storage.PointId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Qdrant's query API and the older endpoints built on it, under {@code /collections/{name}/points}:
 * {@code query}, {@code query/batch}, {@code query/groups}, {@code search/groups},
 * {@code recommend} (and {@code /batch}, {@code /groups}), {@code discover} (and {@code /batch}).
 * Each reads its JSON into a {@link QueryRequest} and runs it with the {@link QueryEngine}; the
 * answers carry the {@code performance} object.
 */
final class QueryApi {

    static final Set<String> GROUP_FIELDS = Set.of("group_by", "group_size", "limit", "with_lookup");

    private final Database db;
    private final Rest rest;

    QueryApi(Database db, Rest rest) {
        this.db = db;
        this.rest = rest;
    }

    void register(ServerBuilder sb) {
        String p = "/collections/{name}/points";
        sb.route().post(p + "/query").build(rest.search(c -> one(c, b -> QueryParser.query(b, Set.of()), true)));
        sb.route().post(p + "/query/batch").build(rest.search(c -> batch(c, b -> QueryParser.query(b, Set.of()), true)));
        sb.route().post(p + "/query/groups").build(rest.read(c -> groups(c, b -> QueryParser.query(b, GROUP_FIELDS))));
        sb.route().post(p + "/search/groups").build(rest.read(c -> groups(c, b -> QueryParser.searchGroups(b, GROUP_FIELDS))));
        sb.route().post(p + "/recommend").build(rest.read(c -> one(c, b -> QueryParser.recommend(b, Set.of()), false)));
        sb.route().post(p + "/recommend/batch").build(rest.read(c -> batch(c, b -> QueryParser.recommend(b, Set.of()), false)));
        sb.route().post(p + "/recommend/groups").build(rest.read(c -> groups(c, b -> QueryParser.recommend(b, GROUP_FIELDS))));
        sb.route().post(p + "/discover").build(rest.read(c -> one(c, QueryParser::discover, false)));
        sb.route().post(p + "/discover/batch").build(rest.read(c -> batch(c, QueryParser::discover, false)));
    }

    /** One query; the query API wraps its points as {@code {"points": […]}}, the older endpoints answer the list. */
    private Rest.Reply one(Rest.Call call, Function<Body, QueryRequest> parse, boolean queryApi) {
        Collection col = db().collection(call.param("name"));
        Body body = call.body();
        QueryRequest q = parse.apply(body);
        SearchResult r = QueryEngine.run(col, q);
        List<ObjectNode> points = scored(r.points(), payloadSelector(body));
        return new Rest.Reply(queryApi ? Map.of("points", points) : points, Performance.of(r), List.of());
    }

    private Rest.Reply batch(Rest.Call call, Function<Body, QueryRequest> parse, boolean queryApi) {
        Collection col = db().collection(call.param("name"));
        Body body = call.body().check(Set.of("searches"), QueryParser.IGNORED, null);
        JsonNode searches = body.get("searches");
        if (searches == null || !searches.isArray()) {
            throw ApiException.badRequest("searches must be an array");
        }
        if (searches.size() > PointsApi.MAX_SEARCHES) {
            throw new ApiException(413, "searches holds " + searches.size() + " searches; at most " + PointsApi.MAX_SEARCHES);
        }
        List<QueryRequest> parsed = new ArrayList<>();
        List<PayloadSelector> selectors = new ArrayList<>();
        long hits = 0;
        for (int i = 0; i < searches.size(); i++) {
            Body b = Body.of(searches.get(i), "searches[" + i + "]");
            QueryRequest q = parse.apply(b);
            hits += q.limit() + q.offset();
            parsed.add(q);
            selectors.add(payloadSelector(b));
        }
        if (hits > Collection.MAX_BATCH_RESULTS) {
            throw ApiException.badRequest("searches ask for " + hits + " hits in all (limit + offset, summed over the batch); at most "
                    + Collection.MAX_BATCH_RESULTS + " per batch");
        }
        List<SearchResult> raw = new ArrayList<>();
        List<Object> results = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
            SearchResult r = QueryEngine.run(col, parsed.get(i));
            raw.add(r);
            List<ObjectNode> points = scored(r.points(), selectors.get(i));
            results.add(queryApi ? Map.of("points", points) : points);
        }
        return new Rest.Reply(results, Performance.ofBatch(raw), List.of());
    }

    private Rest.Reply groups(Rest.Call call, Function<Body, QueryRequest> parse) {
        Collection col = db().collection(call.param("name"));
        Body body = call.body();
        QueryRequest q = parse.apply(body);
        String groupBy = body.string("group_by", null);
        if (groupBy == null) {
            throw ApiException.badRequest("group_by is required (a payload key)");
        }
        io.vectorflow.engine.filter.KeyPath.parse(groupBy, "group_by");
        Groups.Result g = Groups.run(col, q, groupBy, body.integer("group_size", 3, 1, Groups.MAX_GROUP_SIZE),
                body.integer("limit", 10, 1, Groups.MAX_GROUPS));
        PayloadSelector ps = payloadSelector(body);
        Map<Object, ObjectNode> lookups = lookups(body, g.groups());
        List<ObjectNode> out = new ArrayList<>();
        for (Groups.Group group : g.groups()) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.set("id", Json.MAPPER.valueToTree(group.id()));
            n.set("hits", Json.MAPPER.valueToTree(scored(group.hits(), ps)));
            if (lookups != null) {
                n.set("lookup", lookups.get(group.id()));
            }
            out.add(n);
        }
        return new Rest.Reply(Map.of("groups", out), Performance.of(g.search()), List.of());
    }

    /**
     * {@code with_lookup}: for each group, the point of another collection whose id is the group's
     * value (a collection name, or {@code {collection, with_payload, with_vectors}}).
     */
    private Map<Object, ObjectNode> lookups(Body body, List<Groups.Group> groups) {
        JsonNode w = body.get("with_lookup");
        if (w == null || w.isNull()) {
            return null;
        }
        String name;
        PayloadSelector ps = PayloadSelector.ALL;
        boolean vectors = false;
        if (w.isTextual()) {
            name = w.textValue();
        } else {
            Body l = Body.of(w, "with_lookup").check(Set.of("collection", "with_payload", "with_vectors", "with_vector"));
            name = l.string("collection", null);
            if (name == null) {
                throw ApiException.badRequest("with_lookup.collection is required");
            }
            ps = PayloadSelector.parse(l.get("with_payload"), "with_lookup.with_payload", true);
            vectors = QueryParser.withVector(l);
        }
        Collection other = db().collection(name);
        Map<PointId, Object> byId = new HashMap<>();
        for (Groups.Group g : groups) {
            PointId id = g.id() instanceof Long n && n >= 0 ? PointId.of(n) : g.id() instanceof String s ? uuidOrNull(s) : null;
            if (id != null) {
                byId.put(id, g.id());
            }
        }
        Map<Object, ObjectNode> out = new HashMap<>();
        for (Record r : other.get(List.copyOf(byId.keySet()), ps.any(), vectors)) {
            out.put(byId.get(r.id()), PointsApi.record(r.id(), r.payload(), r.vector(), r.named(), ps));
        }
        return out;
    }

    private static PointId uuidOrNull(String s) {
        try {
            return PointId.parseUuid(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static PayloadSelector payloadSelector(Body body) {
        return PayloadSelector.parse(body.get("with_payload"), body.path("with_payload"), false);
    }

    /** Scored points in Qdrant's shape, with {@code order_value} when the query ordered by one. */
    static List<ObjectNode> scored(List<ScoredPoint> points, PayloadSelector ps) {
        List<ObjectNode> out = new ArrayList<>(points.size());
        for (ScoredPoint p : points) {
            ObjectNode n = PointsApi.record(p.id(), p.payload(), p.vector(), p.named(), ps);
            n.put("version", 0);
            n.put("score", p.score());
            if (p.orderValue() != null) {
                n.set("order_value", Json.MAPPER.valueToTree(p.orderValue()));
            }
            out.add(n);
        }
        return out;
    }

    /** The collections of the tenant the request being served acts for. */
    private Database db() {
        return Security.db(db);
    }
}
