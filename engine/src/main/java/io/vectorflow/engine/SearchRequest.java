package io.vectorflow.engine;

import io.vectorflow.engine.filter.Filter;

/**
 * A k-nearest-neighbour query. Every protocol builds one of these; its checks are the API's.
 *
 * @param vector         the query vector (raw; the metric prepares it)
 * @param limit          how many points to return, 1 to {@link Collection#MAX_LIMIT}
 * @param filter         payload/id filter, or null
 * @param ef             HNSW beam width, or 0 for the default (max(limit + offset, 64))
 * @param exact          scan every point instead of walking the graph
 * @param withPayload    return payloads
 * @param withVector     return vectors
 * @param explain        add to the result why each segment was searched the way it was
 * @param offset         hits to skip before the first returned (paging); limit + offset is at
 *                       most {@link Collection#MAX_LIMIT}
 * @param scoreThreshold drop hits scoring worse than this (for distances, larger is worse); null for none
 * @param using          the named vector to search (Qdrant's {@code using}); null or "" for the
 *                       collection's unnamed (or first) vector
 * @param sparseVector   a sparse query, searched against the sparse vector {@code using} names;
 *                       null for a dense query ({@code vector})
 * @param quantization   how the search uses the collection's quantized codes (null: the defaults)
 */
public record SearchRequest(float[] vector, int limit, Filter filter, int ef, boolean exact,
                            boolean withPayload, boolean withVector, boolean explain, int offset, Float scoreThreshold,
                            String using, io.vectorflow.core.sparse.SparseVector sparseVector,
                            QuantizationParams quantization) {

    /** Largest beam width a search may ask for. */
    public static final int MAX_EF = 100_000;

    public SearchRequest {
        quantization = quantization == null ? QuantizationParams.DEFAULT : quantization;
        if (vector == null && sparseVector == null) {
            throw new IllegalArgumentException("vector is required");
        }
        if (limit < 1 || limit > Collection.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + Collection.MAX_LIMIT + ", got " + limit);
        }
        if (offset < 0 || (long) offset + limit > Collection.MAX_LIMIT) {
            throw new IllegalArgumentException("offset must be at least 0 and limit + offset at most " + Collection.MAX_LIMIT
                    + ", got offset " + offset);
        }
        if (ef < 0 || ef > MAX_EF) {
            throw new IllegalArgumentException("hnsw_ef must be between 0 and " + MAX_EF + ", got " + ef);
        }
        if (scoreThreshold != null && !Float.isFinite(scoreThreshold)) {
            throw new IllegalArgumentException("score_threshold must be a finite number, got " + scoreThreshold);
        }
    }

    public SearchRequest(float[] vector, int limit, Filter filter, int ef, boolean exact, boolean withPayload,
                         boolean withVector, boolean explain, int offset, Float scoreThreshold, String using,
                         io.vectorflow.core.sparse.SparseVector sparseVector) {
        this(vector, limit, filter, ef, exact, withPayload, withVector, explain, offset, scoreThreshold, using, sparseVector, null);
    }

    public SearchRequest(float[] vector, int limit, Filter filter, int ef, boolean exact, boolean withPayload,
                         boolean withVector, boolean explain) {
        this(vector, limit, filter, ef, exact, withPayload, withVector, explain, 0, null, null, null);
    }

    public SearchRequest(float[] vector, int limit, Filter filter, int ef, boolean exact, boolean withPayload,
                         boolean withVector, boolean explain, int offset, Float scoreThreshold) {
        this(vector, limit, filter, ef, exact, withPayload, withVector, explain, offset, scoreThreshold, null, null);
    }

    /** The same query against the named vector {@code name} (dense, or sparse with {@code sparse}). */
    public SearchRequest using(String name, io.vectorflow.core.sparse.SparseVector sparse) {
        return new SearchRequest(sparse == null ? vector : null, limit, filter, ef, exact, withPayload, withVector, explain,
                offset, scoreThreshold, name, sparse, quantization);
    }

    /** The {@code limit} nearest points, payloads included, no filter. */
    public static SearchRequest of(float[] vector, int limit) {
        return new SearchRequest(vector, limit, null, 0, false, true, false, false);
    }

    /** Hits the engine must find: those skipped by the offset and those returned. */
    public int depth() {
        return limit + offset;
    }

    public SearchRequest withFilter(Filter f) {
        return new SearchRequest(vector, limit, f, ef, exact, withPayload, withVector, explain, offset, scoreThreshold, using, sparseVector, quantization);
    }

    public SearchRequest withEf(int beam) {
        return new SearchRequest(vector, limit, filter, beam, exact, withPayload, withVector, explain, offset, scoreThreshold, using, sparseVector, quantization);
    }

    public SearchRequest withExact(boolean e) {
        return new SearchRequest(vector, limit, filter, ef, e, withPayload, withVector, explain, offset, scoreThreshold, using, sparseVector, quantization);
    }

    public SearchRequest withVectors(boolean v) {
        return new SearchRequest(vector, limit, filter, ef, exact, withPayload, v, explain, offset, scoreThreshold, using, sparseVector, quantization);
    }

    public SearchRequest withPayload(boolean p) {
        return new SearchRequest(vector, limit, filter, ef, exact, p, withVector, explain, offset, scoreThreshold, using, sparseVector, quantization);
    }

    public SearchRequest withLimit(int l) {
        return new SearchRequest(vector, l, filter, ef, exact, withPayload, withVector, explain, offset, scoreThreshold, using, sparseVector, quantization);
    }

    public SearchRequest withExplain(boolean e) {
        return new SearchRequest(vector, limit, filter, ef, exact, withPayload, withVector, e, offset, scoreThreshold, using, sparseVector, quantization);
    }

    /** The same query with these quantization parameters. */
    public SearchRequest withQuantization(QuantizationParams q) {
        return new SearchRequest(vector, limit, filter, ef, exact, withPayload, withVector, explain, offset, scoreThreshold, using,
                sparseVector, q);
    }

    /** The same query paged: skip {@code skip} hits, drop those scoring worse than {@code threshold} (null: none). */
    public SearchRequest withPaging(int skip, Float threshold) {
        return new SearchRequest(vector, limit, filter, ef, exact, withPayload, withVector, explain, skip, threshold, using, sparseVector, quantization);
    }
}
