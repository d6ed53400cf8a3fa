package io.vectorflow.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.quant.QuantizedVectors;
import io.vectorflow.core.search.Budget;
import io.vectorflow.core.search.ExactSearch;
import io.vectorflow.core.search.OrdinalFilter;
import io.vectorflow.core.search.SearchResults;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.engine.index.PayloadIndexes;
import io.vectorflow.engine.perf.CostModel;
import io.vectorflow.engine.perf.RecallSampler;
import io.vectorflow.engine.perf.Tracing;
import io.vectorflow.storage.CollectionStore;
import io.vectorflow.storage.PointId;
import io.vectorflow.storage.segment.MutableSegment;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.tier.TierTrace;
import io.vectorflow.storage.segment.Segment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * A collection's nearest-neighbour search over a dense vector. Each segment is planned on its
 * own by the {@link QueryPlanner} (graph, filtered graph, or an exact scan of the points that
 * can match, from payload-index counts or a sample) and the results merged. When a filtered
 * walk of a segment returns fewer than {@code limit} points while more may match, that segment
 * is scanned exactly instead. Points written but not yet linked into the graph are always
 * scanned exactly, so every acknowledged write is found. Queries on a sparse vector go to
 * {@link SparseSearch}.
 */
final class CollectionSearch {

    /** Filter tests between two looks at the request's budget (payload tests cost microseconds). */
    private static final int BUDGET_EVERY = 64;

    private final CollectionConfig config;
    private final CollectionStore store;
    private final PayloadIndexes payloadIndexes;
    private final QueryPlanner planner;
    private final RecallSampler sampler;
    private final String statsKey;
    private final CostModel prices;
    private final VectorSlots slots;
    private final long maxResultBytes;
    private final SparseSearch sparse;

    private final Quantizer quantizer;

    private final SegmentAccess access;
    private final Restorer restorer;

    /** Brings an archived segment back to disk; returns the nanoseconds it took. */
    interface Restorer {
        long restore(SealedSegment s);
    }

    CollectionSearch(CollectionConfig config, CollectionStore store, PayloadIndexes payloadIndexes, RecallSampler sampler,
                     String statsKey, CostModel prices, VectorSlots slots, long maxResultBytes, Quantizer quantizer,
                     SegmentAccess access, Restorer restorer) {
        this.config = config;
        this.access = access;
        this.restorer = restorer;
        this.quantizer = quantizer;
        this.store = store;
        this.payloadIndexes = payloadIndexes;
        this.planner = new QueryPlanner(payloadIndexes);
        this.sampler = sampler;
        this.statsKey = statsKey;
        this.prices = prices;
        this.slots = slots;
        this.maxResultBytes = maxResultBytes;
        this.sparse = new SparseSearch(store, planner, slots, this);
    }

