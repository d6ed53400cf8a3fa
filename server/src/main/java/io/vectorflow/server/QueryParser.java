package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.SearchRequest;
import io.vectorflow.engine.filter.FilterParser;
import io.vectorflow.engine.query.Query;
import io.vectorflow.engine.query.QueryRequest;
import io.vectorflow.engine.query.Strategies;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads Qdrant's JSON query shapes into the engine's {@link QueryRequest}: the query API's
 * {@code query} (a vector, a point id, {@code nearest} with {@code mmr}, {@code recommend},
 * {@code discover}, {@code context}, {@code order_by}, {@code fusion} / {@code rrf},
 * {@code sample}) with nested {@code prefetch}, and the older recommend, discover and search
 * requests. Errors name the field by its path.
 */
final class QueryParser {

    static final Set<String> QUERY_FIELDS = Set.of("prefetch", "query", "using", "filter", "params", "score_threshold", "limit",
            "offset", "with_payload", "with_vector", "with_vectors", "explain", "lookup_from");
    static final Set<String> IGNORED = Set.of("shard_key", "timeout", "consistency");
    private static final Set<String> PREFETCH_FIELDS = Set.of("prefetch", "query", "using", "filter", "params", "score_threshold",
            "limit", "lookup_from");
    private static final Set<String> PARAMS = Set.of("hnsw_ef", "exact", "quantization");
    private static final Set<String> PARAMS_IGNORED = Set.of("indexed_only", "acorn");

    private QueryParser() {}

    /** A query API request ({@code POST /points/query}); {@code extra} are further fields the caller reads. */
    static QueryRequest query(Body body, Set<String> extra) {
        body.check(union(QUERY_FIELDS, extra), IGNORED, null);
        unsupportedLookup(body);
        Body params = params(body);
        boolean groups = extra.contains("group_by");
        return new QueryRequest(prefetches(body.get("prefetch"), body.path("prefetch"), 1), query(body.get("query"),
                body.path("query")), body.string("using", null), FilterParser.parse(body.get("filter"), body.path("filter")),
                params.integer("hnsw_ef", 0, 1, SearchRequest.MAX_EF), params.bool("exact", false), threshold(body),
                groups ? 1 : body.integer("limit", 10, 1, Collection.MAX_LIMIT), groups ? 0 : body.integer("offset", 0, 0,
                Collection.MAX_LIMIT), PayloadSelector.parse(body.get("with_payload"), body.path("with_payload"), false).any(),
                withVector(body), body.bool("explain", false), QuantizationJson.params(params));
    }

    /** {@code POST /points/recommend}: positive and negative examples (ids or vectors) and a strategy. */
    static QueryRequest recommend(Body body, Set<String> extra) {
        body.check(union(Set.of("positive", "negative", "strategy", "filter", "params", "limit", "offset", "with_payload",
                "with_vector", "with_vectors", "score_threshold", "using", "lookup_from", "explain"), extra), IGNORED, null);
        unsupportedLookup(body);
        Query q = recommendQuery(body);
        return legacy(body, q, extra.contains("group_by"));
    }

    /** {@code POST /points/discover}: a target and context pairs. */
    static QueryRequest discover(Body body) {
        body.check(Set.of("target", "context", "filter", "params", "limit", "offset", "with_payload", "with_vector",
                "with_vectors", "using", "lookup_from", "explain"), IGNORED, null);
        unsupportedLookup(body);
        JsonNode target = body.get("target");
        List<Query.Pair> context = pairs(body.get("context"), body.path("context"));
        Query q = target == null || target.isNull() ? new Query.Context(context)
                : new Query.Discover(input(target, body.path("target")), context);
        return legacy(body, q, false);
    }

    /** {@code POST /points/search/groups}: a search vector, grouped. */
    static QueryRequest searchGroups(Body body, Set<String> extra) {
        body.check(union(Set.of("vector", "filter", "params", "with_payload", "with_vector", "with_vectors", "score_threshold",
                "limit", "explain"), extra), IGNORED, null);
        VectorsJson.Target target = VectorsJson.target(body.get("vector"), body.path("vector"));
        Query.Input input = target.sparse() != null ? new Query.Input.Sparse(target.sparse()) : new Query.Input.Vector(target.dense());
        return legacy(body, new Query.Nearest(input, null), true, target.using());
    }

    private static QueryRequest legacy(Body body, Query q, boolean groups) {
        return legacy(body, q, groups, body.string("using", null));
    }

    private static QueryRequest legacy(Body body, Query q, boolean groups, String using) {
        Body params = params(body);
        return new QueryRequest(List.of(), q, using, FilterParser.parse(body.get("filter"), body.path("filter")),
                params.integer("hnsw_ef", 0, 1, SearchRequest.MAX_EF), params.bool("exact", false), threshold(body),
                groups ? 1 : body.integer("limit", 10, 1, Collection.MAX_LIMIT),
                groups ? 0 : body.integer("offset", 0, 0, Collection.MAX_LIMIT),
                PayloadSelector.parse(body.get("with_payload"), body.path("with_payload"), false).any(), withVector(body),
                body.bool("explain", false), QuantizationJson.params(params));
    }

