package io.vectorflow.engine.query;

import io.vectorflow.engine.ScoredPoint;
import io.vectorflow.storage.PointId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A ranked list of points, best first, and which way its scores point: searches with a distance
 * metric (Euclid, Manhattan) rank smaller scores first, every other ranking larger first. The
 * fusion methods live here because they only read rankings.
 *
 * @param points        best first
 * @param largerIsBetter whether a larger score is a better one
 */
record Ranking(List<ScoredPoint> points, boolean largerIsBetter) {

    static Ranking empty() {
        return new Ranking(List.of(), true);
    }

    /** The score oriented so that larger is better (for thresholds and fusion). */
    float similarity(float score) {
        return largerIsBetter ? score : -score;
    }

    /** The first {@code n} points. */
    Ranking first(int n) {
        return points.size() <= n ? this : new Ranking(List.copyOf(points.subList(0, n)), largerIsBetter);
    }

    /** The points at least as good as {@code threshold} (null keeps all). */
    Ranking atLeast(Float threshold) {
        if (threshold == null) {
            return this;
        }
        List<ScoredPoint> kept = new ArrayList<>(points.size());
        for (ScoredPoint p : points) {
            if (largerIsBetter ? p.score() >= threshold : p.score() <= threshold) {
                kept.add(p);
            }
        }
        return new Ranking(kept, largerIsBetter);
    }

    /** Sorts {@code points} best first by score (ties by id, so answers are stable). */
    static Ranking sorted(List<ScoredPoint> points, boolean largerIsBetter) {
        Comparator<ScoredPoint> byScore = Comparator.comparingDouble(ScoredPoint::score);
        List<ScoredPoint> out = new ArrayList<>(points);
        out.sort((largerIsBetter ? byScore.reversed() : byScore).thenComparing(ScoredPoint::id));
        return new Ranking(out, largerIsBetter);
    }

    /** The ids of all points in these rankings, each once, in order of first appearance. */
    static List<PointId> union(List<Ranking> rankings) {
        LinkedHashMap<PointId, Boolean> ids = new LinkedHashMap<>();
        for (Ranking r : rankings) {
            for (ScoredPoint p : r.points) {
                ids.putIfAbsent(p.id(), Boolean.TRUE);
            }
        }
        return List.copyOf(ids.keySet());
    }

    /**
     * Reciprocal rank fusion: a point at zero-based rank {@code r} of list {@code i} adds
     * {@code 1 / ((r + 1) / w_i + k - 1)} (with weight 1: {@code 1 / (r + k)}); only the order of
     * each list counts, not its scores.
     */
    static Ranking rrf(List<Ranking> lists, int k, float[] weights) {
        Map<PointId, Float> scores = new HashMap<>();
        for (int i = 0; i < lists.size(); i++) {
            float w = weights == null ? 1 : weights[i];
            if (w <= 0) {
                continue;
            }
            List<ScoredPoint> l = lists.get(i).points;
            for (int r = 0; r < l.size(); r++) {
                scores.merge(l.get(r).id(), 1f / ((r + 1) / w + k - 1), Float::sum);
            }
        }
        return fused(scores);
    }

    /**
     * Distribution-based score fusion: each list's scores (oriented larger-better) are mapped by
     * {@code (s - (mean - 3σ)) / 6σ} (σ the sample standard deviation; a list of one point gives
     * it 0.5, a list of equal scores 0.5 each), then summed per point.
     */
    static Ranking dbsf(List<Ranking> lists, float[] weights) {
        Map<PointId, Float> scores = new HashMap<>();
        for (int i = 0; i < lists.size(); i++) {
            Ranking l = lists.get(i);
            int n = l.points.size();
            float w = weights == null ? 1 : weights[i];
            if (n == 0) {
                continue;
            }
            double mean = 0;
            double m2 = 0;
            for (int j = 0; j < n; j++) { // Welford's one-pass mean and variance
                double x = l.similarity(l.points.get(j).score());
                double d = x - mean;
                mean += d / (j + 1);
                m2 += d * (x - mean);
            }
            double sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
            double low = mean - 3 * sd;
            double high = mean + 3 * sd;
            for (ScoredPoint p : l.points) {
                double norm = high == low ? 0.5 : (l.similarity(p.score()) - low) / (high - low);
                scores.merge(p.id(), (float) (norm * w), Float::sum);
            }
        }
        return fused(scores);
    }

    private static Ranking fused(Map<PointId, Float> scores) {
        List<ScoredPoint> out = new ArrayList<>(scores.size());
        scores.forEach((id, s) -> out.add(new ScoredPoint(id, s, null, null)));
        return sorted(out, true);
    }
}