    SearchResult search(SearchRequest request, boolean sample, ResultBytes result) {
        if (request.sparseVector() != null) {
            return sparse.search(request, result);
        }
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        VectorSlots.Dense space = slots.dense(request.using(), "using");
        slots.check("vector", request.vector(), space.dimension());
        Metric metric = space.metric();
        Filter filter = request.filter();
        int k = request.depth();
        int ef = request.ef() > 0 ? request.ef() : Math.max(k, io.vectorflow.core.hnsw.HnswIndex.DEFAULT_EF_SEARCH);
        ObjectNode explain = request.explain() ? Json.MAPPER.createObjectNode() : null;
        var segmentsExplained = explain == null ? null : explain.putArray("segments");
        record Hit(Segment segment, int ordinal, float distance) {}
        long[] restore = restoreArchived(); // {segments, nanoseconds}
        List<Segment> segments = store.view().all();
        List<Hit> hits = new ArrayList<>(Math.min(1 << 16, k * segments.size()));
        long scanned = 0;
        int searched = 0;
        double residentReads = 0;
        double diskReads = 0;
        double graphBytes = 0;
        long dominantPoints = -1;
        QueryPlanner.Strategy dominant = filter == null && !request.exact() ? QueryPlanner.Strategy.HNSW : QueryPlanner.Strategy.EXACT;
        long exactFloor = config.indexingThresholdKb() <= 0 ? 0 : config.indexingThresholdKb() * 1024L / (4L * space.dimension());
        SearchResults out = new SearchResults(k);
        float[] prepared = null;
        String quantized = null;
        Budget budget = Budget.current();
        boolean anyCold = segments.stream().anyMatch(s -> s instanceof SealedSegment ss && ss.isCold());
        TierTrace objectTier = anyCold ? new TierTrace() : null;
        int inMemory = 0;
        int onDisk = 0;
        if (budget.inline()) {
            if (config.onDiskOf(space.slot()) || anyCold) {
                budget.requireWorker(); // vectors read from disk or a store may wait: not on a network thread
            }
            budget.spendInline((long) k * 256); // reading and merging the hits
        }
        for (Segment s : segments) {
            if (s.size() == 0) {
                continue;
            }
            searched++;
            io.opentelemetry.api.trace.Span segmentSpan = sample ? Tracing.start("segment.search") : null;
            ObjectNode why = explain == null ? null : segmentsExplained.addObject();
            QueryPlanner.Plan plan;
            try (var inSegment = Tracing.enter(segmentSpan)) {
                io.opentelemetry.api.trace.Span planSpan = segmentSpan == null ? null : Tracing.start("plan");
                try {
                    plan = planner.plan(s, filter, k, ef, config.m(), request.exact(), exactFloor, why);
                } finally {
                    Tracing.end(planSpan);
                }
            }
            if (s.size() > dominantPoints) {
                dominantPoints = s.size();
                dominant = plan.strategy();
            }
            if (plan.skip()) {
                Tracing.end(segmentSpan);
                continue;
            }
            SealedSegment cold = s instanceof SealedSegment ss && ss.isCold() ? ss : null;
            if (s instanceof SealedSegment ss) {
                access.touched(ss.number());
            }
            if (cold != null) {
                objectTier.segment();
                if (why != null) {
                    why.put("tier", "object");
                }
                try {
                    if (cold.isArchived()) {
                        throw new io.vectorflow.storage.tier.TierUnavailableException("segment " + cold.number()
                                + " is archived and could not be restored", null);
                    }
                    String scheme = searchCold(cold, space, request, plan, filter, k, ef, metric.prepare(request.vector()), out,
                            objectTier);
                    quantized = scheme != null ? scheme : quantized;
                } catch (io.vectorflow.storage.tier.TierUnavailableException e) {
                    objectTier.unavailable(); // degraded: the answer holds what the other tiers hold
                    if (why != null) {
                        why.put("unavailable", e.getMessage());
                    }
                    Tracing.end(segmentSpan);
                    continue;
                }
                for (int i = 0; i < out.size(); i++) {
                    hits.add(new Hit(s, out.ordinal(i), out.distance(i)));
                }
                scanned += out.distanceEvaluations();
                Tracing.end(segmentSpan);
                continue;
            }
            if (s instanceof SealedSegment ss && ss.searchesInPlace(space.slot())) {
                onDisk++;
            } else {
                inMemory++;
            }
            int tailFrom = s instanceof MutableSegment m ? m.indexedPrefix() : s.size();
            if (budget.inline()) {
                budget.spendInline(inlineCost(s, plan, filter, k, ef, config.m(), tailFrom, space.dimension()));
            }
            OrdinalFilter accept = acceptor(s, filter, plan);
            Residency probe = Residency.of(s, space.slot());
            out.probe(probe);
            long segmentEvals = 0;
            boolean graph = plan.strategy() != QueryPlanner.Strategy.EXACT;
            if (graph) {
                QuantizedVectors codes = request.quantization().ignore() ? null : quantizer.codes(s, space.slot());
                if (codes != null) {
                    // Walk on the codes, then rescore the best candidates with the float vectors.
                    if (prepared == null) {
                        prepared = metric.prepare(request.vector());
                    }
                    int candidates = request.quantization().candidates(k);
                    s.graph(space.slot()).search(codes.scorer(prepared), candidates, Math.max(ef, candidates), accept, out);
                    if (request.quantization().rescore()) {
                        QuantizedVectors.rescore(out, prepared, s.vectors(space.slot()), metric, k);
                    }
                    quantized = codes.spec().scheme().apiName();
                    if (why != null) {
                        why.put("quantization", quantized).put("rescored", request.quantization().rescore() ? candidates : 0);
                    }
                } else {
                    s.graph(space.slot()).search(request.vector(), k, ef, accept, out);
                }
                graphBytes += out.visitedNodes() * 8.0 * config.m();
                if (filter != null && out.size() < k && s.liveCount() > out.size()) {
                    segmentEvals += out.distanceEvaluations();
                    graph = false; // too few found: the filter is more selective than estimated
                    budget.spendInline((long) s.size() * space.dimension());
                    if (why != null) {
                        why.put("fallback", "the filtered walk found " + out.size() + " of " + k + "; scanned exactly");
                    }
                }
            }
            if (!graph) {
                exact(s, space, request.vector(), k, plan, accept, probe, out);
                tailFrom = s.size();
            }
            segmentEvals += out.distanceEvaluations();
            for (int i = 0; i < out.size(); i++) {
                hits.add(new Hit(s, out.ordinal(i), out.distance(i)));
            }
            if (tailFrom < s.size()) {
                // Written but perhaps not yet in the graph: scan exactly, skip what the walk found.
                java.util.Set<Integer> found = new java.util.HashSet<>();
                for (int i = 0; i < out.size(); i++) {
                    found.add(out.ordinal(i));
                }
                exactRange(s, space, request.vector(), k, tailFrom, accept, out);
                segmentEvals += out.distanceEvaluations();
                for (int i = 0; i < out.size(); i++) {
                    if (!found.contains(out.ordinal(i))) {
                        hits.add(new Hit(s, out.ordinal(i), out.distance(i)));
                    }
                }
            }
            out.probe(null);
            if (segmentSpan != null) {
                segmentSpan.setAttribute("points", s.size()).setAttribute("strategy", plan.strategy().apiName())
                        .setAttribute("distances", segmentEvals);
                segmentSpan.end();
            }
            scanned += segmentEvals;
            double resident = probe == null ? 1 : probe.hitRate();
            residentReads += segmentEvals * resident;
            diskReads += segmentEvals * (1 - resident);
        }
        io.opentelemetry.api.trace.Span merge = sample ? Tracing.start("merge") : null;
        hits.sort(Comparator.comparingDouble(Hit::distance));
        List<ScoredPoint> points = new ArrayList<>(Math.min(request.limit(), hits.size()));
        List<PointId> approximate = new ArrayList<>(Math.min(k, hits.size()));
        java.util.Set<PointId> returned = new java.util.HashSet<>();
        boolean higherIsCloser = metric.higherScoreIsCloser();
        Float threshold = request.scoreThreshold();
        for (int i = 0; i < hits.size() && approximate.size() < k; i++) {
            Hit h = hits.get(i);
            PointId id = h.segment().id(h.ordinal());
            if (!returned.add(id)) {
                continue; // a point being replaced can, for an instant, be live in two segments
            }
            approximate.add(id);
            float score = metric.score(h.distance());
            if (approximate.size() <= request.offset()
                    || threshold != null && (higherIsCloser ? score < threshold : score > threshold)) {
                continue; // skipped by the offset, or worse than the threshold (and so is every later hit)
            }
            points.add(ScoredPoint.of(result.record(h.segment(), h.ordinal(), id, request.withPayload(), request.withVector()), score));
        }
        Tracing.end(merge);
        String strategy = dominant.apiName();
        // Walks on codes are sampled apart: their recall is not the float walk's.
        String sampled = quantized == null ? strategy : strategy + "+" + quantized;
        RecallSampler.Estimate recall = dominant == QueryPlanner.Strategy.EXACT ? new RecallSampler.Estimate(1, 0)
                : sampler.estimate(statsKey, sampled, ef);
        // Not with cold segments: the exact re-run would fetch every one of their vectors.
        if (sample && objectTier == null && dominant != QueryPlanner.Strategy.EXACT && !approximate.isEmpty()) {
            sampler.maybeSample(statsKey, sampled, ef, () -> recallPermille(approximate,
                    request.withExact(true).withPayload(false).withVectors(false).withExplain(false)
                            .withLimit(k).withPaging(0, null)));
        }
        if (explain != null && filter != null) {
            var suggest = explain.putObject("suggested_payload_indexes");
            QueryPlanner.missingIndexes(filter, payloadIndexes.schema()).forEach(suggest::put);
        }
        long cpuNanos = Math.max(0, CPU.getCurrentThreadCpuTime() - cpuStart);
        double vectorBytes = 4.0 * space.dimension();
        double memoryBytes = residentReads * vectorBytes + graphBytes;
        double diskBytes = diskReads * Math.max(vectorBytes, PAGE_BYTES);
        double hitRate = scanned == 0 ? 1 : residentReads / (residentReads + diskReads);
        SearchResult.Tiers tiers = new SearchResult.Tiers(inMemory, onDisk, objectTier == null ? 0 : objectTier.segments(),
                objectTier == null ? 0 : objectTier.fetches(), objectTier == null ? 0 : objectTier.fetchedBytes(),
                objectTier == null ? 0 : objectTier.hits(), objectTier == null ? 0 : objectTier.waitNanos(),
                objectTier == null ? 0 : objectTier.unavailableSegments(), (int) restore[0], restore[1]);
        return new SearchResult(points, System.nanoTime() - start, scanned, searched, strategy, hitRate,
                prices.estimate(cpuNanos, memoryBytes, diskBytes, tiers.bytesFetched()), recall, explain, tiers);
    }

