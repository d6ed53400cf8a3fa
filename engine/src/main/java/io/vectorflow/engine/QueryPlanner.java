package io.vectorflow.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.filter.Condition;
import io.vectorflow.engine.filter.GeoConditions;
import io.vectorflow.engine.filter.ValueConditions;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.engine.index.PayloadIndexes;
import io.vectorflow.storage.segment.Segment;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/**
 * Chooses, per segment and query, how to search: the graph ({@code hnsw}), the graph with the
 * filter applied as nodes enter the results ({@code filtered_hnsw}), or an exact scan over the
 * points that can match ({@code exact}).
 *
 * <p>The choice compares estimated work in units of one distance evaluation:
 * <ul>
 *   <li>exact: one distance per matching point, plus, for points no payload index vouches for,
 *       a payload decode and test ({@value #PAYLOAD_TEST_COST} units) per point examined;
 *   <li>filtered graph: the larger of what an unfiltered walk costs (about {@code 0.75 · ef · m}
 *       distances) and what collecting {@code ef} accepted nodes costs when only a share
 *       {@code s} of them is accepted (about {@code 3 · ef / s}), fitted to
 *       {@code vectorflow filtered} on 200,000 clustered 128-d points at ef 64 (782, 1,008 and
 *       17,729 distances at 50%, 10% and 1%). A distance in a graph walk costs
 *       {@value #GRAPH_EVAL_COST} scan distances (random memory access, heap upkeep: measured
 *       about 300 ns against 50 ns), and without an exact bitmap each evaluated node is also
 *       tested against the filter, at twice a scan's payload test.
 * </ul>
 * Selectivity comes from the payload indexes (exact counts from their bitmaps) when they cover
 * the filter, and otherwise from testing the filter on {@value #SAMPLE} spread-out points of the
 * segment (remembered per segment and filter, so repeated queries do not pay for it again).
 */
final class QueryPlanner {

    /**
     * A payload decode plus filter test, in distance evaluations: measured about 150 ns for a small
     * payload against 40–100 ns for a 128-d distance in the same scan.
     */
    static final double PAYLOAD_TEST_COST = 4;
    /** A distance evaluated in a graph walk, in scan distances. */
    static final double GRAPH_EVAL_COST = 6;
    /** Most points a selectivity estimate tests when the first {@link #SAMPLE} find few matches. */
    static final int MAX_SAMPLE = 1024;
    static final int SAMPLE = 64;
    private static final int CACHE = 4096;

    enum Strategy {
        HNSW, FILTERED_HNSW, EXACT;

        String apiName() {
            return name().toLowerCase();
        }
    }

    /**
     * How to search one segment.
     *
     * @param candidates ordinals that can match (exactly those, if {@code candidatesExact}), or
     *                   null when any can; covers ordinals below {@code coveredUpTo} only
     * @param skip       nothing in the segment can match
     */
    record Plan(Strategy strategy, RoaringBitmap candidates, boolean candidatesExact, int coveredUpTo, boolean skip) {}

    private record SampleKey(int segment, int sizeBucket, Filter filter) {}

