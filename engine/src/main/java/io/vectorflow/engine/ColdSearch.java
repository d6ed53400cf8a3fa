package io.vectorflow.engine;

import io.vectorflow.core.search.OrdinalFilter;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.quant.QuantizedVectors;
import io.vectorflow.core.search.Budget;
import io.vectorflow.core.search.ExactSearch;
import io.vectorflow.core.search.SearchResults;
import io.vectorflow.core.util.LongHeap;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.tier.ColdVectors;
import io.vectorflow.storage.tier.TierTrace;

/**
 * Searching a segment whose float vectors are in the object tier: the graph is walked on the
 * quantized codes held locally, and only the rescoring candidates' vectors are read, in one
 * concurrent round of fetches through the block cache. An exact plan (a selective filter, or
 * {@code exact}) reads its candidates' vectors the same way, {@value #BATCH} at a time, looking at
 * the request's budget between batches.
 */
final class ColdSearch {

    static final int BATCH = 1024;

    private ColdSearch() {}

    /**
     * Walks {@code s}'s graph on {@code codes} for {@code candidates} hits and, when
     * {@code rescore}, keeps the {@code k} closest by their float vectors.
     */
    static void walk(SealedSegment s, int slot, QuantizedVectors codes, float[] prepared, Metric metric, int k, int ef,
                     int candidates, boolean rescore, OrdinalFilter accept, SearchResults out, TierTrace trace) {
        s.graph(slot).search(codes.scorer(prepared), candidates, Math.max(ef, candidates), accept, out);
        if (!rescore || out.size() == 0) {
            return;
        }
        int n = out.size();
        int[] ordinals = new int[n];
        for (int i = 0; i < n; i++) {
            ordinals[i] = out.ordinal(i);
        }
        float[] exact = new float[n];
        s.cold(slot).distances(prepared, metric, ordinals, n, exact, trace);
        java.util.Map<Integer, Float> byOrdinal = new java.util.HashMap<>(2 * n);
        for (int i = 0; i < n; i++) {
            byOrdinal.put(ordinals[i], exact[i]);
        }
        QuantizedVectors.rescore(out, k, byOrdinal::get);
    }

    /**
     * Exact top {@code k} among {@code ordinals[0..count)} (all of the segment when null) that
     * {@code live} accepts, by their float vectors.
     */
    static void exact(SealedSegment s, int slot, float[] prepared, Metric metric, int k, int[] ordinals, int count,
                      OrdinalFilter live, SearchResults out, TierTrace trace) {
        ColdVectors cold = s.cold(slot);
        int total = ordinals == null ? s.size() : count;
        LongHeap heap = new LongHeap(k + 1);
        Budget budget = Budget.current();
        int[] batch = new int[BATCH];
        float[] distances = new float[BATCH];
        long scored = 0;
        int i = 0;
        while (i < total) {
            int n = 0;
            for (; i < total && n < BATCH; i++) {
                int ord = ordinals == null ? i : ordinals[i];
                if (ord < s.size() && (live == null || live.accept(ord))) {
                    batch[n++] = ord;
                }
            }
            if (n == 0) {
                continue;
            }
            budget.check();
            cold.distances(prepared, metric, batch, n, distances, trace);
            for (int j = 0; j < n; j++) {
                ExactSearch.offer(heap, LongHeap.pack(distances[j], batch[j]), k);
            }
            scored += n;
        }
        ExactSearch.drain(heap, k, out, scored);
    }
}
