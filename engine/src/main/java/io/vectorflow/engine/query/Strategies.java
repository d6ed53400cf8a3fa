package io.vectorflow.engine.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.ScoredPoint;
import io.vectorflow.engine.filter.Condition;
import io.vectorflow.engine.filter.KeyPath;
import io.vectorflow.storage.PointId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The scoring rules of the query strategies, in Qdrant's definitions. Similarities here are
 * oriented so that larger is closer: the metric's score for cosine and dot product, minus the
 * distance for Euclid and Manhattan.
 */
public final class Strategies {

    private Strategies() {}

    /** Scores a candidate's (stored-form) vector for a recommendation, discovery or context query. */
    interface Scorer {
        /** Vectors to take candidates from, by graph search around each. */
        List<float[]> seeds();

        /** Example points, never returned. */
        Set<PointId> excluded();

        float score(float[] candidate);
    }

    static float similarity(Metric metric, float[] a, float[] b) {
        float s = metric.score(metric.distance(a, b));
        return metric.higherScoreIsCloser() ? s : -s;
    }

    /** {@code x / (1 + |x|)}, a sigmoid without an exponent: (-1, 1). */
    static float fastSigmoid(float x) {
        return x / (1 + Math.abs(x));
    }

    /** {@link #fastSigmoid} scaled to (0, 1). */
    static float scaledSigmoid(float x) {
        return 0.5f * (fastSigmoid(x) + 1);
    }

    static Scorer scorer(Query q, Function<List<Query.Input>, List<float[]>> prepare, Metric metric) {
        return switch (q) {
            case Query.Recommend r -> recommend(r, prepare, metric);
            case Query.Discover d -> discover(d, prepare, metric);
            case Query.Context c -> context(c, prepare, metric);
            default -> throw new IllegalArgumentException("this query cannot re-rank candidates: " + q.getClass().getSimpleName());
        };
    }

    private static Scorer recommend(Query.Recommend r, Function<List<Query.Input>, List<float[]>> prepare, Metric metric) {
        List<float[]> pos = prepare.apply(r.positive());
        List<float[]> neg = prepare.apply(r.negative());
        Set<PointId> excluded = ids(r.positive(), r.negative());
        List<float[]> seeds = pos.isEmpty() ? List.of(negated(average(neg))) : pos;
        if (r.strategy() == Query.Strategy.AVERAGE_VECTOR) {
            float[] avg = averageVector(pos, neg);
            return scorer(List.of(avg), excluded, c -> similarity(metric, avg, c));
        }
        if (r.strategy() == Query.Strategy.SUM_SCORES) {
            // For dot product and cosine (stored vectors unit length) the sum of similarities is the
            // similarity to sum(positive) - sum(negative): searching for that vector finds the best
            // candidates exactly; the examples' neighbourhoods are searched too, for the other metrics.
            float[] direction = new float[(pos.isEmpty() ? neg : pos).getFirst().length];
            for (float[] p : pos) {
                for (int i = 0; i < direction.length; i++) {
                    direction[i] += p[i];
                }
            }
            for (float[] n : neg) {
                for (int i = 0; i < direction.length; i++) {
                    direction[i] -= n[i];
                }
            }
            List<float[]> sumSeeds = new ArrayList<>(pos.size() + 1);
            double norm = 0;
            for (float x : direction) {
                norm += x * x;
            }
            if (norm > 0) { // examples that cancel out leave no direction to search
                sumSeeds.add(direction);
            }
            sumSeeds.addAll(pos.isEmpty() ? seeds : pos);
            return scorer(sumSeeds, excluded, c -> {
                float s = 0;
                for (float[] p : pos) {
                    s += similarity(metric, p, c);
                }
                for (float[] n : neg) {
                    s -= similarity(metric, n, c);
                }
                return s;
            });
        }
        return scorer(seeds, excluded, c -> { // best score
            float bestPos = Float.NEGATIVE_INFINITY;
            for (float[] p : pos) {
                bestPos = Math.max(bestPos, similarity(metric, p, c));
            }
            float bestNeg = Float.NEGATIVE_INFINITY;
            for (float[] n : neg) {
                bestNeg = Math.max(bestNeg, similarity(metric, n, c));
            }
            return bestPos > bestNeg ? scaledSigmoid(bestPos) : -scaledSigmoid(bestNeg);
        });
    }

