package io.vectorflow.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.vectorflow.storage.PointRecord;
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
    private final PayloadIndexes payloadIndexes;
    private final RecallSampler sampler;
    /** The name this collection's recall estimates go under: its own, or {@code tenant/name} outside the default tenant. */
    private final String statsKey;
    private final WriteQuota quota;
    private final VectorSlots slots;
    private final CollectionSearch searcher;
    private final Quantizer quantizer;
    private final CostModel prices;
    /** Most payload and vector bytes one answer may carry (see {@link Database.Options#maxResultBytes}). */
    private final long maxResultBytes;
    /**
     * Writes that replace whole points take it shared (they still group-commit together); a
     * payload update, which reads points and writes them back, takes it exclusively so no write
     * to the same points slips in between.
     */
    private final ReadWriteLock updates = new ReentrantReadWriteLock();
    private final SegmentAccess access = new SegmentAccess();

    /** Called before each write that may add points, with their number; throws {@link QuotaExceededException} to refuse it. */
    interface WriteQuota {
        WriteQuota NONE = added -> { };

        void admit(int added);
    }

    Collection(CollectionConfig config, CollectionStore store, PayloadIndexes payloadIndexes, RecallSampler sampler,
               String statsKey, CostModel prices, long maxResultBytes, io.vectorflow.storage.io.Disk disk, WriteQuota quota) {
        this.quota = quota;
        this.config = config;
        this.store = store;
        this.payloadIndexes = payloadIndexes;
        this.sampler = sampler;
        this.statsKey = statsKey;
        this.maxResultBytes = maxResultBytes;
        this.slots = new VectorSlots(config);
        this.quantizer = new Quantizer(config, store, disk);
        this.prices = prices;
        this.searcher = new CollectionSearch(config, store, payloadIndexes, sampler, statsKey, prices, slots, maxResultBytes, quantizer,
                access, this::restore);
        quantizer.start();
    }

    /**
     * Whether every sealed segment has the quantized codes the collection's setting asks for
     * (true without quantization); they are built in the background after a change.
     */
    public boolean quantizationComplete() {
        return quantizer.complete();
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
        List<PointRecord> records = new ArrayList<>(points.size());
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            if (p == null || p.id() == null) {
                throw new IllegalArgumentException("points[" + i + "].id is required");
            }
            records.add(slots.record(p, i, Json.encode(p.payload(), "points[" + i + "].payload")));
        }
        quota.admit(records.size());
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
     * Changes the payloads of existing points, in durable writes of up to 10,000 points: with {@code replace}, each
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
        return rewritePoints(ids, filter, (id, loc) -> slots.rewrite(id, loc.segment(), loc.ordinal(),
                Json.encode(change.apply(Json.decode(loc.segment().payload(loc.ordinal()))), field), null, null));
    }

    /**
     * Writes {@code next} of each selected point that exists (by id, or those matching the
     * filter), 10,000 points per durable write, with other writes to the collection held off;
     * returns how many points were written.
     */
    private int rewritePoints(List<PointId> ids, Filter filter,
                              java.util.function.BiFunction<PointId, CollectionStore.Location, PointRecord> next) {
        updates.writeLock().lock();
        try {
            List<PointId> selected = ids != null ? ids : matchingIds(filter);
            int changed = 0;
            for (int from = 0; from < selected.size(); from += 10_000) {
                List<PointRecord> batch = new ArrayList<>();
                for (PointId id : selected.subList(from, Math.min(selected.size(), from + 10_000))) {
                    CollectionStore.Location loc = find(id);
                    if (loc != null) {
                        batch.add(next.apply(id, loc));
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
     * Replaces the vectors of existing points, keeping their payloads (and, with named vectors,
     * the vectors not given), as one durable write; all or nothing.
     *
     * @throws NotFoundException naming the first id that does not exist (nothing is written)
     */
    public void updateVectors(List<Point> points) {
        updates.writeLock().lock();
        try {
            List<PointRecord> batch = new ArrayList<>(points.size());
            for (int i = 0; i < points.size(); i++) {
                Point p = points.get(i);
                if (p == null || p.id() == null) {
                    throw new IllegalArgumentException("points[" + i + "].id is required");
                }
                PointRecord given = slots.record(p, i, new byte[0]); // checks every vector given
                CollectionStore.Location loc = find(p.id());
                if (loc == null) {
                    throw new NotFoundException("points[" + i + "]: no point with id " + p.id() + " in collection '" + name() + "'");
                }
                Vectors replace = p.named() != null ? p.named() : new Vectors(Map.of("", given.vector()), Map.of());
                batch.add(slots.rewrite(p.id(), loc.segment(), loc.ordinal(), loc.segment().payload(loc.ordinal()), replace, null));
            }
            store.upsert(batch);
        } finally {
            updates.writeLock().unlock();
        }
    }

    /**
     * Removes the named vectors {@code names} from the selected points (by id, or those matching
     * the filter), keeping everything else, in durable writes of up to 10,000 points as payload
     * updates are written; returns how many points changed.
     *
     * @throws IllegalArgumentException naming {@code vector} for a name the collection lacks, or
     *         for a collection of one unnamed vector (whose points cannot lack it)
     */
    public int deleteVectors(List<PointId> ids, Filter filter, java.util.Set<String> names) {
        if (!slots.named()) {
            throw new IllegalArgumentException("vector: the collection's one unnamed vector cannot be deleted from a point;"
                    + " delete the point instead");
        }
        slots.checkNames(names, "vector");
        return rewritePoints(ids, filter, (id, loc) -> slots.rewrite(id, loc.segment(), loc.ordinal(),
                loc.segment().payload(loc.ordinal()), null, names));
    }

    /** Whether the collection has named vectors (answers then carry vectors by name). */
    public boolean namedVectors() {
        return slots.named();
    }

    /** Whether {@code using} names one of the collection's sparse vectors. */
    public boolean isSparse(String using) {
        return slots.named() && using != null && config.vectors().sparseSlot(using) >= 0;
    }

    /** The metric of the dense vector {@code using} names (null or "": the unnamed or first one). */
    public io.vectorflow.core.metric.Metric metric(String using) {
        return slots.dense(using, "using").metric();
    }

    /** The size of the dense vector {@code using} names. */
    public int dimension(String using) {
        return slots.dense(using, "using").dimension();
    }

    /** The dense vector {@code using} names of a record read with its vectors; null when the point lacks it. */
    public float[] vectorOf(Record r, String using) {
        if (!slots.named()) {
            return r.vector();
        }
        String name = slots.dense(using, "using").name();
        return r.named() == null ? null : r.named().dense().get(name);
    }

    /**
     * The sparse vector {@code using} names of a record read with its vectors.
     *
     * @throws IllegalArgumentException when the point lacks that vector
     */
    public io.vectorflow.core.sparse.SparseVector sparseVectorOf(Record r, String using) {
        var v = r.named() == null ? null : r.named().sparse().get(using);
        if (v == null) {
            throw new IllegalArgumentException("point " + r.id() + " has no sparse vector named '" + using + "'");
        }
        return v;
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
        return sampler.estimates(statsKey);
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
        ResultBytes result = new ResultBytes("ids", maxResultBytes, slots);
        for (PointId id : ids) {
            CollectionStore.Location loc = find(id);
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
    public List<ScoredPoint> score(List<PointId> ids, float[] query, String using, Filter filter) {
        VectorSlots.Dense space = slots.dense(using, "using");
        slots.check("the query vector", query, space.dimension());
        io.vectorflow.core.metric.Metric metric = space.metric();
        float[] q = metric.prepare(query);
        List<ScoredPoint> out = new ArrayList<>(ids.size());
        Budget budget = Budget.current();
        int n = 0;
        for (PointId id : ids) {
            if ((++n & (BUDGET_EVERY - 1)) == 0) {
                budget.check();
            }
            CollectionStore.Location loc = find(id);
            float[] v = loc == null ? null : loc.segment().vector(space.slot(), loc.ordinal());
            if (v != null && matches(loc.segment(), loc.ordinal(), filter)) {
                out.add(new ScoredPoint(id, metric.score(metric.distance(q, v)), null, null));
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
        ResultBytes result = new ResultBytes("limit", maxResultBytes, slots);
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
            SearchResult r = searcher.search(request, true, new ResultBytes("limit", maxResultBytes, slots));
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
        ResultBytes shared = new ResultBytes("searches[].limit", maxResultBytes, slots);
        List<SearchResult> out = new ArrayList<>(requests.size());
        for (SearchRequest r : requests) {
            io.opentelemetry.api.trace.Span span = Tracing.start("search");
            try (var scope = Tracing.enter(span)) {
                out.add(searcher.search(r, true, shared));
            } finally {
                Tracing.end(span);
            }
        }
        return out;
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

    /**
     * What the collection holds per component, in RAM and on disk: its segments, log, codes and
     * payload indexes ({@link io.vectorflow.storage.MemoryUsage} says what counts as RAM).
     */
    public io.vectorflow.storage.MemoryUsage memoryUsage() {
        io.vectorflow.storage.MemoryUsage usage = store.usage();
        usage.ram("payload_indexes", payloadIndexes.bytesInMemory()).disk("payload_indexes", payloadIndexes.bytesOnDisk());
        return usage;
    }

    /** The prices behind cost estimates and monthly storage costs. */
    public CostModel prices() {
        return prices;
    }

    public long bytesInMemory() {
        return store.bytesInMemory();
    }

    /** Where point {@code id} is, its segment first restored when its vectors are archived. */
    private CollectionStore.Location find(PointId id) {
        CollectionStore.Location loc = store.find(id);
        if (loc != null && loc.segment() instanceof io.vectorflow.storage.segment.SealedSegment s && s.isArchived()) {
            restore(s);
            loc = store.find(id);
        }
        return loc;
    }

    /**
     * Brings an archived segment's vectors back to local disk (download and decompress) on this
     * thread; returns the nanoseconds it took.
     *
     * @throws io.vectorflow.storage.tier.TierUnavailableException when the store cannot be read
     */
    long restore(io.vectorflow.storage.segment.SealedSegment s) {
        long start = System.nanoTime();
        try {
            io.vectorflow.storage.SegmentTiers.promote(store, s);
        } catch (java.io.IOException e) {
            throw new io.vectorflow.storage.tier.TierUnavailableException("restoring archived segment " + s.number()
                    + " failed: " + e.getMessage(), e);
        }
        return System.nanoTime() - start;
    }

    /** How searches use the sealed segments, for placement. */
    SegmentAccess access() {
        return access;
    }

    /** The storage engine under this collection (segments, log), for tools and tests. */
    public CollectionStore store() {
        return store;
    }

    /** Closes the collection, sealing what it holds in memory if that is done by {@code deadlineNanos}. */
    void close(long deadlineNanos) {
        quantizer.close();
        store.close(deadlineNanos);
    }

    /** Stops and unmaps the collection without writing anything more (it is being dropped). */
    void discard() {
        quantizer.close();
        store.discard();
    }
}
