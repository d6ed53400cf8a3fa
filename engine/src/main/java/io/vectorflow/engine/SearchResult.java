package io.vectorflow.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.perf.RecallSampler;
import java.util.List;

/**
 * Search hits, best first, with how the search went (the REST API's {@code performance} object).
 *
 * @param latencyNanos     time spent in the engine
 * @param vectorsScanned   distance evaluations, over all segments
 * @param segmentsSearched segments that held points
 * @param strategy         "hnsw", "filtered_hnsw" or "exact": the plan of the largest segment
 *                         (the others may differ; {@code explain} lists each)
 * @param cacheHitRate     share of the vector reads whose page was already in memory (sampled
 *                         with {@code mincore} on segments searched in place; 1 for segments
 *                         loaded into memory)
 * @param costUsd          estimated cost of the query in US dollars (see {@link io.vectorflow.engine.perf.CostModel})
 * @param estimatedRecall  recall@k estimated by re-running a share of queries exactly, for this
 *                         strategy and ef range; null before any sample; 1 with 0 samples for exact plans
 * @param explain          the plan of each segment and payload indexes that would help, when asked; else null
 */
public record SearchResult(List<ScoredPoint> points, long latencyNanos, long vectorsScanned, int segmentsSearched,
                           String strategy, double cacheHitRate, double costUsd, RecallSampler.Estimate estimatedRecall,
                           ObjectNode explain) {}
