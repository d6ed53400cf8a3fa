package io.vectorflow.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.SearchResult;
import java.util.List;

/**
 * The {@code performance} object of a search response (docs/api.md defines each field):
 * {@code latency_ms}, {@code vectors_scanned}, {@code segments_searched}, {@code strategy},
 * {@code cache_hit_rate}, {@code cost_estimate} (USD), {@code estimated_recall} with
 * {@code estimated_recall_samples}, {@code tiers} (segments per storage tier and the object
 * tier's fetches), {@code degraded} when segments in an unreachable store were left out, and
 * {@code explain} when asked for.
 */
final class Performance {

    private Performance() {}

    static ObjectNode of(SearchResult r) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("latency_ms", r.latencyNanos() / 1e6);
        n.put("vectors_scanned", r.vectorsScanned());
        n.put("segments_searched", r.segmentsSearched());
        n.put("strategy", r.strategy());
        n.put("cache_hit_rate", r.cacheHitRate());
        n.put("cost_estimate", r.costUsd());
        var recall = r.estimatedRecall();
        if (recall == null || Double.isNaN(recall.recall())) {
            n.putNull("estimated_recall");
            n.put("estimated_recall_samples", 0);
        } else {
            n.put("estimated_recall", Math.round(recall.recall() * 1e4) / 1e4);
            n.put("estimated_recall_samples", recall.samples());
        }
        n.set("tiers", TieringJson.performance(r.tiers()));
        if (r.tiers().degraded()) {
            n.put("degraded", true); // segments in an unreachable store were left out
        }
        if (r.explain() != null) {
            n.set("explain", r.explain());
        }
        return n;
    }

    /** Totals over a batch (latency and cost summed, hit rate weighted by vectors scanned), with each search's own object. */
    static ObjectNode ofBatch(List<SearchResult> results) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        long nanos = 0;
        long scanned = 0;
        double resident = 0;
        double cost = 0;
        SearchResult.Tiers tiers = SearchResult.Tiers.NONE;
        for (SearchResult r : results) {
            tiers = tiers.plus(r.tiers());
            nanos += r.latencyNanos();
            scanned += r.vectorsScanned();
            resident += r.cacheHitRate() * r.vectorsScanned();
            cost += r.costUsd();
        }
        n.put("latency_ms", nanos / 1e6);
        n.put("vectors_scanned", scanned);
        n.put("cache_hit_rate", scanned == 0 ? 1 : resident / scanned);
        n.put("cost_estimate", cost);
        n.set("tiers", TieringJson.performance(tiers));
        if (tiers.degraded()) {
            n.put("degraded", true);
        }
        var each = n.putArray("searches");
        results.forEach(r -> each.add(of(r)));
        return n;
    }
}
