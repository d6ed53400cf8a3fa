package io.vectorflow.engine.query;

import io.vectorflow.engine.Collection;
import io.vectorflow.engine.SearchRequest;
import io.vectorflow.engine.filter.Filter;
import java.util.List;

/**
 * A query in the shape of Qdrant's {@code POST /points/query}: optional nested prefetches whose
 * results the main query re-ranks or fuses, a filter, search parameters and paging.
 *
 * @param prefetch       stages run first; the main query ranks their union (empty: the whole collection)
 * @param query          how to rank; null returns the one prefetch's results (or every matching point by id)
 * @param using          the vector name ({@code ""} or null: the collection's vector)
 * @param filter         points must match it, in every prefetch too; null for none
 * @param ef             beam width for graph searches, 0 for the default
 * @param exact          scan exactly instead of walking graphs
 * @param scoreThreshold drop results scoring worse than this; null for none
 * @param limit          results to return
 * @param offset         results to skip first
 * @param withPayload    return payloads
 * @param withVector     return vectors
 * @param explain        add each segment's plan to the result
 * @param quantization   how every search of the query uses quantized codes (null: the defaults)
 */
public record QueryRequest(List<Prefetch> prefetch, Query query, String using, Filter filter, int ef, boolean exact,
                           Float scoreThreshold, int limit, int offset, boolean withPayload, boolean withVector,
                           boolean explain, io.vectorflow.engine.QuantizationParams quantization) {

    /** A query with the default use of quantized codes. */
    public QueryRequest(List<Prefetch> prefetch, Query query, String using, Filter filter, int ef, boolean exact,
                        Float scoreThreshold, int limit, int offset, boolean withPayload, boolean withVector, boolean explain) {
        this(prefetch, query, using, filter, ef, exact, scoreThreshold, limit, offset, withPayload, withVector, explain, null);
    }

    /** Most candidates one stage (a prefetch, or the points MMR chooses from) may ask for. */
    public static final int MAX_CANDIDATES = 10_000;
    /** Deepest nesting of prefetches. */
    public static final int MAX_DEPTH = 8;
    /** Most prefetches one query may hold, over all levels. */
    public static final int MAX_PREFETCHES = 64;

    public QueryRequest {
        prefetch = prefetch == null ? List.of() : List.copyOf(prefetch);
        quantization = quantization == null ? io.vectorflow.engine.QuantizationParams.DEFAULT : quantization;
        if (limit < 1 || limit > Collection.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + Collection.MAX_LIMIT + ", got " + limit);
        }
        if (offset < 0 || (long) offset + limit > Collection.MAX_LIMIT) {
            throw new IllegalArgumentException("offset must be at least 0 and limit + offset at most " + Collection.MAX_LIMIT);
        }
        if (ef < 0 || ef > SearchRequest.MAX_EF) {
            throw new IllegalArgumentException("params.hnsw_ef must be between 0 and " + SearchRequest.MAX_EF + ", got " + ef);
        }
        if (scoreThreshold != null && !Float.isFinite(scoreThreshold)) {
            throw new IllegalArgumentException("score_threshold must be a finite number");
        }
        if (query instanceof Query.Fusion f && prefetch.isEmpty()) {
            throw new IllegalArgumentException("query.fusion merges the results of prefetch stages; give prefetch");
        }
        if (query instanceof Query.Fusion f && f.weights() != null && f.weights().length != prefetch.size()) {
            throw new IllegalArgumentException("query.rrf.weights has " + f.weights().length + " weights for "
                    + prefetch.size() + " prefetches");
        }
        if (query == null && prefetch.size() > 1) {
            throw new IllegalArgumentException("query is required to combine " + prefetch.size() + " prefetches (fusion or a vector)");
        }
        int[] counted = {0};
        for (Prefetch p : prefetch) {
            p.check(1, counted);
        }
    }

    /** A stage whose results feed the query above it. */
    public record Prefetch(List<Prefetch> prefetch, Query query, String using, Filter filter, int ef, boolean exact,
                           Float scoreThreshold, int limit) {
        public Prefetch {
            prefetch = prefetch == null ? List.of() : List.copyOf(prefetch);
            if (limit < 1 || limit > MAX_CANDIDATES) {
                throw new IllegalArgumentException("prefetch.limit must be between 1 and " + MAX_CANDIDATES + ", got " + limit);
            }
            if (ef < 0 || ef > SearchRequest.MAX_EF) {
                throw new IllegalArgumentException("prefetch.params.hnsw_ef must be between 0 and " + SearchRequest.MAX_EF);
            }
            if (query instanceof Query.Fusion && prefetch.isEmpty()) {
                throw new IllegalArgumentException("prefetch.query.fusion needs prefetch stages of its own");
            }
            if (query == null && prefetch.size() != 1) {
                throw new IllegalArgumentException("prefetch.query is required"
                        + (prefetch.isEmpty() ? "" : " to combine " + prefetch.size() + " prefetches"));
            }
        }

        void check(int depth, int[] counted) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("prefetch nests deeper than " + MAX_DEPTH + " levels");
            }
            if (++counted[0] > MAX_PREFETCHES) {
                throw new IllegalArgumentException("a query may hold at most " + MAX_PREFETCHES + " prefetches");
            }
            for (Prefetch p : prefetch) {
                p.check(depth + 1, counted);
            }
        }
    }
}
