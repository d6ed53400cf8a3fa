package io.vectorflow.engine;

import io.vectorflow.core.search.OrdinalFilter;
import io.vectorflow.core.sparse.SparseIndex;
import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.engine.perf.RecallSampler;
import io.vectorflow.storage.CollectionStore;
import io.vectorflow.storage.PointId;
import io.vectorflow.storage.segment.Segment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntToDoubleFunction;

/**
 * Search over one of a collection's sparse vectors: every segment's inverted index answers its
 * exact top k by dot product (term at a time, see {@link SparseIndex}), filtered through the
 * payload-index bitmaps and payload tests the dense search uses, and the results are merged.
 * With Qdrant's {@code idf} modifier, each query dimension is weighted by
 * {@code ln(1 + (N - n + 0.5) / (n + 0.5))}, N the collection's points and n those holding the
 * dimension, both counted over every segment at query time (deleted points not yet compacted
 * away included, as Qdrant counts them). Scores are exact, so the estimated recall is 1.
 */
final class SparseSearch {

    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private final CollectionStore store;
    private final QueryPlanner planner;
    private final VectorSlots slots;
    private final CollectionSearch filters;

    SparseSearch(CollectionStore store, QueryPlanner planner, VectorSlots slots, CollectionSearch filters) {
        this.store = store;
        this.planner = planner;
        this.slots = slots;
        this.filters = filters;
    }

    SearchResult search(SearchRequest request, ResultBytes result) {
        io.vectorflow.core.search.Budget.current().requireWorker(); // postings lengths are not bounded cheaply
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        int slot = slots.sparse(request.using(), "using");
        SparseVector query = request.sparseVector();
        Filter filter = request.filter();
        int k = request.depth();
        List<Segment> segments = store.view().all();
        IntToDoubleFunction weight = slots.idf(slot) ? idf(segments, slot, query) : null;
        record Hit(Segment segment, int ordinal, float score) {}
        List<Hit> hits = new ArrayList<>();
        long postings = 0;
        int searched = 0;
        for (Segment s : segments) {
            int n = s.size();
            if (n == 0) {
                continue;
            }
            searched++;
            OrdinalFilter accept = ord -> ord < n && !s.isDeleted(ord);
            if (filter != null) {
                QueryPlanner.Plan plan = planner.plan(s, filter, k, 0, 2, true, 0, null);
                if (plan.skip()) {
                    continue;
                }
                OrdinalFilter matches = filters.acceptor(s, filter, plan);
                OrdinalFilter live = accept;
                accept = ord -> live.accept(ord) && matches.accept(ord);
            }
            SparseIndex.Hits found = s.sparseIndex(slot).search(query, k, accept, weight);
            postings += found.postingsVisited();
            for (int i = 0; i < found.ordinals().length; i++) {
                hits.add(new Hit(s, found.ordinals()[i], found.scores()[i]));
            }
        }
        hits.sort((a, b) -> Float.compare(b.score(), a.score()));
        List<ScoredPoint> points = new ArrayList<>(Math.min(request.limit(), hits.size()));
        Set<PointId> returned = new HashSet<>();
        Float threshold = request.scoreThreshold();
        int ranked = 0;
        for (int i = 0; i < hits.size() && ranked < k; i++) {
            Hit h = hits.get(i);
            PointId id = h.segment().id(h.ordinal());
            if (!returned.add(id)) {
                continue; // a point being replaced can, for an instant, be live in two segments
            }
            ranked++;
            if (ranked <= request.offset() || threshold != null && h.score() < threshold) {
                continue;
            }
            points.add(ScoredPoint.of(result.record(h.segment(), h.ordinal(), id, request.withPayload(), request.withVector()),
                    h.score()));
        }
        long cpuNanos = Math.max(0, CPU.getCurrentThreadCpuTime() - cpuStart);
        return new SearchResult(points, System.nanoTime() - start, postings, searched, "sparse", 1.0,
                filters.price(cpuNanos, 8.0 * postings, 0), new RecallSampler.Estimate(1, 0), null);
    }

    /** The idf weight of each query dimension, over every segment's points. */
    private static IntToDoubleFunction idf(List<Segment> segments, int slot, SparseVector query) {
        long points = 0;
        for (Segment s : segments) {
            points += s.liveCount();
        }
        Map<Integer, Double> weights = new HashMap<>();
        for (int dim : query.indices()) {
            long df = 0;
            for (Segment s : segments) {
                df += s.sparseIndex(slot).documentFrequency(dim);
            }
            weights.put(dim, Math.log(1 + (points - df + 0.5) / (df + 0.5)));
        }
        return dim -> weights.getOrDefault(dim, 0.0);
    }
}
