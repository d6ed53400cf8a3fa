package io.vectorflow.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.search.Budget;
import io.vectorflow.core.search.ExactSearch;
import io.vectorflow.core.search.OrdinalFilter;
import io.vectorflow.core.search.SearchResults;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.engine.filter.KeyPath;
import io.vectorflow.engine.index.FieldType;
import io.vectorflow.engine.index.PayloadIndexes;
import io.vectorflow.engine.perf.CostModel;
import io.vectorflow.engine.perf.RecallSampler;
import io.vectorflow.engine.perf.Tracing;
import io.vectorflow.storage.CollectionStore;
import io.vectorflow.storage.PointId;
import io.vectorflow.storage.segment.MutableSegment;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.segment.Segment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.roaringbitmap.RoaringBitmap;

/**
 * A named set of points of one dimension and metric, backed by a {@link CollectionStore}. Every
 * method is safe to call from many threads. Writes return once durable (per the collection's
 * durability) and are visible to every read that starts after they return.
 */
public final class Collection {

    /** Largest page or result size a single call returns. */
    public static final int MAX_LIMIT = 100_000;
    /** Most hits (limit + offset, over every search) one batch of searches may ask for. */
    public static final int MAX_BATCH_RESULTS = 100_000;
    /** Filter tests between two looks at the request's budget (payload tests cost microseconds). */
    private static final int BUDGET_EVERY = 64;

    private final CollectionConfig config;
    private final CollectionStore store;
    private final Metric metric;
    private final PayloadIndexes payloadIndexes;
    private final QueryPlanner planner;
    private final RecallSampler sampler;
    private final CostModel prices;
    /** Most payload and vector bytes one answer may carry (see {@link Database.Options#maxResultBytes}). */
    private final long maxResultBytes;
    /**
     * Writes that replace whole points take it shared (they still group-commit together); a
     * payload update, which reads points and writes them back, takes it exclusively so no write
     * to the same points slips in between.
     */
    private final ReadWriteLock updates = new ReentrantReadWriteLock();

    Collection(CollectionConfig config, CollectionStore store, PayloadIndexes payloadIndexes, RecallSampler sampler,
               CostModel prices, long maxResultBytes) {
        this.config = config;
        this.store = store;
        this.metric = config.metricImpl();
        this.payloadIndexes = payloadIndexes;
        this.sampler = sampler;
        this.prices = prices;
        this.maxResultBytes = maxResultBytes;
        this.planner = new QueryPlanner(payloadIndexes);
    }

    /**
     * What an answer may still carry, in payload and vector bytes: counted as records are read,
     * so a request for more than the server can hold fails with a 4xx naming the field instead
     * of exhausting the heap.
     */
    private final class ResultBytes {
        private final String field;
        private long used;

        ResultBytes(String field) {
            this.field = field;
        }

        void add(long bytes) {
            used += bytes;
            if (used > maxResultBytes) {
                throw new IllegalArgumentException("the answer would carry more than " + (maxResultBytes >> 20)
                        + " MiB of payloads and vectors; ask for fewer points (" + field + ") or leave out payloads or vectors");
            }
        }

        Record record(Segment s, int ord, boolean withPayload, boolean withVector) {
            byte[] payload = withPayload ? s.payload(ord) : null;
            add((payload == null ? 0 : payload.length) + (withVector ? 4L * config.dimension() : 0));
            return new Record(s.id(ord), payload == null ? null : Json.decode(payload), withVector ? s.vector(ord) : null);
        }
    }

    public CollectionConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** Why the collection takes no writes (a damaged log, a failed write), or null. */
    public String readOnlyReason() {
        return store.readOnlyReason();
    }

