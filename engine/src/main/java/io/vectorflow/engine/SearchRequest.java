package io.vectorflow.engine;

import io.vectorflow.engine.filter.Filter;

/**
 * A k-nearest-neighbour query.
 *
 * @param vector      the query vector (raw; the metric prepares it)
 * @param limit       how many points to return, at least 1
 * @param filter      payload/id filter, or null
 * @param ef          HNSW beam width, or 0 for the default (max(limit, 64))
 * @param exact       scan every point instead of walking the graph
 * @param withPayload return payloads
 * @param withVector  return vectors
 * @param explain     add to the result why each segment was searched the way it was
 */
public record SearchRequest(float[] vector, int limit, Filter filter, int ef, boolean exact,
                            boolean withPayload, boolean withVector, boolean explain) {

    public SearchRequest {
        if (vector == null) {
            throw new IllegalArgumentException("vector is required");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        if (ef < 0) {
            throw new IllegalArgumentException("hnsw_ef must not be negative, got " + ef);
        }
    }

    /** The {@code limit} nearest points, payloads included, no filter. */
    public static SearchRequest of(float[] vector, int limit) {
        return new SearchRequest(vector, limit, null, 0, false, true, false, false);
    }

    public SearchRequest withFilter(Filter f) {
        return new SearchRequest(vector, limit, f, ef, exact, withPayload, withVector, explain);
    }

    public SearchRequest withEf(int beam) {
        return new SearchRequest(vector, limit, filter, beam, exact, withPayload, withVector, explain);
    }

    public SearchRequest withExact(boolean e) {
        return new SearchRequest(vector, limit, filter, ef, e, withPayload, withVector, explain);
    }

    public SearchRequest withVectors(boolean v) {
        return new SearchRequest(vector, limit, filter, ef, exact, withPayload, v, explain);
    }

    public SearchRequest withPayload(boolean p) {
        return new SearchRequest(vector, limit, filter, ef, exact, p, withVector, explain);
    }

    public SearchRequest withLimit(int l) {
        return new SearchRequest(vector, l, filter, ef, exact, withPayload, withVector, explain);
    }

    public SearchRequest withExplain(boolean e) {
        return new SearchRequest(vector, limit, filter, ef, exact, withPayload, withVector, e);
    }
}