    /**
     * Restores the archived sealed segments on this thread before the search reads them (each
     * download and decompression is one step; a segment another search is restoring is waited
     * for). Returns how many it restored and the nanoseconds that took.
     */
    private long[] restoreArchived() {
        long[] done = new long[2];
        for (SealedSegment s : store.view().sealed()) {
            if (s.isArchived()) {
                Budget.current().requireWorker();
                try {
                    done[1] += restorer.restore(s);
                    done[0]++;
                } catch (io.vectorflow.storage.tier.TierUnavailableException e) {
                    // left archived: the search counts it unavailable and answers from the rest
                }
            }
        }
        return done;
    }

    /**
     * Searches a segment in the object tier ({@link ColdSearch}): on its codes with the candidates
     * rescored, or exactly where the plan says so or it has no codes. Returns the codes' scheme,
     * or null when it scanned exactly.
     *
     * @throws io.vectorflow.storage.tier.TierUnavailableException when the store cannot be read
     */
    private String searchCold(SealedSegment s, VectorSlots.Dense space, SearchRequest request, QueryPlanner.Plan plan,
                              Filter filter, int k, int ef, float[] prepared, SearchResults out, TierTrace trace) {
        int slot = space.slot();
        OrdinalFilter accept = acceptor(s, filter, plan);
        QuantizedVectors codes = quantizer.codes(s, slot);
        if (codes == null) {
            codes = quantizer.codesNow(s, slot); // not loaded yet, or of an earlier setting: they still find the candidates
        }
        if (plan.strategy() != QueryPlanner.Strategy.EXACT && codes != null) {
            ColdSearch.walk(s, slot, codes, prepared, space.metric(), k, ef, request.quantization().candidates(k),
                    request.quantization().rescore(), accept, out, trace);
            if (filter == null || out.size() >= k || s.liveCount() <= out.size()) {
                return codes.spec().scheme().apiName();
            }
        }
        int[] ords = null;
        int count = 0;
        if (plan.candidates() != null) {
            int n = s.size();
            int covered = Math.min(plan.coveredUpTo(), n);
            ords = java.util.Arrays.copyOf(plan.candidates().toArray(), plan.candidates().getCardinality() + (n - covered));
            count = plan.candidates().getCardinality();
            for (int o = covered; o < n; o++) {
                ords[count++] = o;
            }
        }
        ColdSearch.exact(s, slot, prepared, space.metric(), k, ords, count, live(s, slot, accept), out, trace);
        return null;
    }

