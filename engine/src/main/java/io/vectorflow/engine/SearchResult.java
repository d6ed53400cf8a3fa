package io.vectorflow.engine;

import java.util.List;

/**
 * Search hits, best first, with how the search went.
 *
 * @param latencyNanos     time spent in the engine
 * @param vectorsScanned   distance evaluations, over all segments
 * @param segmentsSearched segments that held points
 * @param strategy         "hnsw", "filtered_hnsw", "exact", or "filtered_hnsw+exact" when a
 *                         filtered graph walk found too few points and a segment was scanned
 */
public record SearchResult(List<ScoredPoint> points, long latencyNanos, long vectorsScanned, int segmentsSearched,
                           String strategy) {}