    private static Scorer discover(Query.Discover d, Function<List<Query.Input>, List<float[]>> prepare, Metric metric) {
        float[] target = prepare.apply(List.of(d.target())).getFirst();
        List<float[]> pos = prepare.apply(d.context().stream().map(Query.Pair::positive).toList());
        List<float[]> neg = prepare.apply(d.context().stream().map(Query.Pair::negative).toList());
        List<float[]> seeds = new ArrayList<>(pos.size() + 1);
        seeds.add(target);
        seeds.addAll(pos);
        return scorer(seeds, ids(inputs(d.context()), List.of(d.target())), c -> {
            int rank = 0;
            for (int i = 0; i < pos.size(); i++) {
                rank += Integer.signum(Float.compare(similarity(metric, pos.get(i), c), similarity(metric, neg.get(i), c)));
            }
            return rank + scaledSigmoid(similarity(metric, target, c));
        });
    }

    private static Scorer context(Query.Context q, Function<List<Query.Input>, List<float[]>> prepare, Metric metric) {
        List<float[]> pos = prepare.apply(q.pairs().stream().map(Query.Pair::positive).toList());
        List<float[]> neg = prepare.apply(q.pairs().stream().map(Query.Pair::negative).toList());
        return scorer(pos, ids(inputs(q.pairs()), List.of()), c -> {
            float loss = 0;
            for (int i = 0; i < pos.size(); i++) {
                float difference = similarity(metric, pos.get(i), c) - similarity(metric, neg.get(i), c) - Math.ulp(1f);
                loss += fastSigmoid(Math.min(difference, 0));
            }
            return loss;
        });
    }

    private static Scorer scorer(List<float[]> seeds, Set<PointId> excluded, java.util.function.ToDoubleFunction<float[]> f) {
        return new Scorer() {
            @Override
            public List<float[]> seeds() {
                return seeds;
            }

            @Override
            public Set<PointId> excluded() {
                return excluded;
            }

            @Override
            public float score(float[] candidate) {
                return (float) f.applyAsDouble(candidate);
            }
        };
    }

    /** Both sides of every pair. */
    static List<Query.Input> inputs(List<Query.Pair> pairs) {
        List<Query.Input> out = new ArrayList<>(2 * pairs.size());
        for (Query.Pair p : pairs) {
            out.add(p.positive());
            out.add(p.negative());
        }
        return out;
    }

    private static Set<PointId> ids(List<Query.Input> a, List<Query.Input> b) {
        Set<PointId> out = new HashSet<>();
        for (List<Query.Input> l : List.of(a, b)) {
            for (Query.Input in : l) {
                if (in instanceof Query.Input.Point p) {
                    out.add(p.id());
                }
            }
        }
        return out;
    }

