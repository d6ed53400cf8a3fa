package io.vectorflow.client;

import java.util.OptionalDouble;

/**
 * How a search went, as the server measured it (the REST API's {@code performance} object).
 *
 * @param latencyMs time in the engine
 * @param vectorsScanned vectors compared
 * @param segmentsSearched segments visited
 * @param strategy the planner's choice ({@code hnsw}, {@code filtered_hnsw}, {@code exact}, ...)
 * @param cacheHitRate share of vector reads served from memory
 * @param costEstimate estimated cost of the query in dollars
 * @param estimatedRecall the collection's recall measured against exact search, when known
 * @param estimatedRecallSamples queries behind that estimate
 */
public record Performance(double latencyMs, long vectorsScanned, int segmentsSearched, String strategy, double cacheHitRate,
                          double costEstimate, OptionalDouble estimatedRecall, int estimatedRecallSamples) {
}