    /** What replaying the log found when the collection opened. */
    public String recoveryReport() {
        var r = store.recovery();
        return "replayed " + r.replayed() + " log records" + (r.cutBytes() > 0 ? ", cut a torn tail of " + r.cutBytes() + " bytes"
                + (r.discarded() > 0 ? " holding " + r.discarded() + " valid-looking unacknowledged records" : "") : "")
                + (r.damage() != null ? ", damage: " + r.damage() : "");
    }

    /**
     * Inserts or replaces points, as one durable write.
     *
     * @throws IllegalArgumentException naming the point and field for a missing id, wrong
     *         dimension, NaN or infinite component
     */
    public void upsert(List<Point> points) {
        List<CollectionStore.PointRecord> records = new ArrayList<>(points.size());
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            if (p == null || p.id() == null) {
                throw new IllegalArgumentException("points[" + i + "].id is required");
            }
            checkVector("points[" + i + "].vector", p.vector());
            records.add(new CollectionStore.PointRecord(p.id(), p.vector(), Json.encode(p.payload(), "points[" + i + "].payload")));
        }
        io.opentelemetry.api.trace.Span span = Tracing.start("upsert");
        try (var scope = Tracing.enter(span)) {
            if (span != null) {
                span.setAttribute("collection", name()).setAttribute("points", records.size());
            }
            updates.readLock().lock();
            io.opentelemetry.api.trace.Span wal = Tracing.start("wal.write");
            try {
                store.upsert(records);
            } finally {
                Tracing.end(wal);
                updates.readLock().unlock();
            }
        } finally {
            Tracing.end(span);
        }
    }

    /**
     * Changes the payloads of existing points, as one durable write: with {@code replace}, each
     * payload becomes {@code payload}; otherwise {@code payload}'s top-level keys are set (or,
     * with {@code key}, set inside the object at that key path, created if missing). Points are
     * those with the given ids, or those matching the filter; ids that do not exist are ignored.
     * Returns how many points changed.
     */
    public int setPayload(List<PointId> ids, Filter filter, ObjectNode payload, boolean replace, String key) {
        String[] path = key == null ? null : KeyPath.parse(key, "key");
        String field = key == null ? "payload" : "payload under key '" + key + "'";
        return rewritePayloads(ids, filter, field, current -> {
            if (replace && key == null) {
                return payload.deepCopy();
            }
            ObjectNode target = current;
            if (path != null) {
                for (String part : path) {
                    target = target.get(part) instanceof ObjectNode o ? o : target.putObject(part);
                }
            }
            if (replace) {
                target.removeAll();
            }
            target.setAll(payload.deepCopy());
            return current;
        });
    }

    /** Removes top-level payload keys (or, with an empty list, every key) of the selected points. */
    public int deletePayloadKeys(List<PointId> ids, Filter filter, List<String> keys) {
        List<String[]> paths = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            paths.add(KeyPath.parse(keys.get(i), "keys[" + i + "]"));
        }
        return rewritePayloads(ids, filter, "payload", current -> {
            if (paths.isEmpty()) {
                current.removeAll();
            } else {
                for (String[] path : paths) {
                    removePath(current, path, 0);
                }
            }
            return current;
        });
    }

    private static void removePath(ObjectNode node, String[] path, int depth) {
        if (depth == path.length - 1) {
            node.remove(path[depth]);
        } else if (node.get(path[depth]) instanceof ObjectNode child) {
            removePath(child, path, depth + 1);
        }
    }

    private int rewritePayloads(List<PointId> ids, Filter filter, String field,
                                java.util.function.UnaryOperator<ObjectNode> change) {
        updates.writeLock().lock();
        try {
            List<PointId> selected = ids != null ? ids : matchingIds(filter);
            int changed = 0;
            for (int from = 0; from < selected.size(); from += 10_000) {
                List<CollectionStore.PointRecord> batch = new ArrayList<>();
                for (PointId id : selected.subList(from, Math.min(selected.size(), from + 10_000))) {
                    CollectionStore.Location loc = store.find(id);
                    if (loc != null) {
                        ObjectNode next = change.apply(Json.decode(loc.segment().payload(loc.ordinal())));
                        batch.add(new CollectionStore.PointRecord(id, loc.segment().vector(loc.ordinal()), Json.encode(next, field)));
                    }
                }
                if (!batch.isEmpty()) {
                    store.upsert(batch);
                    changed += batch.size();
                }
            }
            return changed;
        } finally {
            updates.writeLock().unlock();
        }
    }

    /**
     * Replaces the vectors of existing points, keeping their payloads, as one durable write; all
     * or nothing.
     *
     * @throws NotFoundException naming the first id that does not exist (nothing is written)
     */
    public void updateVectors(List<Point> points) {
        updates.writeLock().lock();
        try {
            List<CollectionStore.PointRecord> batch = new ArrayList<>(points.size());
            for (int i = 0; i < points.size(); i++) {
                Point p = points.get(i);
                checkVector("points[" + i + "].vector", p.vector());
                CollectionStore.Location loc = store.find(p.id());
                if (loc == null) {
                    throw new NotFoundException("points[" + i + "]: no point with id " + p.id() + " in collection '" + name() + "'");
                }
                batch.add(new CollectionStore.PointRecord(p.id(), p.vector(), loc.segment().payload(loc.ordinal())));
            }
            store.upsert(batch);
        } finally {
            updates.writeLock().unlock();
        }
    }

    /**
     * Calls {@code action} with the id, and the payload when asked, of every live point matching
     * {@code filter} (null: every point), within the request's budget: facets and orderings read
     * the collection this way.
     */
    public void forEachMatching(Filter filter, boolean withPayload, java.util.function.BiConsumer<PointId, ObjectNode> action) {
        Filter f = filter == null ? new Filter(null, null, null) : filter;
        forEachMatch(f, (s, o) -> action.accept(s.id(o), withPayload ? Json.decode(s.payload(o)) : null));
    }

    private List<PointId> matchingIds(Filter filter) {
        List<PointId> ids = new ArrayList<>();
        forEachMatch(filter, (s, o) -> ids.add(s.id(o)));
        return ids;
    }

    /**
     * Every live point the filter matches, segment by segment: from the payload-index bitmaps
     * where they cover the filter (testing payloads only when the bitmaps are a superset), by a
     * payload test of every point otherwise. Count, delete by filter and payload updates share it.
     */
    private void forEachMatch(Filter filter, java.util.function.ObjIntConsumer<Segment> match) {
        Budget budget = Budget.current();
        for (Segment s : store.view().all()) {
            PayloadIndexes.Estimate est = payloadIndexes.candidates(s, filter);
            int size = s.size();
            int from = 0;
            if (est.bits() != null) {
                var it = est.bits().getIntIterator();
                for (int seen = 0; it.hasNext(); seen++) {
                    int o = it.next();
                    if ((seen & (BUDGET_EVERY - 1)) == BUDGET_EVERY - 1) {
                        budget.check();
                    }
                    if (o < size && !s.isDeleted(o) && (est.exact() || matches(s, o, filter))) {
                        match.accept(s, o);
                    }
                }
                from = Math.min(est.coveredUpTo(), size);
            }
            for (int o = from; o < size; o++) {
                if ((o & (BUDGET_EVERY - 1)) == BUDGET_EVERY - 1) {
                    budget.check();
                }
                if (!s.isDeleted(o) && matches(s, o, filter)) {
                    match.accept(s, o);
                }
            }
        }
    }

    /**
     * Indexes a payload field (keyword, integer, float or bool) so filters on it are counted
     * exactly and answered from bitmaps; builds the index over the stored points before returning.
     */
    public void createPayloadIndex(String key, FieldType type) {
        try {
            payloadIndexes.create(key, type, store.view().all());
        } catch (IOException e) {
            throw new io.vectorflow.storage.StorageException("cannot save the payload index of '" + key + "': " + e, e);
        }
    }

    /** Drops a payload index; returns whether there was one. */
    public boolean dropPayloadIndex(String key) {
        try {
            return payloadIndexes.drop(key);
        } catch (IOException e) {
            throw new io.vectorflow.storage.StorageException("cannot drop the payload index of '" + key + "': " + e, e);
        }
    }

    /** Indexed payload fields with their types. */
    public Map<String, FieldType> payloadSchema() {
        return payloadIndexes.schema();
    }

    /** Points with a value in an indexed field (deleted ones not yet compacted away included). */
    public long payloadIndexPoints(String key) {
        return payloadIndexes.points(key, store.view().all());
    }

    /** Recall estimates of this collection's searches, keyed "strategy ef range". */
    public Map<String, RecallSampler.Estimate> recallEstimates() {
        return sampler.estimates(name());
    }

    /**
     * Evicts the pages of every segment searched in place from memory (mapping and page cache),
     * so the next searches read from disk: for cold-cache benchmarks and tests. Returns how many
     * segments it dropped; segments loaded into memory are left alone.
     */
    public int dropPageCache() {
        int dropped = 0;
        for (SealedSegment s : store.view().sealed()) {
            if (s.dropPageCache()) {
                dropped++;
            }
        }
        return dropped;
    }

    private void checkVector(String field, float[] v) {
        if (v == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (v.length != config.dimension()) {
            throw new IllegalArgumentException(field + " has dimension " + v.length + ", collection '" + name()
                    + "' expects " + config.dimension());
        }
        for (int j = 0; j < v.length; j++) {
            if (!Float.isFinite(v[j])) {
                throw new IllegalArgumentException(field + "[" + j + "] is " + v[j] + "; components must be finite numbers");
            }
        }
    }

    /** Deletes points by id; returns how many existed. */
    public int delete(List<PointId> ids) {
        updates.readLock().lock();
        try {
            return store.delete(ids);
        } finally {
            updates.readLock().unlock();
        }
    }

    /** Deletes every point the filter matches, as one durable write (all or nothing); returns how many. */
    public int delete(Filter filter) {
        return delete(matchingIds(filter));
    }

    /** The points with these ids that exist, in the order asked. */
    public List<Record> get(List<PointId> ids, boolean withPayload, boolean withVector) {
        List<Record> out = new ArrayList<>(ids.size());
        ResultBytes result = new ResultBytes("ids");
        for (PointId id : ids) {
            CollectionStore.Location loc = store.find(id);
            if (loc != null) {
                out.add(result.record(loc.segment(), loc.ordinal(), withPayload, withVector));
            }
        }
        return out;
    }

    /**
     * Exact scores of the points with these ids against {@code query} (raw; the metric prepares
     * it), for those that exist and match {@code filter}: how a query re-ranks the candidates of
     * its prefetches. Scores are as {@link #search} reports them; no payloads or vectors.
     */
    public List<ScoredPoint> score(List<PointId> ids, float[] query, Filter filter) {
        if (query.length != config.dimension()) {
            throw new IllegalArgumentException("the query vector has dimension " + query.length + ", collection '" + name()
                    + "' expects " + config.dimension());
        }
        float[] q = metric.prepare(query);
        List<ScoredPoint> out = new ArrayList<>(ids.size());
        Budget budget = Budget.current();
        int n = 0;
        for (PointId id : ids) {
            if ((++n & (BUDGET_EVERY - 1)) == 0) {
                budget.check();
            }
            CollectionStore.Location loc = store.find(id);
            if (loc != null && matches(loc.segment(), loc.ordinal(), filter)) {
                out.add(new ScoredPoint(id, metric.score(metric.distance(q, loc.segment().vector(loc.ordinal()))), null, null));
            }
        }
        return out;
    }

    static boolean matches(Segment s, int ord, Filter filter) {
        return filter == null || filter.test(s.id(ord), filter.needsPayload() ? Json.decode(s.payload(ord)) : null);
    }

    /** Points (matching the filter, if any). Counts exactly, from payload-index bitmaps where they cover the filter. */
    public long count(Filter filter) {
        if (filter == null) {
            long n = 0;
            for (Segment s : store.view().all()) {
                n += s.liveCount();
            }
            return n;
        }
        long[] n = {0};
        forEachMatch(filter, (s, o) -> n[0]++);
        return n[0];
    }

    /**
     * Points in id order (numbers, then UUIDs), starting at {@code offset} (inclusive; null for the
     * first), at most {@code limit}, matching the filter if one is given.
     */
    public ScrollPage scroll(PointId offset, int limit, Filter filter, boolean withPayload, boolean withVector) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        record Cursor(Segment segment, PrimitiveIterator.OfInt it, int ordinal, PointId id) {}
        PriorityQueue<Cursor> heads = new PriorityQueue<>(Comparator.comparing(Cursor::id));
        for (Segment s : store.view().all()) {
            PrimitiveIterator.OfInt it = s.ordinalsInIdOrder(offset);
            if (it.hasNext()) {
                int o = it.nextInt();
                heads.add(new Cursor(s, it, o, s.id(o)));
            }
        }
        List<Record> page = new ArrayList<>();
        ResultBytes result = new ResultBytes("limit");
        Budget budget = Budget.current();
        PointId last = null;
        for (long seen = 0; !heads.isEmpty(); seen++) {
            if ((seen & (BUDGET_EVERY - 1)) == BUDGET_EVERY - 1) {
                budget.check();
            }
            Cursor c = heads.poll();
            if (c.it().hasNext()) {
                int o = c.it().nextInt();
                heads.add(new Cursor(c.segment(), c.it(), o, c.segment().id(o)));
            }
            if (c.id().equals(last) || c.segment().isDeleted(c.ordinal()) || !matches(c.segment(), c.ordinal(), filter)) {
                continue;
            }
            if (page.size() == limit) {
                return new ScrollPage(page, c.id());
            }
            last = c.id();
            page.add(result.record(c.segment(), c.ordinal(), withPayload, withVector));
        }
        return new ScrollPage(page, null);
    }

    /**
     * The nearest points to the query, with how the search went. Each segment is planned on its
     * own by the {@link QueryPlanner} (graph, filtered graph, or an exact scan of the points that
     * can match, from payload-index counts or a sample) and the results merged. When a filtered
     * walk of a segment returns fewer than {@code limit} points while more may match, that
     * segment is scanned exactly instead. Points written but not yet linked into the graph are
     * always scanned exactly, so every acknowledged write is found.
     */
    public SearchResult search(SearchRequest request) {
        io.opentelemetry.api.trace.Span span = Tracing.start("search");
        try (var scope = Tracing.enter(span)) {
            SearchResult r = search(request, true, new ResultBytes("limit"));
            if (span != null) {
                span.setAttribute("collection", name()).setAttribute("limit", request.limit()).setAttribute("ef", request.ef())
                        .setAttribute("strategy", r.strategy()).setAttribute("vectors_scanned", r.vectorsScanned());
            }
            return r;
        } finally {
            Tracing.end(span);
        }
    }

    /**
     * Several searches, answered in order. Together they may ask for at most
     * {@value #MAX_BATCH_RESULTS} hits (limit + offset, summed) and their answers share one
     * bound on payload and vector bytes.
     *
     * @throws IllegalArgumentException naming {@code searches} when the batch asks for too much
     */
    public List<SearchResult> searchBatch(List<SearchRequest> requests) {
        long total = 0;
        for (SearchRequest r : requests) {
            total += r.depth();
        }
        if (total > MAX_BATCH_RESULTS) {
            throw new IllegalArgumentException("searches ask for " + total + " hits in all (limit + offset, summed over the batch);"
                    + " at most " + MAX_BATCH_RESULTS + " per batch");
        }
        ResultBytes shared = new ResultBytes("searches[].limit");
        List<SearchResult> out = new ArrayList<>(requests.size());
        for (SearchRequest r : requests) {
            io.opentelemetry.api.trace.Span span = Tracing.start("search");
            try (var scope = Tracing.enter(span)) {
                out.add(search(r, true, shared));
            } finally {
                Tracing.end(span);
            }
        }
        return out;
    }

    private SearchResult search(SearchRequest request, boolean sample, ResultBytes result) {
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        checkVector("vector", request.vector());
        Filter filter = request.filter();
        int k = request.depth();
        int ef = request.ef() > 0 ? request.ef() : Math.max(k, io.vectorflow.core.hnsw.HnswIndex.DEFAULT_EF_SEARCH);
        ObjectNode explain = request.explain() ? Json.MAPPER.createObjectNode() : null;
        var segmentsExplained = explain == null ? null : explain.putArray("segments");
        record Hit(Segment segment, int ordinal, float distance) {}
        List<Segment> segments = store.view().all();
        List<Hit> hits = new ArrayList<>(Math.min(1 << 16, k * segments.size()));
        long scanned = 0;
        int searched = 0;
        double residentReads = 0;
        double diskReads = 0;
        double graphBytes = 0;
        long dominantPoints = -1;
        QueryPlanner.Strategy dominant = filter == null && !request.exact() ? QueryPlanner.Strategy.HNSW : QueryPlanner.Strategy.EXACT;
        long exactFloor = config.indexingThresholdKb() <= 0 ? 0 : config.indexingThresholdKb() * 1024L / (4L * config.dimension());
        SearchResults out = new SearchResults(k);
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
            OrdinalFilter accept = acceptor(s, filter, plan);
            Residency probe = Residency.of(s);
            out.probe(probe);
            int tailFrom = s instanceof MutableSegment m ? m.indexedPrefix() : s.size();
            long segmentEvals = 0;
            boolean graph = plan.strategy() != QueryPlanner.Strategy.EXACT;
            if (graph) {
                s.index().search(request.vector(), k, ef, accept, out);
                graphBytes += out.visitedNodes() * 8.0 * config.m();
                if (filter != null && out.size() < k && s.liveCount() > out.size()) {
                    segmentEvals += out.distanceEvaluations();
                    graph = false; // too few found: the filter is more selective than estimated
                    if (why != null) {
                        why.put("fallback", "the filtered walk found " + out.size() + " of " + k + "; scanned exactly");
                    }
                }
            }
            if (!graph) {
                exact(s, request.vector(), k, plan, accept, probe, out);
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
                exactRange(s, request.vector(), k, tailFrom, accept, out);
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
            byte[] raw = request.withPayload() ? h.segment().payload(h.ordinal()) : null;
            result.add((raw == null ? 0 : raw.length) + (request.withVector() ? 4L * config.dimension() : 0));
            ObjectNode payload = raw == null ? null : Json.decode(raw);
            float[] vector = request.withVector() ? h.segment().vector(h.ordinal()) : null;
            points.add(new ScoredPoint(id, score, payload, vector));
        }
        Tracing.end(merge);
        String strategy = dominant.apiName();
        RecallSampler.Estimate recall = dominant == QueryPlanner.Strategy.EXACT ? new RecallSampler.Estimate(1, 0)
                : sampler.estimate(name(), strategy, ef);
        if (sample && dominant != QueryPlanner.Strategy.EXACT && !approximate.isEmpty()) {
            SearchRequest exactRequest = request.withExact(true).withPayload(false).withVectors(false).withExplain(false)
                    .withLimit(k).withPaging(0, null);
            sampler.maybeSample(name(), strategy, ef, () -> recallPermille(approximate, exactRequest));
        }
        if (explain != null && filter != null) {
            var suggest = explain.putObject("suggested_payload_indexes");
            QueryPlanner.missingIndexes(filter, payloadIndexes.schema()).forEach(suggest::put);
        }
        long cpuNanos = Math.max(0, CPU.getCurrentThreadCpuTime() - cpuStart);
        double vectorBytes = 4.0 * config.dimension();
        double memoryBytes = residentReads * vectorBytes + graphBytes;
        double diskBytes = diskReads * Math.max(vectorBytes, PAGE_BYTES);
        double hitRate = scanned == 0 ? 1 : residentReads / (residentReads + diskReads);
        return new SearchResult(points, System.nanoTime() - start, scanned, searched, strategy, hitRate,
                prices.estimate(cpuNanos, memoryBytes, diskBytes), recall, explain);
    }

    private static final long PAGE_BYTES = 4096;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    /** Recall of the approximate ids against an exact search, in thousandths; -1 if nothing matches. */
    private int recallPermille(List<PointId> approximate, SearchRequest exactRequest) {
        SearchResult truth = search(exactRequest, false, new ResultBytes("limit"));
        if (truth.points().isEmpty()) {
            return -1;
        }
        java.util.Set<PointId> expected = new java.util.HashSet<>();
        truth.points().forEach(p -> expected.add(p.id()));
        long found = approximate.stream().filter(expected::contains).count();
        return (int) Math.round(1000.0 * found / expected.size());
    }

    /** The filter test for one segment under a plan: bitmap membership, payload test, or both. */
    private OrdinalFilter acceptor(Segment s, Filter filter, QueryPlanner.Plan plan) {
        if (filter == null) {
            return null;
        }
        RoaringBitmap bits = plan.candidates();
        OrdinalFilter test = budgeted(ord -> matches(s, ord, filter));
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
    private void exact(Segment s, float[] query, int k, QueryPlanner.Plan plan, OrdinalFilter accept, Residency probe,
                       SearchResults out) {
        int n = s.size();
        OrdinalFilter live = accept == null ? ord -> !s.isDeleted(ord) : ord -> !s.isDeleted(ord) && accept.accept(ord);
        if (plan.candidates() == null) {
            if (probe != null) {
                probe.sampleRange(0, n);
            }
            new ExactSearch(s.vectors(), metric).search(query, k, 0, n, live, out);
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
        new ExactSearch(s.vectors(), metric).search(query, k, ords, count, live, out);
    }

    /** Exact top k of a segment's live, accepted points from ordinal {@code from} on. */
    private void exactRange(Segment s, float[] query, int k, int from, OrdinalFilter accept, SearchResults out) {
        int n = s.size(); // a point being appended may already be in the vector store: not yet readable
        OrdinalFilter live = accept == null ? ord -> !s.isDeleted(ord) : ord -> !s.isDeleted(ord) && accept.accept(ord);
        new ExactSearch(s.vectors(), metric).search(query, k, from, n, live, out);
    }

    /** Seals the in-memory segment now, so its points are in mapped files and the log is trimmed. */
    public void flush() {
        store.flush();
    }

    /** Segments currently searched, the mutable one included. */
    public int segmentCount() {
        return store.view().all().size();
    }

    /** Bytes of the collection's files. */
    public long bytesOnDisk() {
        return store.bytesOnDisk();
    }

    /** Bytes the collection holds in memory for its segments not yet sealed (vectors, graphs, ids, payloads). */
    public long bytesInMemory() {
        return store.bytesInMemory();
    }

    /** The storage engine under this collection (segments, log), for tools and tests. */
    public CollectionStore store() {
        return store;
    }

    /** Closes the collection, sealing what it holds in memory if that is done by {@code deadlineNanos}. */
    void close(long deadlineNanos) {
        store.close(deadlineNanos);
    }

    /** Stops and unmaps the collection without writing anything more (it is being dropped). */
    void discard() {
        store.discard();
    }
}