    /** The cost estimate of a search that used this much CPU, memory and disk traffic. */
    double price(long cpuNanos, double memoryBytes, double diskBytes) {
        return prices.estimate(cpuNanos, memoryBytes, diskBytes);
    }

    private static final long PAGE_BYTES = 4096;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    /** Recall of the approximate ids against an exact search, in thousandths; -1 if nothing matches. */
    private int recallPermille(List<PointId> approximate, SearchRequest exactRequest) {
        SearchResult truth = search(exactRequest, false, new ResultBytes("limit", maxResultBytes, slots));
        if (truth.points().isEmpty()) {
            return -1;
        }
        java.util.Set<PointId> expected = new java.util.HashSet<>();
        truth.points().forEach(p -> expected.add(p.id()));
        long found = approximate.stream().filter(expected::contains).count();
        return (int) Math.round(1000.0 * found / expected.size());
    }

    /**
     * What searching one segment under {@code plan} costs, in distance evaluations times
     * dimensions, for an inline run's allowance: a graph walk visits about {@code (ef + k) · 2m}
     * nodes (more under a filter, in inverse proportion to the share of points it lets through),
     * an exact scan every candidate, and points not yet in the graph are scanned as well; a
     * payload test on a point counts as a 64-dimension distance.
     */
    static long inlineCost(Segment s, QueryPlanner.Plan plan, Filter filter, int k, int ef, int m, int tailFrom, int dimension) {
        long evaluations;
        long n = Math.max(1, s.size());
        long candidates = plan.candidates() == null ? n : plan.candidates().getLongCardinality() + (n - Math.min(n, plan.coveredUpTo()));
        if (plan.strategy() == QueryPlanner.Strategy.EXACT) {
            evaluations = candidates;
        } else {
            evaluations = (long) (ef + k) * 2 * m;
            if (filter != null) {
                evaluations = Math.min(n, evaluations * n / Math.max(1, candidates));
            }
        }
        evaluations += s.size() - Math.min(s.size(), tailFrom);
        long payloadTests = filter != null && !plan.candidatesExact() ? candidates : 0;
        return evaluations * dimension + payloadTests * 64;
    }