    private static Query recommendQuery(Body b) {
        List<Query.Input> pos = inputs(b.get("positive"), b.path("positive"));
        List<Query.Input> neg = inputs(b.get("negative"), b.path("negative"));
        String s = b.string("strategy", "average_vector");
        Query.Strategy strategy = switch (s) {
            case "average_vector" -> Query.Strategy.AVERAGE_VECTOR;
            case "best_score" -> Query.Strategy.BEST_SCORE;
            case "sum_scores" -> Query.Strategy.SUM_SCORES;
            default -> throw ApiException.badRequest(b.path("strategy") + " must be average_vector, best_score or sum_scores, got " + s);
        };
        return new Query.Recommend(pos, neg, strategy);
    }

    private static Body params(Body body) {
        return body.object("params").check(PARAMS, PARAMS_IGNORED, null);
    }

    private static Float threshold(Body body) {
        return body.has("score_threshold") ? (float) body.number("score_threshold", 0) : null;
    }

    static boolean withVector(Body body) {
        JsonNode v = body.has("with_vector") ? body.get("with_vector") : body.get("with_vectors");
        if (v == null || v.isNull()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isArray()) { // vector names: every vector the point has is returned
            for (JsonNode n : v) {
                if (!n.isTextual()) {
                    throw ApiException.badRequest("with_vector must list vector names; got " + Body.brief(n));
                }
            }
            return !v.isEmpty();
        }
        throw ApiException.unprocessable("with_vector must be true, false or a list of vector names");
    }

    private static void unsupportedLookup(Body body) {
        if (body.has("lookup_from")) {
            throw ApiException.badRequest("lookup_from is not supported: give the examples as vectors, or as ids of this collection");
        }
    }

