package io.vectorflow.client;

import java.util.List;

/**
 * The hits of one query vector, best first, and how the search went.
 *
 * @param points the hits
 * @param performance the server's measurements
 */
public record SearchResults(List<ScoredPoint> points, Performance performance) {

    /** The hits' ids, best first. */
    public List<Object> ids() {
        return points.stream().map(ScoredPoint::id).toList();
    }
}
