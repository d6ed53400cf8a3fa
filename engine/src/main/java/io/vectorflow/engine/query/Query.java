package io.vectorflow.engine.query;

import io.vectorflow.storage.PointId;
import java.util.List;

/**
 * What a query ranks points by, in the terms of Qdrant's query API: the nearest points to a
 * vector (optionally diversified with maximal marginal relevance), recommendations from positive
 * and negative examples, discovery and context search, fusion of prefetched lists, ordering by a
 * payload value, or a random sample. Every protocol builds one of these; the checks in the
 * constructors are the API's.
 */
public sealed interface Query {

    /** A vector given in the request (dense or sparse), or the vector of a stored point. */
    sealed interface Input permits Input.Vector, Input.Sparse, Input.Point {
        /** A vector written in the request. */
        record Vector(float[] values) implements Input {
            public Vector {
                for (int i = 0; i < values.length; i++) {
                    if (!Float.isFinite(values[i])) {
                        throw new IllegalArgumentException("vector element " + i + " is not a finite number");
                    }
                }
            }
        }

        /** A sparse vector written in the request, for a query on a sparse vector ({@code using}). */
        record Sparse(io.vectorflow.core.sparse.SparseVector vector) implements Input {}

        /** The vector of a point already stored (it is left out of recommendation results). */
        record Point(PointId id) implements Input {}
    }

    /**
     * Nearest points to {@code input}; with {@code mmr}, chosen by maximal marginal relevance from
     * the nearest {@code mmr.candidatesLimit()}.
     */
    record Nearest(Input input, Mmr mmr) implements Query {}

    /**
     * Maximal marginal relevance: each next point maximises {@code (1 - diversity) * similarity to
     * the query - diversity * highest similarity to a point already chosen}.
     *
     * @param diversity       0 (relevance only) to 1 (diversity only)
     * @param candidatesLimit nearest points to choose from; 0 for the query's limit
     */
    record Mmr(float diversity, int candidatesLimit) {
        public Mmr {
            if (!(diversity >= 0 && diversity <= 1)) {
                throw new IllegalArgumentException("mmr.diversity must be between 0 and 1, got " + diversity);
            }
            if (candidatesLimit < 0 || candidatesLimit > QueryRequest.MAX_CANDIDATES) {
                throw new IllegalArgumentException("mmr.candidates_limit must be between 1 and " + QueryRequest.MAX_CANDIDATES
                        + ", got " + candidatesLimit);
            }
        }
    }

    /** How {@link Recommend} scores a point against its examples. */
    enum Strategy {
        /** Search for {@code avg(positive) + (avg(positive) - avg(negative))}. */
        AVERAGE_VECTOR,
        /** The best similarity to a positive if it beats every negative, else minus the best to a negative. */
        BEST_SCORE,
        /** The sum of similarities to the positives minus the sum to the negatives. */
        SUM_SCORES
    }

    /** Points like the positive examples and unlike the negative ones. */
    record Recommend(List<Input> positive, List<Input> negative, Strategy strategy) implements Query {
        public Recommend {
            positive = List.copyOf(positive);
            negative = List.copyOf(negative);
            if (positive.isEmpty() && (negative.isEmpty() || strategy == Strategy.AVERAGE_VECTOR)) {
                throw new IllegalArgumentException(strategy == Strategy.AVERAGE_VECTOR
                        ? "recommend.positive needs at least one example with the average_vector strategy"
                        : "recommend needs at least one positive or negative example");
            }
        }
    }

    /** A positive and a negative example that split the space in two. */
    record Pair(Input positive, Input negative) {}

    /**
     * Points near {@code target} on the positive side of as many context pairs as possible: the
     * score is the number of pairs a point is on the positive side of, minus the number it is on
     * the negative side of, plus a sigmoid of its similarity to the target.
     */
    record Discover(Input target, List<Pair> context) implements Query {
        public Discover {
            context = List.copyOf(context);
        }
    }

    /**
     * Points in the zone the context pairs agree on: the score sums, over the pairs, a loss that is
     * 0 on the positive side and negative (down to -1) on the negative side.
     */
    record Context(List<Pair> pairs) implements Query {
        public Context {
            pairs = List.copyOf(pairs);
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException("context needs at least one pair");
            }
        }
    }

    /** How {@link Fusion} merges the lists of its prefetches. */
    enum FusionMethod {
        /** Reciprocal rank fusion: a point scores {@code sum(weight / (rank + k))} over the lists. */
        RRF,
        /** Distribution-based score fusion: each list's scores normalised by mean ± 3 standard deviations, then summed. */
        DBSF
    }

    /**
     * Merges the prefetched lists into one.
     *
     * @param k       RRF's constant (Qdrant's default is 2)
     * @param weights one per prefetch, or null for equal weights
     */
    record Fusion(FusionMethod method, int k, float[] weights) implements Query {
        public Fusion {
            if (k < 1) {
                throw new IllegalArgumentException("rrf.k must be a positive integer, got " + k);
            }
        }
    }

    /**
     * Points ordered by the value at a payload key (numbers, or datetimes written as RFC 3339
     * strings), from {@code startFrom} if given.
     */
    record OrderBy(String key, boolean descending, Double startFrom) implements Query {}

    /** A uniform random sample of the matching points. */
    record Sample() implements Query {}
}