    private static List<QueryRequest.Prefetch> prefetches(JsonNode node, String path, int depth) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (depth > QueryRequest.MAX_DEPTH) {
            throw ApiException.badRequest(path + " nests prefetches deeper than " + QueryRequest.MAX_DEPTH + " levels");
        }
        List<QueryRequest.Prefetch> out = new ArrayList<>();
        if (node.isArray()) {
            if (node.size() > QueryRequest.MAX_PREFETCHES) {
                throw ApiException.badRequest(path + " holds " + node.size() + " prefetches; at most " + QueryRequest.MAX_PREFETCHES);
            }
            for (int i = 0; i < node.size(); i++) {
                out.add(prefetch(Body.of(node.get(i), path + "[" + i + "]"), depth));
            }
        } else {
            out.add(prefetch(Body.of(node, path), depth));
        }
        return out;
    }

    private static QueryRequest.Prefetch prefetch(Body p, int depth) {
        p.check(PREFETCH_FIELDS, Set.of(), null);
        unsupportedLookup(p);
        Body params = params(p);
        QuantizationJson.params(params); // checked; every stage searches with the query's own quantization parameters
        return new QueryRequest.Prefetch(prefetches(p.get("prefetch"), p.path("prefetch"), depth + 1),
                query(p.get("query"), p.path("query")), p.string("using", null), FilterParser.parse(p.get("filter"), p.path("filter")),
                params.integer("hnsw_ef", 0, 1, SearchRequest.MAX_EF), params.bool("exact", false), threshold(p),
                p.integer("limit", 10, 1, QueryRequest.MAX_CANDIDATES));
    }

    /** The query API's {@code query}: a vector or point id, or an object naming the kind of query. */
    static Query query(JsonNode q, String path) {
        if (q == null || q.isNull()) {
            return null;
        }
        if (!q.isObject() || q.has("indices") || q.has("values")) { // a vector, a point id or a sparse vector: nearest
            return new Query.Nearest(input(q, path), null);
        }
        Body b = Body.of(q, path);
        if (b.has("nearest")) {
            b.check(Set.of("nearest", "mmr"));
            return new Query.Nearest(input(b.get("nearest"), b.path("nearest")), mmr(b));
        }
        if (q.size() != 1) {
            throw ApiException.badRequest(path + " must name one kind of query (nearest, recommend, discover, context, order_by,"
                    + " fusion, rrf, sample)");
        }
        String kind = q.fieldNames().next();
        JsonNode v = q.get(kind);
        String p = path + "." + kind;
        return switch (kind) {
            case "recommend" -> recommendQuery(Body.of(v, p).check(Set.of("positive", "negative", "strategy")));
            case "discover" -> {
                Body d = Body.of(v, p).check(Set.of("target", "context"));
                if (!d.has("target")) {
                    throw ApiException.badRequest(p + ".target is required");
                }
                yield new Query.Discover(input(d.get("target"), d.path("target")), pairs(d.get("context"), d.path("context")));
            }
            case "context" -> new Query.Context(pairs(v, p));
            case "order_by" -> orderBy(v, p);
            case "fusion" -> {
                if (!v.isTextual() || !(v.textValue().equals("rrf") || v.textValue().equals("dbsf"))) {
                    throw ApiException.badRequest(p + " must be \"rrf\" or \"dbsf\", got " + Body.brief(v));
                }
                yield new Query.Fusion(v.textValue().equals("rrf") ? Query.FusionMethod.RRF : Query.FusionMethod.DBSF, 2, null);
            }
            case "rrf" -> {
                Body r = Body.of(v, p).check(Set.of("k", "weights"));
                yield new Query.Fusion(Query.FusionMethod.RRF, r.integer("k", 2, 1, 1_000_000), weights(r.get("weights"),
                        r.path("weights")));
            }
            case "sample" -> {
                if (!v.isTextual() || !v.textValue().equals("random")) {
                    throw ApiException.badRequest(p + " must be \"random\"");
                }
                yield new Query.Sample();
            }
            case "formula" -> throw ApiException.badRequest(p + ": score formulas are not supported");
            default -> throw ApiException.badRequest(p + " is not a kind of query (nearest, recommend, discover, context,"
                    + " order_by, fusion, rrf, sample)");
        };
    }

    private static Query.Mmr mmr(Body b) {
        if (!b.has("mmr")) {
            return null;
        }
        Body m = b.object("mmr").check(Set.of("diversity", "candidates_limit"), Set.of(), null);
        return new Query.Mmr((float) m.number("diversity", 0.5), m.integer("candidates_limit", 0, 1, QueryRequest.MAX_CANDIDATES));
    }

    private static Query orderBy(JsonNode v, String path) {
        if (v.isTextual()) {
            return new Query.OrderBy(v.textValue(), false, null);
        }
        Body o = Body.of(v, path).check(Set.of("key", "direction", "start_from"));
        String key = o.string("key", null);
        if (key == null) {
            throw ApiException.badRequest(path + ".key is required");
        }
        io.vectorflow.engine.filter.KeyPath.parse(key, path + ".key");
        String dir = o.string("direction", "asc");
        if (!dir.equals("asc") && !dir.equals("desc")) {
            throw ApiException.badRequest(path + ".direction must be \"asc\" or \"desc\", got \"" + dir + "\"");
        }
        Double start = null;
        JsonNode s = o.get("start_from");
        if (s != null && !s.isNull()) {
            start = Strategies.orderable(s);
            if (start == null || start.isInfinite() || start.isNaN()) {
                throw ApiException.badRequest(path + ".start_from must be a number or an RFC 3339 datetime, got " + Body.brief(s));
            }
        }
        return new Query.OrderBy(key, dir.equals("desc"), start);
    }

    private static float[] weights(JsonNode w, String path) {
        if (w == null || w.isNull()) {
            return null;
        }
        float[] out = PointsApi.vector(w, path);
        for (int i = 0; i < out.length; i++) {
            if (out[i] < 0) {
                throw ApiException.badRequest(path + "[" + i + "] must not be negative");
            }
        }
        return out;
    }

    private static List<Query.Pair> pairs(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<Query.Pair> out = new ArrayList<>();
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.add(pair(node.get(i), path + "[" + i + "]"));
            }
        } else {
            out.add(pair(node, path));
        }
        return out;
    }

    private static Query.Pair pair(JsonNode node, String path) {
        Body b = Body.of(node, path).check(Set.of("positive", "negative"));
        if (!b.has("positive") || !b.has("negative")) {
            throw ApiException.badRequest(path + " needs both positive and negative");
        }
        return new Query.Pair(input(b.get("positive"), b.path("positive")), input(b.get("negative"), b.path("negative")));
    }

    private static List<Query.Input> inputs(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ApiException.unprocessable(path + " must be an array of point ids or vectors");
        }
        if (node.size() > QueryRequest.MAX_PREFETCHES) {
            throw ApiException.badRequest(path + " holds " + node.size() + " examples; at most " + QueryRequest.MAX_PREFETCHES);
        }
        List<Query.Input> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(input(node.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    /** A vector input: numbers, or a point id (its stored vector). */
    static Query.Input input(JsonNode v, String path) {
        if (v == null || v.isNull()) {
            throw ApiException.badRequest(path + " is required");
        }
        if (v.isArray()) {
            if (!v.isEmpty() && v.get(0).isArray()) {
                throw ApiException.badRequest(path + ": multivectors are not supported");
            }
            return new Query.Input.Vector(PointsApi.vector(v, path));
        }
        if (v.isObject()) {
            if (v.has("indices") || v.has("values")) {
                return new Query.Input.Sparse(VectorsJson.sparse(v, path));
            }
            if (v.has("text") || v.has("image") || v.has("object")) {
                throw ApiException.badRequest(path + ": server-side inference (documents, images) is not supported; send a vector");
            }
            throw ApiException.badRequest(path + " must be a vector (an array of numbers) or a point id");
        }
        return new Query.Input.Point(FilterParser.id(v, path));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        if (b.isEmpty()) {
            return a;
        }
        java.util.HashSet<String> out = new java.util.HashSet<>(a);
        out.addAll(b);
        return out;
    }
}
