package io.vectorflow.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.search.ExactSearch;
import io.vectorflow.core.search.OrdinalFilter;
import io.vectorflow.core.search.SearchResults;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.storage.CollectionStore;
import io.vectorflow.storage.PointId;
import io.vectorflow.storage.segment.MutableSegment;
import io.vectorflow.storage.segment.Segment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.PriorityQueue;

/**
 * A named set of points of one dimension and metric, backed by a {@link CollectionStore}. Every
 * method is safe to call from many threads. Writes return once durable (per the collection's
 * durability) and are visible to every read that starts after they return.
 */
public final class Collection {

    /** Largest page or result size a single call returns. */
    public static final int MAX_LIMIT = 100_000;

    private final CollectionConfig config;
    private final CollectionStore store;
    private final Metric metric;

    Collection(CollectionConfig config, CollectionStore store) {
        this.config = config;
        this.store = store;
        this.metric = config.metricImpl();
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
            records.add(new CollectionStore.PointRecord(p.id(), p.vector(), Json.encode(p.payload())));
        }
        store.upsert(records);
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
        return store.delete(ids);
    }

    /** Deletes every point the filter matches; returns how many. */
    public int delete(Filter filter) {
        List<PointId> ids = new ArrayList<>();
        for (Segment s : store.view().all()) {
            for (int o = 0; o < s.size(); o++) {
                if (!s.isDeleted(o) && matches(s, o, filter)) {
                    ids.add(s.id(o));
                }
            }
        }
        int deleted = 0;
        for (int from = 0; from < ids.size(); from += 10_000) {
            deleted += store.delete(ids.subList(from, Math.min(ids.size(), from + 10_000)));
        }
        return deleted;
    }

    /** The points with these ids that exist, in the order asked. */
    public List<Record> get(List<PointId> ids, boolean withPayload, boolean withVector) {
        List<Record> out = new ArrayList<>(ids.size());
        for (PointId id : ids) {
            CollectionStore.Location loc = store.find(id);
            if (loc != null) {
                out.add(record(loc.segment(), loc.ordinal(), withPayload, withVector));
            }
        }
        return out;
    }

    private static Record record(Segment s, int ord, boolean withPayload, boolean withVector) {
        return new Record(s.id(ord), withPayload ? Json.decode(s.payload(ord)) : null, withVector ? s.vector(ord) : null);
    }

    private static boolean matches(Segment s, int ord, Filter filter) {
        return filter == null || filter.test(s.id(ord), filter.needsPayload() ? Json.decode(s.payload(ord)) : null);
    }

    /** Points (matching the filter, if any). Counts exactly. */
    public long count(Filter filter) {
        long n = 0;
        for (Segment s : store.view().all()) {
            if (filter == null) {
                n += s.liveCount();
                continue;
            }
            for (int o = 0; o < s.size(); o++) {
                if (!s.isDeleted(o) && matches(s, o, filter)) {
                    n++;
                }
            }
        }
        return n;
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
        PointId last = null;
        while (!heads.isEmpty()) {
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
            page.add(record(c.segment(), c.ordinal(), withPayload, withVector));
        }
        return new ScrollPage(page, null);
    }

    /**
     * The nearest points to the query. Every segment is searched (its graph walked with the
     * filter applied as nodes enter the result set; deleted points are skipped) and the results
     * merged. When a filtered walk of a segment returns fewer than {@code limit} points while the
     * segment has more live points, the filter is selective enough that the graph may not reach
     * its matches, so that segment is scanned exactly instead.
     */
    public SearchResult search(SearchRequest request) {
        long start = System.nanoTime();
        checkVector("vector", request.vector());
        if (request.limit() > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be at most " + MAX_LIMIT + ", got " + request.limit());
        }
        Filter filter = request.filter();
        int k = request.limit();
        int ef = request.ef() > 0 ? request.ef() : Math.max(k, io.vectorflow.core.hnsw.HnswIndex.DEFAULT_EF_SEARCH);
        record Hit(Segment segment, int ordinal, float distance) {}
        List<Segment> segments = store.view().all();
        List<Hit> hits = new ArrayList<>(k * segments.size());
        long scanned = 0;
        int searched = 0;
        boolean fellBack = false;
        SearchResults out = new SearchResults(k);
        for (Segment s : segments) {
            if (s.size() == 0) {
                continue;
            }
            searched++;
            OrdinalFilter accept = filter == null ? null : ord -> matches(s, ord, filter);
            int tailFrom = s instanceof MutableSegment m ? m.indexedPrefix() : s.size();
            if (request.exact()) {
                exact(s, request.vector(), k, 0, accept, out);
                tailFrom = s.size();
            } else {
                s.index().search(request.vector(), k, ef, accept, out);
                if (filter != null && out.size() < k && s.liveCount() > out.size()) {
                    scanned += out.distanceEvaluations();
                    exact(s, request.vector(), k, 0, accept, out);
                    fellBack = true;
                    tailFrom = s.size();
                }
            }
            scanned += out.distanceEvaluations();
            for (int i = 0; i < out.size(); i++) {
                hits.add(new Hit(s, out.ordinal(i), out.distance(i)));
            }
            if (tailFrom < s.size()) {
                // Written but perhaps not yet in the graph: scan exactly, skip what the walk found.
                java.util.Set<Integer> found = new java.util.HashSet<>();
                for (int i = 0; i < out.size(); i++) {
                    found.add(out.ordinal(i));
                }
                exact(s, request.vector(), k, tailFrom, accept, out);
                scanned += out.distanceEvaluations();
                for (int i = 0; i < out.size(); i++) {
                    if (!found.contains(out.ordinal(i))) {
                        hits.add(new Hit(s, out.ordinal(i), out.distance(i)));
                    }
                }
            }
        }
        hits.sort(Comparator.comparingDouble(Hit::distance));
        List<ScoredPoint> points = new ArrayList<>(Math.min(k, hits.size()));
        java.util.Set<PointId> returned = new java.util.HashSet<>();
        for (int i = 0; i < hits.size() && points.size() < k; i++) {
            Hit h = hits.get(i);
            if (!returned.add(h.segment().id(h.ordinal()))) {
                continue; // a point being replaced can, for an instant, be live in two segments
            }
            ObjectNode payload = request.withPayload() ? Json.decode(h.segment().payload(h.ordinal())) : null;
            float[] vector = request.withVector() ? h.segment().vector(h.ordinal()) : null;
            points.add(new ScoredPoint(h.segment().id(h.ordinal()), metric.score(h.distance()), payload, vector));
        }
        String strategy = request.exact() ? "exact" : filter == null ? "hnsw" : fellBack ? "filtered_hnsw+exact" : "filtered_hnsw";
        return new SearchResult(points, System.nanoTime() - start, scanned, searched, strategy);
    }

    /** Exact top k of a segment's live points from ordinal {@code from} on. */
    private void exact(Segment s, float[] query, int k, int from, OrdinalFilter accept, SearchResults out) {
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
        try {
            return store.bytesOnDisk();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The storage engine under this collection (segments, log), for tools and tests. */
    public CollectionStore store() {
        return store;
    }

    void close() {
        store.close();
    }
}
