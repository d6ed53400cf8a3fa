package io.vectorflow.core.hnsw;

import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.search.Budget;
import io.vectorflow.core.search.OrdinalFilter;
import io.vectorflow.core.search.SearchResults;
import io.vectorflow.core.store.NativeMemory;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.core.util.AtomicBitSet;
import io.vectorflow.core.util.LongHeap;
import io.vectorflow.core.util.VisitedSet;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Hierarchical Navigable Small World graph (Malkov and Yashunin, 2016) over the vectors of a
 * {@link VectorStore}: approximate k-nearest-neighbour search in roughly logarithmic time.
 *
 * <h2>Layout</h2>
 * Vectors stay in the store (contiguous, off-heap or mapped). Level 0, which every search spends
 * nearly all its time in, is one flat off-heap block of {@code (1 + 2M)} ints per node: a count,
 * then up to 2M neighbour ordinals. The few nodes on higher levels (about 1 in M) keep their
 * lists in one small int array per node, {@code (1 + M)} ints per level. Searches use per-thread
 * scratch (a generation-stamped visited set and two primitive heaps packing distance and ordinal
 * in a long), shared by every index a thread searches and grown to the largest of them, so a
 * query allocates nothing.
 *
 * <h2>Growth</h2>
 * A graph built behind writes holds room for the nodes inserted, not for a configured maximum:
 * the per-node structures (level-0 block, levels, upper lists, delete bits) live in one
 * {@link Graph} object that an insert past its capacity replaces with a copy half again or twice
 * as large. Inserts and deletes hold a shared lock while they write, the copy holds it
 * exclusively, so nothing written is lost; searches take no lock, read the graph object once and
 * walk it. A graph object only ever links nodes below its capacity, and a search reads vectors
 * from the block it took after it (see {@link VectorStore}), skipping any neighbour that block
 * does not hold yet.
 *
 * <h2>Concurrency</h2>
 * {@link #insert} may run on many threads at once and alongside {@link #search}. A writer holds
 * the lock of the one node whose list it changes, never two at a time. Readers take no locks: they
 * read a list's count with acquire semantics after the writer stored it with release semantics,
 * and every ordinal ever written into a list is a node whose vector is already stored, so a reader
 * racing a writer sees an older or newer list, never an invalid node.
 *
 * <h2>Deletes and filters</h2>
 * Deleted nodes and nodes rejected by an {@link OrdinalFilter} are still traversed (the graph
 * stays connected) but never enter the result set.
 *
 * <h2>Budget</h2>
 * A search checks the current thread's {@link Budget} every {@value #BUDGET_EVERY} expanded
 * nodes and stops with a {@link io.vectorflow.core.search.BudgetExceededException} once it is spent.
 */
public final class HnswIndex {

    /** Links per node on levels above 0; level 0 allows twice as many. */
    public static final int DEFAULT_M = 16;
    /** Beam width while building. */
    public static final int DEFAULT_EF_CONSTRUCTION = 100;
    /** Beam width while searching, when the caller does not choose one. */
    public static final int DEFAULT_EF_SEARCH = 64;
    /** A search with a {@link SearchResults#probe} reports one read per 8 expanded nodes. */
    private static final int PROBE_EVERY_MASK = 7;
    /** Expanded nodes between two looks at the thread's {@link Budget}. */
    static final int BUDGET_EVERY = 64;

    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle COUNT = INT.varHandle();
    private static final VarHandle UPPER = MethodHandles.arrayElementVarHandle(int[][].class);
    private static final int LOCK_STRIPES = 1 << 12;
    /** Node locks, striped and shared by every graph in the process (a graph costs none of its own). */
    private static final Object[] LOCKS = new Object[LOCK_STRIPES];
    private static final int MAX_LEVEL = 30;
    /** Nodes the first block of a growing graph holds. */
    private static final int FIRST_BLOCK = 64;
    /** Search scratch of each thread, shared by every graph that thread searches or builds. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static {
        for (int i = 0; i < LOCKS.length; i++) {
            LOCKS[i] = new Object();
        }
    }

    final int dim;
    final Metric metric;
    final int m;
    final int m0;
    final int efConstruction;
    final long seed;
    final VectorStore vectors;
    /** Bytes from one stored vector to the next. */
    final long vectorStride;
    final long level0Stride;
    /** The current per-node structures; replaced by a larger copy as the graph grows. */
    private volatile Graph graph;
    private final boolean readOnly;
    /** Shared by inserts and deletes, exclusive while the graph is copied into a larger one. */
    private final ReentrantReadWriteLock growLock;
    private final Object entryLock = new Object();
    /** Entry point packed as {@code level << 32 | node}; -1 when the graph is empty. */
    private volatile long entry;
    private volatile int nodeCount;
    private final double levelMultiplier;
    /** Spreads this graph's nodes over the shared lock stripes differently from other graphs'. */
    private final int lockSalt = System.identityHashCode(this) << 20;

    /**
     * An empty graph over {@code vectors}, with room for as many nodes as the store holds now
     * (0 for a growing store) and growing past that as nodes are inserted. Vectors must be stored
     * in the metric's prepared form ({@link Metric#prepare}).
     */
    public HnswIndex(VectorStore vectors, Metric metric, HnswParams params) {
        this(vectors, metric, params, emptyGraph(vectors.capacity(), params.m()), -1L, 0, false);
    }

    HnswIndex(VectorStore vectors, Metric metric, HnswParams params, MemorySegment links0, byte[] levels,
              int[][] upper, AtomicBitSet deleted, long entry, int nodeCount, boolean readOnly) {
        this(vectors, metric, params, new Graph(links0, levels, upper, deleted), entry, nodeCount, readOnly);
    }

    private HnswIndex(VectorStore vectors, Metric metric, HnswParams params, Graph graph, long entry, int nodeCount,
                      boolean readOnly) {
        this.dim = vectors.dimension();
        this.metric = metric;
        this.m = params.m();
        this.m0 = 2 * params.m();
        this.efConstruction = params.efConstruction();
        this.seed = params.seed();
        this.vectors = vectors;
        this.vectorStride = vectors.offset(1);
        this.level0Stride = 4L * (1 + m0);
        this.graph = graph;
        this.entry = entry;
        this.nodeCount = nodeCount;
        this.readOnly = readOnly;
        this.growLock = readOnly ? null : new ReentrantReadWriteLock();
        this.levelMultiplier = 1.0 / Math.log(Math.max(2, m));
    }

    private static Graph emptyGraph(int capacity, int m) {
        byte[] levels = new byte[capacity];
        Arrays.fill(levels, (byte) -1);
        return new Graph(NativeMemory.allocate(4L * (1 + 2L * m) * capacity, 64), levels, new int[capacity][],
                new AtomicBitSet(capacity));
    }

    /** The current per-node structures (for the graph file and the connectivity repair). */
    Graph graph() {
        return graph;
    }

    /**
     * Copies the graph into one with room for at least {@code nodes} nodes, unless it has that
     * already. Takes the grow lock exclusively: inserts and deletes in flight finish first.
     */
    private void grow(int nodes) {
        growLock.writeLock().lock();
        try {
            Graph g = graph;
            if (nodes <= g.capacity) {
                return;
            }
            long grown = g.capacity < FIRST_BLOCK ? FIRST_BLOCK : g.capacity < (1 << 20) ? 2L * g.capacity
                    : g.capacity + (g.capacity >> 1);
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(nodes, grown));
            MemorySegment links = NativeMemory.allocate(level0Stride * capacity, 64);
            MemorySegment.copy(g.links0, 0, links, 0, level0Stride * g.capacity);
            byte[] levels = Arrays.copyOf(g.levels, capacity);
            Arrays.fill(levels, g.capacity, capacity, (byte) -1);
            graph = new Graph(links, levels, Arrays.copyOf(g.upper, capacity), g.deleted.grownTo(capacity));
        } finally {
            growLock.writeLock().unlock();
        }
    }

    /** Takes the shared grow lock with room for node {@code node}; returns the graph to write. */
    private Graph lockForWrite(int node) {
        while (true) {
            growLock.readLock().lock();
            Graph g = graph;
            if (node < g.capacity) {
                return g;
            }
            growLock.readLock().unlock();
            grow(node + 1);
        }
    }

    public VectorStore vectors() {
        return vectors;
    }

    public Metric metric() {
        return metric;
    }

    public HnswParams params() {
        return new HnswParams(m, efConstruction, seed);
    }

    public int dimension() {
        return dim;
    }

    /** Nodes inserted into the graph. */
    public int size() {
        return nodeCount;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    /** Highest level in the graph, -1 when empty. */
    public int maxLevel() {
        long e = entry;
        return e < 0 ? -1 : (int) (e >>> 32);
    }

    /** Marks a node deleted: it stays navigable but is never returned. Returns false if already deleted. */
    public boolean markDeleted(int ordinal) {
        if (readOnly) {
            return graph.deleted.set(ordinal);
        }
        Graph g = lockForWrite(ordinal);
        try {
            return g.deleted.set(ordinal);
        } finally {
            growLock.readLock().unlock();
        }
    }

    public boolean isDeleted(int ordinal) {
        Graph g = graph;
        return ordinal < g.capacity && g.deleted.get(ordinal);
    }

    /** Bytes of graph structure (not counting vectors), as allocated for the current capacity. */
    public long graphBytesUsed() {
        Graph g = graph;
        long bytes = g.links0.byteSize() + g.capacity + (g.capacity / 8L);
        for (int[] u : g.upper) {
            if (u != null) {
                bytes += 16L + 4L * u.length;
            }
        }
        return bytes;
    }

    // ---------------------------------------------------------------------------------------------
    // Search

    /** Searches with the default beam width and no filter; allocates its result. */
    public SearchResults search(float[] query, int k) {
        SearchResults out = new SearchResults(k);
        search(query, k, Math.max(k, DEFAULT_EF_SEARCH), null, out);
        return out;
    }

    /**
     * Finds the (approximately) {@code k} nearest accepted nodes to {@code query}.
     *
     * <ol>
     *   <li>Greedy descent from the entry point through the upper levels, one closest node per level.
     *   <li>Beam search on level 0 with a beam of {@code max(ef, k)}: repeatedly expand the closest
     *       unexpanded candidate, score its unvisited neighbours in one batch, keep the best.
     *   <li>Return the best {@code k} of the beam that the filter and the delete set accept.
     * </ol>
     *
     * @param query  raw query vector (the metric prepares it, e.g. normalises for cosine)
     * @param filter null to accept every live node
     * @param out    filled in place, closest first, with distances and search cost
     * @throws io.vectorflow.core.search.BudgetExceededException when the thread's {@link Budget} runs out
     */
    public void search(float[] query, int k, int ef, OrdinalFilter filter, SearchResults out) {
        if (query.length != dim) {
            throw new IllegalArgumentException("query has dimension " + query.length + ", index has " + dim);
        }
        search(query, null, k, ef, filter, out);
    }

    /**
     * As {@link #search(float[], int, int, OrdinalFilter, SearchResults)}, with every visited
     * node scored by {@code scorer} (one query's scorer over quantized codes, say) instead of by
     * the graph's float vectors, which this search then never reads. {@code out} holds the
     * scorer's distances.
     */
    public void search(NodeScorer scorer, int k, int ef, OrdinalFilter filter, SearchResults out) {
        search(null, java.util.Objects.requireNonNull(scorer, "scorer"), k, ef, filter, out);
    }

    private void search(float[] query, NodeScorer scorer, int k, int ef, OrdinalFilter filter, SearchResults out) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive: " + k);
        }
        out.reset(k);
        long e = entry;
        if (e < 0) {
            return;
        }
        int beam = Math.max(ef, k);
        Scratch s = SCRATCH.get();
        s.begin(this, beam);
        s.budget = Budget.current();
        float[] q = s.query;
        s.scorer = scorer;
        if (scorer == null) {
            metric.prepareInto(query, q);
        }
        s.probe = out.probe();
        try {
            int ep = (int) e;
            float epDist = distance(q, ep, s);
            for (int level = (int) (e >>> 32); level > 0; level--) {
                ep = greedyClosest(q, ep, epDist, level, s);
                epDist = s.greedyDistance;
            }
            searchLayer(q, ep, epDist, beam, 0, filter, true, s);
        } finally {
            s.scorer = null; // the thread's scratch outlives the search: let go of its codes
        }
        LongHeap results = s.results;
        while (results.size() > k) {
            results.pop();
        }
        for (int i = results.size() - 1; i >= 0; i--) {
            long packed = ~results.pop();
            out.set(i, LongHeap.ordinal(packed), LongHeap.distance(packed));
        }
        out.setCost(s.distanceEvaluations, s.expanded);
    }

    private float distance(float[] q, int node, Scratch s) {
        s.distanceEvaluations++;
        return s.scorer != null ? s.scorer.distance(node) : metric.distance(q, s.data, vectors.offset(node), dim);
    }

    private float distance(int a, int b) {
        MemorySegment data = vectors.segment();
        return metric.distance(data, vectors.offset(a), vectors.offset(b), dim);
    }

    /** Greedy walk on one upper level; leaves the distance of the returned node in the scratch. */
    private int greedyClosest(float[] q, int start, float startDist, int level, Scratch s) {
        int best = start;
        float bestDist = startDist;
        int[][] upper = s.graph.upper;
        int limit = s.limit;
        boolean improved = true;
        while (improved) {
            improved = false;
            int[] list = (int[]) UPPER.getAcquire(upper, best);
            int base = (level - 1) * (1 + m);
            int count = Math.min(list[base], m);
            for (int i = 1; i <= count; i++) {
                int n = list[base + i];
                if (n >= limit) {
                    continue; // linked after this search took its vector block
                }
                float d = distance(q, n, s);
                if (d < bestDist) {
                    bestDist = d;
                    best = n;
                    improved = true;
                }
            }
        }
        s.greedyDistance = bestDist;
        return best;
    }

    /**
     * Beam search on one level, leaving up to {@code ef} accepted nodes in {@code s.results}, a
     * max-heap (entries stored as {@code ~pack(distance, node)}, so the worst is on top).
     *
     * <p>The hot loop: pop the closest candidate; stop once it is farther than the worst result
     * of a full beam; otherwise gather its not-yet-visited neighbours into a batch and score them
     * back to back (independent loads the CPU can overlap, since Java has no prefetch), pushing
     * each one that beats the beam's worst. Every {@value #BUDGET_EVERY} expansions it looks at
     * the budget (a volatile read, and a clock read when it has a deadline).
     */
    private void searchLayer(float[] q, int ep, float epDist, int ef, int level, OrdinalFilter filter,
                             boolean applyDeletes, Scratch s) {
        VisitedSet visited = s.visited;
        LongHeap candidates = s.candidates;
        LongHeap results = s.results;
        MemorySegment data = s.data;
        Budget budget = s.budget;
        visited.reset(s.limit);
        candidates.clear();
        results.clear();
        seed(ep, epDist, filter, applyDeletes, s);
        long e = entry;
        if (level == 0 && e >= 0 && (int) e < s.limit && !visited.isVisited((int) e)) {
            // The entry point seeds level 0 too: connectComponents() guarantees every node is
            // reachable from it, so however the descent went, a wide enough beam finds everything.
            seed((int) e, distance(q, (int) e, s), filter, applyDeletes, s);
            while (results.size() > ef) {
                results.pop();
            }
        }
        float bound = results.size() >= ef ? LongHeap.distance(~results.peek()) : Float.POSITIVE_INFINITY;
        int[] batch = s.batch;
        while (!candidates.isEmpty()) {
            long top = candidates.peek();
            if (LongHeap.distance(top) > bound) {
                break;
            }
            candidates.pop();
            int node = LongHeap.ordinal(top);
            if ((++s.expanded & (BUDGET_EVERY - 1)) == 0) {
                budget.check();
            }
            int n = level == 0 ? unvisitedLevel0(node, visited, batch, s) : unvisitedUpper(node, level, visited, batch, s);
            // Two passes: score the whole batch first, a loop with no data-dependent branches, so
            // the CPU keeps the cache misses of several neighbours' vectors in flight at once
            // (Java has no prefetch instruction; a mispredicted heap branch between two distance
            // computations would throw that overlap away). Then update the heaps.
            float[] dists = s.batchDistances;
            if (s.probe != null && n > 0 && (s.expanded & PROBE_EVERY_MASK) == 1) {
                s.probe.beforeRead(batch[0]); // one sampled read in every PROBE_EVERY_MASK + 1 expansions
            }
            if (s.scorer == null) {
                metric.distances(q, data, vectorStride, dim, batch, n, dists);
            } else {
                s.scorer.distances(batch, n, dists);
            }
            s.distanceEvaluations += n;
            for (int i = 0; i < n; i++) {
                int nb = batch[i];
                float d = dists[i];
                if (d < bound || results.size() < ef) {
                    candidates.push(LongHeap.pack(d, nb));
                    if (accepted(nb, filter, applyDeletes, s)) {
                        if (results.size() < ef) {
                            results.push(~LongHeap.pack(d, nb));
                        } else {
                            results.replaceTop(~LongHeap.pack(d, nb)); // d < bound: evicts the worst
                        }
                        if (results.size() >= ef) {
                            bound = LongHeap.distance(~results.peek());
                        }
                    }
                }
            }
        }
    }

    private void seed(int node, float dist, OrdinalFilter filter, boolean applyDeletes, Scratch s) {
        s.visited.visit(node);
        s.candidates.push(LongHeap.pack(dist, node));
        if (accepted(node, filter, applyDeletes, s)) {
            s.results.push(~LongHeap.pack(dist, node));
        }
    }

    private static boolean accepted(int node, OrdinalFilter filter, boolean applyDeletes, Scratch s) {
        return (!applyDeletes || !s.graph.deleted.get(node)) && (filter == null || filter.accept(node));
    }

    /** Gathers {@code node}'s unvisited level-0 neighbours below the search's limit into {@code batch}. */
    private int unvisitedLevel0(int node, VisitedSet visited, int[] batch, Scratch s) {
        MemorySegment links0 = s.graph.links0;
        int limit = s.limit;
        long base = node * level0Stride;
        int count = Math.min((int) COUNT.getAcquire(links0, base), m0);
        int n = 0;
        for (int i = 1; i <= count; i++) {
            int nb = links0.get(INT, base + 4L * i);
            if (nb < limit && visited.visit(nb)) {
                batch[n++] = nb;
            }
        }
        return n;
    }

    private int unvisitedUpper(int node, int level, VisitedSet visited, int[] batch, Scratch s) {
        int[] list = (int[]) UPPER.getAcquire(s.graph.upper, node);
        int base = (level - 1) * (1 + m);
        int count = Math.min(list[base], m);
        int limit = s.limit;
        int n = 0;
        for (int i = 1; i <= count; i++) {
            int nb = list[base + i];
            if (nb < limit && visited.visit(nb)) {
                batch[n++] = nb;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------
    // Construction

    /** Appends {@code vector} to the store and inserts it; returns its ordinal. */
    public int add(float[] vector) {
        int ord = vectors.append(metric.prepare(vector));
        insert(ord);
        return ord;
    }

    /**
     * Links the stored vector {@code node} into the graph. Safe to call from many threads at once,
     * each with different nodes, and while other threads search.
     *
     * <ol>
     *   <li>Draw the node's level from a geometric distribution (a hash of seed and ordinal, so a
     *       single-threaded build is reproducible).
     *   <li>Descend greedily from the entry point to the node's level.
     *   <li>On each level from there down to 0: beam search with {@code efConstruction}, choose up
     *       to M neighbours with the diversity heuristic, link the node to them and them back to
     *       the node, re-pruning any list that overflows.
     *   <li>If the node is higher than the entry point, it becomes the entry point.
     * </ol>
     *
     * @throws OutOfMemoryError when the graph must grow and cannot; the graph is unchanged
     */
    public void insert(int node) {
        if (readOnly) {
            throw new IllegalStateException("index is read-only (loaded from a sealed file)");
        }
        if (node < 0 || node >= vectors.size()) {
            throw new IllegalArgumentException("ordinal " + node + " is not in the vector store (size " + vectors.size() + ")");
        }
        Graph g = lockForWrite(node);
        try {
            insert(node, g);
        } finally {
            growLock.readLock().unlock();
        }
    }

    /** Reserves room for {@code nodes} nodes now, so inserts up to there do not grow the graph. */
    public void reserve(int nodes) {
        if (!readOnly && nodes > graph.capacity) {
            grow(nodes);
        }
    }

    private void insert(int node, Graph g) {
        if (g.levels[node] >= 0) {
            throw new IllegalArgumentException("ordinal " + node + " is already in the graph");
        }
        int level = randomLevel(node);
        if (level > 0) {
            UPPER.setRelease(g.upper, node, new int[level * (1 + m)]);
        }
        g.levels[node] = (byte) level;

        long e = entry;
        if (e < 0) {
            synchronized (entryLock) {
                e = entry;
                if (e < 0) {
                    nodeCount++;
                    entry = ((long) level << 32) | node;
                    return;
                }
            }
        }
        Scratch s = SCRATCH.get();
        s.begin(this, efConstruction + 1);
        s.graph = g; // the graph this insert holds the lock of (at least as new as the one begin() read)
        s.budget = Budget.UNLIMITED; // building is never cut short by a request's budget
        s.probe = null; // building reads are not a query's
        float[] q = s.query;
        vectors.get(node, q);
        int entryLevel = (int) (e >>> 32);
        int ep = (int) e;
        float epDist = distance(q, ep, s);
        for (int l = entryLevel; l > level; l--) {
            ep = greedyClosest(q, ep, epDist, l, s);
            epDist = s.greedyDistance;
        }
        for (int l = Math.min(level, entryLevel); l >= 0; l--) {
            searchLayer(q, ep, epDist, efConstruction, l, null, false, s);
            int found = withoutNode(s.sorted, drainAscending(s.results, s.sorted), node);
            if (found == 0) {
                continue;
            }
            ep = LongHeap.ordinal(s.sorted[0]);
            epDist = LongHeap.distance(s.sorted[0]);
            int chosen = selectDiverse(s.sorted, found, m, s.selected);
            int maxLinks = l == 0 ? m0 : m;
            for (int i = 0; i < chosen; i++) {
                long c = s.selected[i];
                addLink(g, node, l, LongHeap.ordinal(c), maxLinks, s);
                addLink(g, LongHeap.ordinal(c), l, node, maxLinks, s);
            }
        }
        synchronized (entryLock) {
            nodeCount++;
            if (level > (int) (entry >>> 32)) {
                entry = ((long) level << 32) | node;
            }
        }
    }

    /**
     * Makes every node reachable on level 0 from every other, by adding (rarely, replacing) links:
     * the diversity heuristic can prune away a node's last incoming link, and a search that starts
     * in a part of the graph with no way out can never return what lies beyond it. Call it after a
     * bulk build and before a graph is sealed, with no {@link #insert} running; searches may run.
     *
     * @return links added or replaced
     */
    public int connectComponents() {
        if (readOnly) {
            throw new IllegalStateException("index is read-only (loaded from a sealed file)");
        }
        return new Connectivity(this).repair();
    }

    /**
     * Beam search for {@code node}'s vector on level 0 with {@code efConstruction}, descending from
     * the entry point; leaves the found nodes in {@code out}, closest first, and returns how many.
     */
    int nearestOnLevel0(int node, long[] out) {
        Scratch s = SCRATCH.get();
        s.begin(this, efConstruction + 1);
        s.budget = Budget.UNLIMITED;
        s.probe = null;
        float[] q = s.query;
        vectors.get(node, q);
        long e = entry;
        int ep = (int) e;
        float epDist = distance(q, ep, s);
        for (int l = (int) (e >>> 32); l > 0; l--) {
            ep = greedyClosest(q, ep, epDist, l, s);
            epDist = s.greedyDistance;
        }
        searchLayer(q, ep, epDist, efConstruction, 0, null, false, s);
        int found = drainAscending(s.results, s.sorted);
        System.arraycopy(s.sorted, 0, out, 0, found);
        return found;
    }

    /** Level-0 list access for {@link Connectivity}. */
    int level0Count(int node) {
        return linkCount(graph, node, 0);
    }

    int level0Link(int node, int i) {
        return link(graph, node, 0, i);
    }

    void setLevel0Links(int node, int[] list, int count) {
        Graph g = graph;
        synchronized (nodeLock(node)) {
            for (int i = 0; i < count; i++) {
                setLink(g, node, 0, i, list[i]);
            }
            setLinkCount(g, node, 0, count);
        }
    }

    float distanceBetween(int a, int b) {
        return distance(a, b);
    }

    private int randomLevel(int node) {
        long h = mix64(seed + 0x9E3779B97F4A7C15L * (node + 1L));
        double u = ((h >>> 11) + 1) * 0x1.0p-53;
        return Math.min(MAX_LEVEL, (int) (-Math.log(u) * levelMultiplier));
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Drops {@code node} from the first {@code count} packed entries; returns the new count. A
     * concurrent insert that reached this node through an upper level may already have linked to
     * it on a lower one, so a node can find itself; it must never link to itself.
     */
    private static int withoutNode(long[] sorted, int count, int node) {
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (LongHeap.ordinal(sorted[i]) != node) {
                sorted[kept++] = sorted[i];
            }
        }
        return kept;
    }

    /** Empties a result max-heap into {@code out} sorted closest first; returns the count. */
    private static int drainAscending(LongHeap results, long[] out) {
        int n = results.size();
        for (int i = n - 1; i >= 0; i--) {
            out[i] = ~results.pop();
        }
        return n;
    }

    /**
     * The HNSW neighbour-selection heuristic: walk candidates closest first and keep one only if it
     * is closer to the base node than to every candidate already kept. This keeps links pointing
     * in different directions, which is what lets greedy search cross between clusters.
     *
     * @param sorted packed (distance to base, node), ascending
     */
    private int selectDiverse(long[] sorted, int count, int max, long[] selected) {
        int kept = 0;
        for (int i = 0; i < count && kept < max; i++) {
            int c = LongHeap.ordinal(sorted[i]);
            float dc = LongHeap.distance(sorted[i]);
            boolean diverse = true;
            for (int j = 0; j < kept; j++) {
                if (distance(c, LongHeap.ordinal(selected[j])) < dc) {
                    diverse = false;
                    break;
                }
            }
            if (diverse) {
                selected[kept++] = sorted[i];
            }
        }
        return kept;
    }

    private Object nodeLock(int node) {
        return LOCKS[(node * 0x9E3779B9 ^ lockSalt) >>> 20 & (LOCK_STRIPES - 1)];
    }

    /** Adds {@code target} to {@code node}'s list on {@code level}, re-pruning when it is full. */
    private void addLink(Graph g, int node, int level, int target, int maxLinks, Scratch s) {
        synchronized (nodeLock(node)) {
            int count = linkCount(g, node, level);
            for (int i = 0; i < count; i++) {
                if (link(g, node, level, i) == target) {
                    return;
                }
            }
            if (count < maxLinks) {
                setLink(g, node, level, count, target);
                setLinkCount(g, node, level, count + 1);
                return;
            }
            long[] pool = s.prune;
            for (int i = 0; i < count; i++) {
                int nb = link(g, node, level, i);
                pool[i] = LongHeap.pack(distance(node, nb), nb);
            }
            pool[count] = LongHeap.pack(distance(node, target), target);
            Arrays.sort(pool, 0, count + 1);
            int kept = selectDiverse(pool, count + 1, maxLinks, s.selectedForPrune);
            for (int i = 0; i < kept; i++) {
                setLink(g, node, level, i, LongHeap.ordinal(s.selectedForPrune[i]));
            }
            setLinkCount(g, node, level, kept);
        }
    }

    private int linkCount(Graph g, int node, int level) {
        if (level == 0) {
            return (int) COUNT.getAcquire(g.links0, node * level0Stride);
        }
        return g.upper[node][(level - 1) * (1 + m)];
    }

    private int link(Graph g, int node, int level, int i) {
        if (level == 0) {
            return g.links0.get(INT, node * level0Stride + 4L * (i + 1));
        }
        return g.upper[node][(level - 1) * (1 + m) + 1 + i];
    }

    private void setLink(Graph g, int node, int level, int i, int target) {
        if (level == 0) {
            g.links0.set(INT, node * level0Stride + 4L * (i + 1), target);
        } else {
            g.upper[node][(level - 1) * (1 + m) + 1 + i] = target;
        }
    }

    private void setLinkCount(Graph g, int node, int level, int count) {
        if (level == 0) {
            COUNT.setRelease(g.links0, node * level0Stride, count);
        } else {
            VarHandle.releaseFence();
            g.upper[node][(level - 1) * (1 + m)] = count;
        }
    }

    /** The neighbours of {@code node} on {@code level}, as a new array (for tests and tools). */
    public int[] neighbors(int node, int level) {
        Graph g = graph;
        if (node < 0 || node >= g.capacity || g.levels[node] < level) {
            return new int[0];
        }
        int count = linkCount(g, node, level);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = link(g, node, level, i);
        }
        return out;
    }

    /** The highest level of {@code node}, or -1 when it is not in the graph. */
    public int level(int node) {
        Graph g = graph;
        return node < g.capacity ? g.levels[node] : -1;
    }

    long entryPacked() {
        return entry;
    }
}
