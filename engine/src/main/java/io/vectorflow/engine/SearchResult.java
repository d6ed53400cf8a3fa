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
 * @param tiers            the storage tiers the search read from
 */
public record SearchResult(List<ScoredPoint> points, long latencyNanos, long vectorsScanned, int segmentsSearched,
                           String strategy, double cacheHitRate, double costUsd, RecallSampler.Estimate estimatedRecall,
                           ObjectNode explain, Tiers tiers) {

    public SearchResult {
        tiers = tiers == null ? Tiers.NONE : tiers;
    }

    /** A result that read only from local tiers it does not count. */
    public SearchResult(List<ScoredPoint> points, long latencyNanos, long vectorsScanned, int segmentsSearched, String strategy,
                        double cacheHitRate, double costUsd, RecallSampler.Estimate estimatedRecall, ObjectNode explain) {
        this(points, latencyNanos, vectorsScanned, segmentsSearched, strategy, cacheHitRate, costUsd, estimatedRecall, explain, null);
    }

    /**
     * Where a search's segments were: in memory (loaded, or still taking writes), on local disk
     * (searched in place in their mapped files), or in the object tier, with what the object tier
     * cost it: blocks fetched and their bytes, blocks found in the local cache, the time spent
     * waiting for fetches, and segments left out because the store could not be reached (the
     * answer is then {@link #degraded()}: it holds only what the other tiers hold); and archived
     * segments the search restored first, with the time that took.
     */
    public record Tiers(int memory, int disk, int object, long blocksFetched, long bytesFetched, long cacheHits,
                        long waitNanos, int unavailable, int restored, long restoreNanos) {
        public static final Tiers NONE = new Tiers(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        /** Both searches' tiers together (a batch, a query of several parts). */
        public Tiers plus(Tiers o) {
            return new Tiers(memory + o.memory, disk + o.disk, object + o.object, blocksFetched + o.blocksFetched,
                    bytesFetched + o.bytesFetched, cacheHits + o.cacheHits, waitNanos + o.waitNanos, unavailable + o.unavailable,
                    restored + o.restored, restoreNanos + o.restoreNanos);
        }

        /** Whether segments were left out because their store could not be reached. */
        public boolean degraded() {
            return unavailable > 0;
        }
    }
}