    /** {@code avg(positive)}, or with negatives {@code avg(positive) + (avg(positive) - avg(negative))}. */
    static float[] averageVector(List<float[]> positive, List<float[]> negative) {
        float[] p = average(positive);
        if (negative.isEmpty()) {
            return p;
        }
        float[] n = average(negative);
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = p[i] + p[i] - n[i];
        }
        return out;
    }

    private static float[] average(List<float[]> vectors) {
        float[] out = new float[vectors.getFirst().length];
        for (float[] v : vectors) {
            for (int i = 0; i < out.length; i++) {
                out[i] += v[i];
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= vectors.size();
        }
        return out;
    }

    private static float[] negated(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = -v[i];
        }
        return out;
    }

    /**
     * Maximal marginal relevance over {@code near} (which carries vectors): first the most
     * relevant point, then each time the one maximising {@code (1 - diversity) * relevance -
     * diversity * (highest similarity to a chosen point)}. The points keep their scores against
     * the query, as Qdrant reports them; the order is the order of choice. Quadratic in the
     * candidates, which {@link QueryRequest#MAX_CANDIDATES} bounds.
     */
    static Ranking mmr(Ranking near, Metric metric, float[] query, float diversity, int limit) {
        List<ScoredPoint> c = new ArrayList<>(near.points().size());
        for (ScoredPoint p : near.points()) {
            if (p.vector() != null) {
                c.add(p);
            }
        }
        int n = c.size();
        if (n < 2) {
            return new Ranking(c, near.largerIsBetter());
        }
        float lambda = 1 - diversity;
        float[] relevance = new float[n];
        float[] closest = new float[n]; // highest similarity to a chosen point so far
        boolean[] chosen = new boolean[n];
        for (int i = 0; i < n; i++) {
            relevance[i] = similarity(metric, query, c.get(i).vector());
            closest[i] = Float.NEGATIVE_INFINITY;
        }
        List<ScoredPoint> out = new ArrayList<>(Math.min(limit, n));
        io.vectorflow.core.search.Budget budget = io.vectorflow.core.search.Budget.current();
        int last = -1;
        while (out.size() < Math.min(limit, n)) {
            int best = -1;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (chosen[i]) {
                    continue;
                }
                if (last >= 0) {
                    closest[i] = Math.max(closest[i], similarity(metric, c.get(last).vector(), c.get(i).vector()));
                }
                float score = last < 0 ? relevance[i] : lambda * relevance[i] - diversity * closest[i];
                if (best < 0 || score > bestScore) {
                    best = i;
                    bestScore = score;
                }
            }
            chosen[best] = true;
            out.add(c.get(best));
            last = best;
            budget.check();
        }
        return new Ranking(out, near.largerIsBetter());
    }

    /**
     * Points ordered by the value at {@code o.key()}: numbers, or RFC 3339 datetimes (as epoch
     * seconds); a point with several values orders by its smallest (ascending) or largest
     * (descending); points without one are left out.
     */
    static Ranking orderBy(List<Record> records, Query.OrderBy o, int depth) {
        String[] path = KeyPath.parts(o.key(), "order_by.key");
        record Valued(ScoredPoint point, double value) {}
        List<Valued> valued = new ArrayList<>();
        for (Record r : records) {
            List<JsonNode> values = new ArrayList<>(1);
            Condition.values(r.payload(), path, 0, values);
            Double v = null;
            Object shown = null;
            for (JsonNode x : values) {
                Double d = orderable(x);
                if (d != null && (v == null || (o.descending() ? d > v : d < v))) {
                    v = d;
                    shown = x.isIntegralNumber() ? (Object) x.longValue() : x.isNumber() ? (Object) x.doubleValue() : x.textValue();
                }
            }
            if (v != null && (o.startFrom() == null || (o.descending() ? v <= o.startFrom() : v >= o.startFrom()))) {
                valued.add(new Valued(new ScoredPoint(r.id(), 0, null, null, shown), v));
            }
        }
        java.util.Comparator<Valued> cmp = java.util.Comparator.comparingDouble(Valued::value);
        valued.sort((o.descending() ? cmp.reversed() : cmp).thenComparing(x -> x.point().id()));
        List<ScoredPoint> out = new ArrayList<>(Math.min(depth, valued.size()));
        for (int i = 0; i < valued.size() && i < depth; i++) {
            out.add(valued.get(i).point());
        }
        return new Ranking(out, true);
    }

    /** A number, or a datetime string as epoch seconds; null for other values. */
    public static Double orderable(JsonNode x) {
        if (x.isNumber()) {
            return x.doubleValue();
        }
        if (x.isTextual()) {
            return io.vectorflow.engine.filter.ValueConditions.epochSeconds(x.textValue());
        }
        return null;
    }

    /** A uniform random sample of {@code depth} of the records. */
    static Ranking sample(List<Record> records, int depth) {
        List<Record> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, ThreadLocalRandom.current());
        List<ScoredPoint> out = new ArrayList<>(Math.min(depth, shuffled.size()));
        for (int i = 0; i < shuffled.size() && i < depth; i++) {
            out.add(new ScoredPoint(shuffled.get(i).id(), 0, null, null));
        }
        return new Ranking(out, true);
    }
}