    /** The filter test for one segment under a plan: bitmap membership, payload test, or both. */
    OrdinalFilter acceptor(Segment s, Filter filter, QueryPlanner.Plan plan) {
        if (filter == null) {
            return null;
        }
        RoaringBitmap bits = plan.candidates();
        OrdinalFilter test = budgeted(ord -> Collection.matches(s, ord, filter));
        if (bits == null) {
            return test;
        }
        int covered = plan.coveredUpTo();
        if (plan.candidatesExact()) {
            return ord -> ord < covered ? bits.contains(ord) : test.accept(ord);
        }
        return ord -> (ord >= covered || bits.contains(ord)) && test.accept(ord);
    }

    /** {@code test}, looking at the request's budget every {@value #BUDGET_EVERY} calls. */
    private static OrdinalFilter budgeted(OrdinalFilter test) {
        Budget budget = Budget.current();
        int[] calls = {0};
        return ord -> {
            if ((++calls[0] & (BUDGET_EVERY - 1)) == 0) {
                budget.check();
            }
            return test.accept(ord);
        };
    }

    /**
     * Exact top k of a segment's live points that the plan allows: the candidate ordinals when an
     * index narrowed them (plus any written after the index was brought up to date), else all.
     */
    private void exact(Segment s, VectorSlots.Dense space, float[] query, int k, QueryPlanner.Plan plan, OrdinalFilter accept,
                       Residency probe, SearchResults out) {
        int n = s.size();
        OrdinalFilter live = live(s, space.slot(), accept);
        ExactSearch scan = new ExactSearch(s.vectors(space.slot()), space.metric());
        if (plan.candidates() == null) {
            if (probe != null) {
                probe.sampleRange(0, n);
            }
            scan.search(query, k, 0, n, live, out);
            return;
        }
        int covered = Math.min(plan.coveredUpTo(), n);
        int[] ords = plan.candidates().toArray();
        int count = ords.length;
        if (covered < n) {
            ords = java.util.Arrays.copyOf(ords, count + (n - covered));
            for (int o = covered; o < n; o++) {
                ords[count++] = o;
            }
        }
        if (probe != null) {
            probe.sampleOrdinals(ords, count);
        }
        scan.search(query, k, ords, count, live, out);
    }

    /** Exact top k of a segment's live, accepted points from ordinal {@code from} on. */
    private void exactRange(Segment s, VectorSlots.Dense space, float[] query, int k, int from, OrdinalFilter accept,
                            SearchResults out) {
        int n = s.size(); // a point being appended may already be in the vector store: not yet readable
        new ExactSearch(s.vectors(space.slot()), space.metric()).search(query, k, from, n, live(s, space.slot(), accept), out);
    }

    /**
     * What an exact scan of a dense slot accepts: live points that have a vector there (the
     * graph holds only those, so a walk needs no such test) and that {@code accept} allows.
     */
    private static OrdinalFilter live(Segment s, int slot, OrdinalFilter accept) {
        boolean all = s.everyHasVector(slot);
        if (accept == null) {
            return all ? ord -> !s.isDeleted(ord) : ord -> !s.isDeleted(ord) && s.hasVector(slot, ord);
        }
        return all ? ord -> !s.isDeleted(ord) && accept.accept(ord)
                : ord -> !s.isDeleted(ord) && s.hasVector(slot, ord) && accept.accept(ord);
    }

}
