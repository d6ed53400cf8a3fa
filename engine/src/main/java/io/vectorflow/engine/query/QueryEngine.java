package io.vectorflow.engine.query;

import io.vectorflow.core.metric.Metric;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.ScoredPoint;
import io.vectorflow.engine.ScrollPage;
import io.vectorflow.engine.SearchRequest;
import io.vectorflow.engine.SearchResult;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.storage.PointId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link QueryRequest} on a collection: the one implementation of Qdrant's query API
 * behind every protocol. Prefetch stages run first (depth first, the request's filter added to
 * each); the main query then re-ranks the union of their results exactly, fuses them, orders them
 * by a payload value, or samples them. Without prefetches the query runs on the whole collection:
 * a nearest-neighbour query is one {@link Collection#search}; recommendation, discovery and
 * context queries take candidates from graph searches around their examples and score those
 * exactly with their strategy (see {@link Strategies}); maximal marginal relevance chooses from
 * the nearest candidates.
 *
 * <p>Payloads and vectors are read once, for the points returned.
 */
public final class QueryEngine {

    /** Candidates a strategy query takes from around each example, at least. */
    static final int CANDIDATES_PER_EXAMPLE = 100;

    private final Collection collection;
    private final io.vectorflow.engine.QuantizationParams quantization;
    private final Stats stats = new Stats();

    private QueryEngine(Collection collection, io.vectorflow.engine.QuantizationParams quantization) {
        this.collection = collection;
        this.quantization = quantization;
    }

    /** Runs {@code r} and answers with its points and how the searches went. */
    public static SearchResult run(Collection collection, QueryRequest r) {
        QueryEngine e = new QueryEngine(collection, r.quantization());
        if (r.prefetch().isEmpty() && r.query() instanceof Query.Nearest n && n.mmr() == null) {
            // The common case in one pass: payloads and vectors read as the hits are merged.
            return collection.search(e.nearest(n.input(), r.using(), r.limit(), r.filter(), r.ef(), r.exact(), r.scoreThreshold(),
                    r.explain()).withPayload(r.withPayload()).withVectors(r.withVector()).withPaging(r.offset(), r.scoreThreshold())
                    .withQuantization(r.quantization()));
        }
        io.vectorflow.core.search.Budget.current().requireWorker(); // several stages: not bounded cheaply
        long start = System.nanoTime();
        int depth = r.limit() + r.offset();
        Ranking ranked = e.stage(r.prefetch(), r.query(), r.using(), r.filter(), r.ef(), r.exact(), r.scoreThreshold(), depth,
                r.explain());
        List<ScoredPoint> page = ranked.points().size() <= r.offset() ? List.of()
                : ranked.points().subList(r.offset(), Math.min(ranked.points().size(), depth));
        return e.stats.result(e.materialize(page, r.withPayload(), r.withVector()), System.nanoTime() - start);
    }

    private Ranking stage(List<QueryRequest.Prefetch> prefetch, Query q, String using, Filter filter, int ef, boolean exact,
                          Float threshold, int depth, boolean explain) {
        if (!prefetch.isEmpty()) {
            List<Ranking> inputs = new ArrayList<>(prefetch.size());
            for (QueryRequest.Prefetch p : prefetch) {
                inputs.add(stage(p.prefetch(), p.query(), p.using(), and(filter, p.filter()), p.ef(), p.exact(),
                        p.scoreThreshold(), p.limit(), false));
            }
            return rerank(inputs, q, using, filter, threshold, depth);
        }
        if (collection.isSparse(using) && q != null && !(q instanceof Query.Nearest n && n.mmr() == null)
                && !(q instanceof Query.Fusion) && !(q instanceof Query.OrderBy) && !(q instanceof Query.Sample)) {
            throw new IllegalArgumentException("query: a sparse vector ('" + using + "') is searched with nearest only");
        }
        return switch (q) {
            case null -> byId(filter, depth);
            case Query.Nearest n when n.mmr() == null ->
                    search(nearest(n.input(), using, depth, filter, ef, exact, threshold, explain), using);
            case Query.Nearest n -> {
                int candidates = Math.max(depth, n.mmr().candidatesLimit());
                Ranking near = search(nearest(n.input(), using, candidates, filter, ef, exact, threshold, explain)
                        .withVectors(true), using); // the vectors MMR compares come with the hits
                Metric metric = collection.metric(using);
                yield Strategies.mmr(withVectors(near, using), metric, metric.prepare(vector(n.input(), using)),
                        n.mmr().diversity(), depth);
            }
            case Query.Recommend rec when rec.strategy() == Query.Strategy.AVERAGE_VECTOR -> {
                float[] v = Strategies.averageVector(prepared(rec.positive(), using), prepared(rec.negative(), using));
                yield search(dense(v, using, depth, and(filter, excluding(rec.positive(), rec.negative())), ef, exact, threshold,
                        explain), using);
            }
            case Query.Fusion f -> throw new IllegalArgumentException("query.fusion needs prefetch stages");
            case Query.OrderBy o -> Strategies.orderBy(scrollAll(filter, true), o, depth);
            case Query.Sample s -> Strategies.sample(scrollAll(filter, false), depth);
            default -> {
                Strategies.Scorer scorer = Strategies.scorer(q, inputs -> prepared(inputs, using), collection.metric(using));
                List<Ranking> around = new ArrayList<>();
                Filter candidatesFilter = and(filter, excludingExamples(q));
                int per = Math.max(depth, CANDIDATES_PER_EXAMPLE);
                for (float[] seed : scorer.seeds()) {
                    around.add(search(dense(seed, using, per, candidatesFilter, ef, exact, null, false), using));
                }
                yield scored(Ranking.union(around), scorer, using, threshold, depth);
            }
        };
    }

    /**
     * The search for the nearest points to {@code input} on the vector {@code using} names: a
     * sparse search when that vector is sparse, else a dense one. No payloads or vectors.
     */
    private SearchRequest nearest(Query.Input input, String using, int limit, Filter filter, int ef, boolean exact,
                                  Float threshold, boolean explain) {
        if (collection.isSparse(using)) {
            io.vectorflow.core.sparse.SparseVector v = switch (input) {
                case Query.Input.Sparse s -> s.vector();
                case Query.Input.Point p -> collection.sparseVectorOf(storedRecord(p.id()), using);
                case Query.Input.Vector d -> throw new IllegalArgumentException("query: '" + using
                        + "' is a sparse vector; give {\"indices\": [...], \"values\": [...]}");
            };
            return new SearchRequest(null, Math.min(limit, Collection.MAX_LIMIT), filter, ef, exact, false, false, explain, 0,
                    threshold, using, v);
        }
        return dense(vector(input, using), using, limit, filter, ef, exact, threshold, explain);
    }

    private static SearchRequest dense(float[] v, String using, int limit, Filter filter, int ef, boolean exact, Float threshold,
                                       boolean explain) {
        return new SearchRequest(v, Math.min(limit, Collection.MAX_LIMIT), filter, ef, exact, false, false, explain, 0,
                threshold, using, null);
    }

    /** Whether larger scores are closer on the vector {@code using} names. */
    private boolean higherIsCloser(String using) {
        return collection.isSparse(using) || collection.metric(using).higherScoreIsCloser();
    }

    /** The main query over the union of its prefetches' results. */
    private Ranking rerank(List<Ranking> inputs, Query q, String using, Filter filter, Float threshold, int depth) {
        return switch (q) {
            case null -> inputs.getFirst().atLeast(threshold).first(depth);
            case Query.Fusion f -> (f.method() == Query.FusionMethod.RRF ? Ranking.rrf(inputs, f.k(), f.weights())
                    : Ranking.dbsf(inputs, f.weights())).atLeast(threshold).first(depth);
            case Query.Nearest n when n.mmr() == null && collection.isSparse(using) -> {
                // Exact sparse scores of the candidates: a sparse search among their ids (idf included).
                List<PointId> ids = Ranking.union(inputs);
                Filter among = and(filter, Filter.must(new io.vectorflow.engine.filter.Condition.HasId(new java.util.HashSet<>(ids))));
                yield ids.isEmpty() ? new Ranking(List.of(), true)
                        : search(nearest(n.input(), using, ids.size(), among, 0, true, threshold, false), using).first(depth);
            }
            case Query.Nearest n when n.mmr() == null -> {
                List<ScoredPoint> scored = collection.score(Ranking.union(inputs), vector(n.input(), using), using, filter);
                yield Ranking.sorted(scored, higherIsCloser(using)).atLeast(threshold).first(depth);
            }
            case Query.Nearest n -> {
                float[] v = vector(n.input(), using);
                Metric metric = collection.metric(using);
                List<ScoredPoint> scored = collection.score(Ranking.union(inputs), v, using, filter);
                Ranking near = withVectors(Ranking.sorted(scored, metric.higherScoreIsCloser()).atLeast(threshold), using);
                yield Strategies.mmr(near, metric, metric.prepare(v), n.mmr().diversity(), depth);
            }
            case Query.OrderBy o -> Strategies.orderBy(records(Ranking.union(inputs), true), o, depth);
            case Query.Sample s -> Strategies.sample(records(Ranking.union(inputs), false), depth);
            default -> scored(Ranking.union(inputs), Strategies.scorer(q, in -> prepared(in, using), collection.metric(using)),
                    using, threshold, depth);
        };
    }

    /** Candidates scored exactly by a strategy, best first. */
    private Ranking scored(List<PointId> candidates, Strategies.Scorer scorer, String using, Float threshold, int depth) {
        List<ScoredPoint> out = new ArrayList<>(candidates.size());
        for (Record r : collection.get(candidates, false, true)) {
            float[] v = collection.vectorOf(r, using);
            if (v != null && !scorer.excluded().contains(r.id())) { // a candidate lacking this vector cannot be scored
                out.add(new ScoredPoint(r.id(), scorer.score(v), null, null));
            }
        }
        return Ranking.sorted(out, true).atLeast(threshold).first(depth);
    }

    private Ranking search(SearchRequest request, String using) {
        SearchResult r = collection.search(request.withQuantization(quantization));
        stats.add(r);
        return new Ranking(r.points(), higherIsCloser(using));
    }

    /** Without a query: the matching points in id order. */
    private Ranking byId(Filter filter, int depth) {
        ScrollPage page = collection.scroll(null, depth, filter, false, false);
        List<ScoredPoint> out = new ArrayList<>(page.points().size());
        for (Record r : page.points()) {
            out.add(new ScoredPoint(r.id(), 0, null, null));
        }
        return new Ranking(out, true);
    }

    /** Every point matching {@code filter}, a page at a time (the request's budget bounds the walk). */
    private List<Record> scrollAll(Filter filter, boolean withPayload) {
        List<Record> all = new ArrayList<>();
        collection.forEachMatching(filter, withPayload, (id, payload) -> all.add(new Record(id, payload, null)));
        return all;
    }

    private List<Record> records(List<PointId> ids, boolean withPayload) {
        return collection.get(ids, withPayload, false);
    }

    /**
     * The ranking with each point's vector {@code using} names in {@link ScoredPoint#vector()}:
     * taken from the hits when they carry vectors, read for those that do not; points lacking
     * that vector are left out.
     */
    private Ranking withVectors(Ranking ranking, String using) {
        Map<PointId, float[]> vectors = new HashMap<>();
        List<PointId> missing = new ArrayList<>();
        for (ScoredPoint p : ranking.points()) {
            if (p.vector() != null || p.named() != null) { // read with the hits
                vectors.put(p.id(), collection.vectorOf(new Record(p.id(), null, p.vector(), p.named()), using));
            } else {
                missing.add(p.id());
            }
        }
        for (Record r : collection.get(missing, false, true)) {
            vectors.put(r.id(), collection.vectorOf(r, using));
        }
        List<ScoredPoint> out = new ArrayList<>(ranking.points().size());
        for (ScoredPoint p : ranking.points()) {
            if (vectors.get(p.id()) != null) {
                out.add(new ScoredPoint(p.id(), p.score(), null, vectors.get(p.id()), p.orderValue()));
            }
        }
        return new Ranking(out, ranking.largerIsBetter());
    }

    /** The points returned, with the payloads and vectors asked for read now. */
    private List<ScoredPoint> materialize(List<ScoredPoint> page, boolean withPayload, boolean withVector) {
        if (!withPayload && !withVector) {
            List<ScoredPoint> out = new ArrayList<>(page.size());
            for (ScoredPoint p : page) {
                out.add(p.bare());
            }
            return out;
        }
        Map<PointId, Record> found = new HashMap<>();
        for (Record r : collection.get(page.stream().map(ScoredPoint::id).toList(), withPayload, withVector)) {
            found.put(r.id(), r);
        }
        List<ScoredPoint> out = new ArrayList<>(page.size());
        for (ScoredPoint p : page) {
            Record r = found.get(p.id());
            if (r != null) { // deleted since it was ranked: left out
                out.add(new ScoredPoint(p.id(), p.score(), r.payload(), r.vector(), p.orderValue(), r.named()));
            }
        }
        return out;
    }

    /** A raw dense query vector on the vector {@code using} names: given, or the stored vector of a point. */
    private float[] vector(Query.Input input, String using) {
        return switch (input) {
            case Query.Input.Vector v -> checked(v.values(), using);
            case Query.Input.Point p -> stored(p.id(), using);
            case Query.Input.Sparse s -> throw new IllegalArgumentException("query: a sparse vector needs `using` naming one of"
                    + " the collection's sparse vectors" + (using == null || using.isEmpty() ? "" : "; '" + using + "' is dense"));
        };
    }

    /** Vectors in the metric's stored form (points' vectors are stored so already). */
    private List<float[]> prepared(List<Query.Input> inputs, String using) {
        List<float[]> out = new ArrayList<>(inputs.size());
        for (Query.Input in : inputs) {
            out.add(in instanceof Query.Input.Point p ? stored(p.id(), using) : collection.metric(using).prepare(vector(in, using)));
        }
        return out;
    }

    private float[] checked(float[] v, String using) {
        int dimension = collection.dimension(using);
        if (v.length != dimension) {
            throw new IllegalArgumentException("a query vector has dimension " + v.length + ", collection '" + collection.name()
                    + "' expects " + dimension);
        }
        return v;
    }

    private float[] stored(PointId id, String using) {
        float[] v = collection.vectorOf(storedRecord(id), using);
        if (v == null) {
            throw new IllegalArgumentException("point " + id + " has no vector named '" + using + "'");
        }
        return v;
    }

    private Record storedRecord(PointId id) {
        List<Record> r = collection.get(List.of(id), false, true);
        if (r.isEmpty()) {
            throw new io.vectorflow.engine.NotFoundException("no point with id " + id + " in collection '" + collection.name() + "'");
        }
        return r.getFirst();
    }

    private static Filter excluding(List<Query.Input> a, List<Query.Input> b) {
        java.util.Set<PointId> ids = new java.util.HashSet<>();
        for (List<Query.Input> l : List.of(a, b)) {
            for (Query.Input in : l) {
                if (in instanceof Query.Input.Point p) {
                    ids.add(p.id());
                }
            }
        }
        return ids.isEmpty() ? null : Filter.mustNot(new io.vectorflow.engine.filter.Condition.HasId(ids));
    }

    private static Filter excludingExamples(Query q) {
        return switch (q) {
            case Query.Recommend r -> excluding(r.positive(), r.negative());
            case Query.Discover d -> excluding(Strategies.inputs(d.context()), List.of(d.target()));
            case Query.Context c -> excluding(Strategies.inputs(c.pairs()), List.of());
            default -> null;
        };
    }

    static Filter and(Filter a, Filter b) {
        return a == null ? b : b == null ? a : Filter.must(a, b);
    }

    /** How the searches of one query went, summed for its {@code performance} object. */
    private static final class Stats {
        private long vectorsScanned;
        private int segments;
        private String strategy;
        private double cacheHits;
        private long searches;
        private double cost;
        private SearchResult.Tiers tiers = SearchResult.Tiers.NONE;
        private io.vectorflow.engine.perf.RecallSampler.Estimate recall;
        private com.fasterxml.jackson.databind.node.ObjectNode explain;

        void add(SearchResult r) {
            vectorsScanned += r.vectorsScanned();
            segments = Math.max(segments, r.segmentsSearched());
            if (strategy == null) {
                strategy = r.strategy();
                recall = r.estimatedRecall();
                explain = r.explain();
            }
            cacheHits += r.cacheHitRate();
            cost += r.costUsd();
            tiers = tiers.plus(r.tiers());
            searches++;
        }

        SearchResult result(List<ScoredPoint> points, long nanos) {
            return new SearchResult(points, nanos, vectorsScanned, segments, strategy == null ? "exact" : strategy,
                    searches == 0 ? 1 : cacheHits / searches, cost, recall, explain, tiers);
        }
    }
}
