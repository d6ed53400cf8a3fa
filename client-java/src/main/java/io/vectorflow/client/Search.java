package io.vectorflow.client;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One query: a vector and how to search with it. Immutable; each {@code with}-style method
 * returns a changed copy.
 *
 * <pre>{@code Search.of(query).limit(5).filter("{\"must\": [{\"key\": \"lang\", \"match\": {\"value\": \"en\"}}]}").withPayload(true)}</pre>
 *
 * @param vector the query vector
 * @param limit hits wanted, 1 to 100,000
 * @param filterJson a filter in the REST API's shape, or {@code null} for none
 * @param ef the HNSW candidate list, 0 for the server's default
 * @param exact compare with every vector instead of walking the graph
 * @param withPayload return payloads
 * @param withVector return vectors
 * @param offset hits to skip
 * @param scoreThreshold drop hits worse than this, or {@code null}
 * @param timeout how long the server may take, or {@code null} for the client's default
 */
public record Search(float[] vector, int limit, String filterJson, int ef, boolean exact, boolean withPayload, boolean withVector,
                     int offset, Float scoreThreshold, Duration timeout) {

    /** Checks the vector is there. */
    public Search {
        Objects.requireNonNull(vector, "vector");
    }

    /** Ten nearest neighbours of {@code vector}, with payloads, without vectors. */
    public static Search of(float[] vector) {
        return new Search(vector, 10, null, 0, false, true, false, 0, null, null);
    }

    /** The same search for {@code limit} hits. */
    public Search limit(int limit) {
        return new Search(vector, limit, filterJson, ef, exact, withPayload, withVector, offset, scoreThreshold, timeout);
    }

    /** The same search restricted by a filter given as JSON text. */
    public Search filter(String json) {
        return new Search(vector, limit, json, ef, exact, withPayload, withVector, offset, scoreThreshold, timeout);
    }

    /** The same search restricted by a filter given as maps and lists. */
    public Search filter(Map<String, ?> filter) {
        return filter(Json.write(filter));
    }

    /** The same search with HNSW candidate list {@code ef}. */
    public Search ef(int ef) {
        return new Search(vector, limit, filterJson, ef, exact, withPayload, withVector, offset, scoreThreshold, timeout);
    }

    /** The same search compared against every vector (or not). */
    public Search exact(boolean exact) {
        return new Search(vector, limit, filterJson, ef, exact, withPayload, withVector, offset, scoreThreshold, timeout);
    }

    /** The same search returning payloads (or not). */
    public Search withPayload(boolean withPayload) {
        return new Search(vector, limit, filterJson, ef, exact, withPayload, withVector, offset, scoreThreshold, timeout);
    }

    /** The same search returning vectors (or not). */
    public Search withVector(boolean withVector) {
        return new Search(vector, limit, filterJson, ef, exact, withPayload, withVector, offset, scoreThreshold, timeout);
    }

    /** The same search skipping its first {@code offset} hits. */
    public Search offset(int offset) {
        return new Search(vector, limit, filterJson, ef, exact, withPayload, withVector, offset, scoreThreshold, timeout);
    }

    /** The same search dropping hits scored worse than {@code threshold}. */
    public Search scoreThreshold(float threshold) {
        return new Search(vector, limit, filterJson, ef, exact, withPayload, withVector, offset, threshold, timeout);
    }

    /** The same search bounded by {@code timeout}. */
    public Search timeout(Duration timeout) {
        return new Search(vector, limit, filterJson, ef, exact, withPayload, withVector, offset, scoreThreshold, timeout);
    }
}