    private final Map<SampleKey, Double> sampled = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SampleKey, Double> e) {
            return size() > CACHE;
        }
    });

    private final PayloadIndexes indexes;

    QueryPlanner(PayloadIndexes indexes) {
        this.indexes = indexes;
    }

    /**
     * Plans one segment.
     *
     * @param exactFloor    segments with fewer points than this are scanned exactly
     * @param explain       when not null, receives the figures behind the choice
     */
    Plan plan(Segment s, Filter filter, int k, int ef, int m, boolean exactRequested, long exactFloor, ObjectNode explain) {
        int n = s.size();
        if (filter == null) {
            Strategy st = exactRequested || n < exactFloor ? Strategy.EXACT : Strategy.HNSW;
            if (explain != null) {
                explain.put("strategy", st.apiName()).put("points", n).put("reason", exactRequested ? "exact search requested"
                        : st == Strategy.EXACT ? "segment smaller than the indexing threshold" : "no filter");
            }
            return new Plan(st, null, false, 0, false);
        }
        PayloadIndexes.Estimate est = indexes.candidates(s, filter);
        RoaringBitmap bits = est.bits();
        int covered = bits == null ? 0 : est.coveredUpTo();
        boolean exactBits = bits != null && est.exact() && covered >= n;
        double live = Math.max(1, s.liveCount());
        double selectivity;
        String source;
        if (exactBits) {
            selectivity = bits.getLongCardinality() / (double) Math.max(1, n);
            source = "payload index (exact count)";
        } else {
            selectivity = sampledSelectivity(s, filter, bits, covered);
            source = bits == null ? "filter tested on sampled points"
                    : "payload index narrowed to " + bits.getLongCardinality() + " points, filter tested on a sample of them";
        }
        double matching = selectivity * live;
        double testCost = filter.needsPayload() ? PAYLOAD_TEST_COST : 1;
        double examined = exactBits ? 0 : bits != null ? bits.getLongCardinality() + (n - covered) : n;
        double exactCost = matching + examined * testCost;
        double beam = Math.max(ef, k);
        double walk = Math.max(0.75 * beam * m, 3 * beam / Math.max(selectivity, 1.0 / live));
        double graphCost = walk * (GRAPH_EVAL_COST + (exactBits ? 0 : 2 * testCost));
        boolean skip = exactBits && bits.isEmpty();
        Strategy st = exactRequested || skip || n < exactFloor || exactCost <= graphCost ? Strategy.EXACT : Strategy.FILTERED_HNSW;
        if (explain != null) {
            explain.put("strategy", st.apiName()).put("points", n).put("estimated_matches", Math.round(matching))
                    .put("selectivity", round(selectivity)).put("selectivity_from", source)
                    .put("exact_cost", Math.round(exactCost)).put("graph_cost", Math.round(graphCost))
                    .put("reason", exactRequested ? "exact search requested" : skip ? "payload index: no point matches"
                            : n < exactFloor ? "segment smaller than the indexing threshold"
                            : st == Strategy.EXACT ? "filter is selective: scanning the matching points costs less than a filtered walk"
                            : "filter is broad: a filtered graph walk costs less than scanning the matching points");
        }
        return new Plan(st, bits, exactBits, covered, skip);
    }

    /** Fraction of live points matching, from a sample (of the candidates, when an index narrowed them). */
    private double sampledSelectivity(Segment s, Filter filter, RoaringBitmap bits, int covered) {
        int n = s.size();
        // Re-sample once the segment grew by an eighth (the mutable one grows; sealed ones do not).
        SampleKey key = new SampleKey(System.identityHashCode(s), (int) (Math.log(Math.max(1, n)) / Math.log(1.125)), filter);
        Double cached = sampled.get(key);
        if (cached != null) {
            return cached;
        }
        long pool = bits == null ? n : bits.getLongCardinality();
        if (pool == 0 && covered >= n) {
            return 0;
        }
        int tried = 0;
        int hit = 0;
        io.vectorflow.core.search.Budget budget = io.vectorflow.core.search.Budget.current();
        // 64 points first; when fewer than 8 match, up to 1,024, so a rare filter is not
        // mistaken for a merely uncommon one (the answer is cached, so this is paid once).
        for (int i = 0; i < MAX_SAMPLE * 2 && pool > 0 && (tried < SAMPLE || (hit < 8 && tried < MAX_SAMPLE)); i++) {
            if ((i & 15) == 15) {
                budget.check(); // a test may be slow (a filter of thousands of conditions)
            }
            long h = ((i + 1) * 0x9E3779B97F4A7C15L) >>> 1; // spread positions (Fibonacci hashing), no RNG state
            int o = bits == null ? (int) (h % n) : bits.select((int) (h % pool));
            if (s.isDeleted(o)) {
                continue;
            }
            tried++;
            if (Collection.matches(s, o, filter)) {
                hit++;
            }
        }
        double fraction = tried == 0 ? 0 : (hit + 0.25) / (tried + 0.5); // a little smoothing: never exactly 0 or 1
        double selectivity = Math.min(1, fraction * pool / Math.max(1, n));
        sampled.put(key, selectivity);
        return selectivity;
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    /**
     * Payload indexes that would let the planner count this filter exactly: every {@code key} a
     * condition reads that has no index, with the type its value suggests.
     */
    static Map<String, String> missingIndexes(Filter filter, Map<String, ?> indexed) {
        Map<String, String> out = new LinkedHashMap<>();
        collect(filter, indexed, out);
        return out;
    }

    private static void collect(Condition c, Map<String, ?> indexed, Map<String, String> out) {
        switch (c) {
            case Filter f -> {
                f.must().forEach(x -> collect(x, indexed, out));
                f.should().forEach(x -> collect(x, indexed, out));
                f.mustNot().forEach(x -> collect(x, indexed, out));
            }
            case Condition.Match m -> suggest(m.key(), m.value(), indexed, out);
            case Condition.MatchAny m -> suggest(m.key(), m.any().isEmpty() ? "" : m.any().getFirst(), indexed, out);
            case Condition.Range r -> suggest(r.key(), 0.5, indexed, out);
            case Condition.IsEmpty e -> suggest(e.key(), "", indexed, out);
            case ValueConditions.DatetimeRange r -> suggestType(r.key(), "datetime", indexed, out);
            case ValueConditions.MatchText t -> suggestType(t.key(), "text", indexed, out);
            case GeoConditions.Radius g -> suggestType(g.key(), "geo", indexed, out);
            case GeoConditions.BoundingBox g -> suggestType(g.key(), "geo", indexed, out);
            case GeoConditions.Polygon g -> suggestType(g.key(), "geo", indexed, out);
            case ValueConditions.MinShould m -> m.conditions().forEach(x -> collect(x, indexed, out));
            default -> { } // has_id, is_null, values_count: no index helps
        }
    }

    private static void suggestType(String key, String type, Map<String, ?> indexed, Map<String, String> out) {
        if (!indexed.containsKey(key)) {
            out.putIfAbsent(key, type);
        }
    }

    private static void suggest(String key, Object value, Map<String, ?> indexed, Map<String, String> out) {
        if (!indexed.containsKey(key)) {
            out.putIfAbsent(key, switch (value) {
                case Boolean b -> "bool";
                case Double d -> "float";
                case Float f -> "float";
                case Number x -> "integer";
                default -> "keyword";
            });
        }
    }
}
