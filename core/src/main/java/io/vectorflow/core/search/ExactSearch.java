package io.vectorflow.core.search;

import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.core.util.LongHeap;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Brute-force k-nearest-neighbour search: every stored vector is scored. Exact, so it gives ground
 * truth, and it beats a graph on small segments and under filters that accept very few points.
 * Large scans are split across threads, each keeping its own top-k, merged at the end. Scans look
 * at the calling thread's {@link Budget} every {@value #BUDGET_EVERY} vectors.
 */
public final class ExactSearch {

    /** Below this many vectors per thread, splitting a scan costs more than it saves. */
    private static final int MIN_VECTORS_PER_TASK = 16_384;
    /** Vectors scanned between two looks at the budget (a power of two). */
    static final int BUDGET_EVERY = 4096;

    private final VectorStore vectors;
    private final Metric metric;

    public ExactSearch(VectorStore vectors, Metric metric) {
        this.vectors = vectors;
        this.metric = metric;
    }

    /**
     * The {@code k} nearest accepted vectors among ordinals {@code [0, vectors.size())}, on the
     * calling thread.
     */
    public void search(float[] query, int k, OrdinalFilter filter, SearchResults out) {
        search(query, k, 0, vectors.size(), filter, out);
    }

    /** The {@code k} nearest accepted vectors among ordinals {@code [from, to)}, on the calling thread. */
    public void search(float[] query, int k, int from, int to, OrdinalFilter filter, SearchResults out) {
        if (from < 0 || to > vectors.size() || from > to) {
            throw new IllegalArgumentException("ordinal range [" + from + ", " + to + ") outside [0, " + vectors.size() + ")");
        }
        float[] q = prepare(query);
        LongHeap heap = new LongHeap(k + 1);
        long scored = scan(q, from, to, k, filter, heap);
        drain(heap, k, out, scored);
    }

    /**
     * The {@code k} nearest accepted vectors among the given ordinals (the first {@code count} of
     * {@code ordinals}, each below {@code vectors.size()}), on the calling thread: the exact
     * search over the points a payload index says match.
     */
    public void search(float[] query, int k, int[] ordinals, int count, OrdinalFilter filter, SearchResults out) {
        float[] q = prepare(query);
        LongHeap heap = new LongHeap(k + 1);
        int size = vectors.size();
        MemorySegment data = vectors.segment();
        int dim = vectors.dimension();
        Budget budget = Budget.current();
        long scored = 0;
        for (int i = 0; i < count; i++) {
            if ((i & (BUDGET_EVERY - 1)) == BUDGET_EVERY - 1) {
                budget.check();
            }
            int ord = ordinals[i];
            if (ord >= size || (filter != null && !filter.accept(ord))) {
                continue;
            }
            offer(heap, LongHeap.pack(metric.distance(q, data, vectors.offset(ord), dim), ord), k);
            scored++;
        }
        drain(heap, k, out, scored);
    }

    /** Like {@link #search} but splits the scan across up to {@code threads} threads. */
    public void search(float[] query, int k, OrdinalFilter filter, SearchResults out, ExecutorService pool, int threads) {
        int n = vectors.size();
        int tasks = Math.max(1, Math.min(threads, n / MIN_VECTORS_PER_TASK));
        if (tasks == 1) {
            search(query, k, filter, out);
            return;
        }
        float[] q = prepare(query);
        Budget budget = Budget.current();
        List<Future<LongHeap>> parts = new ArrayList<>(tasks);
        for (int t = 0; t < tasks; t++) {
            int from = (int) ((long) n * t / tasks), to = (int) ((long) n * (t + 1) / tasks);
            parts.add(pool.submit(() -> {
                LongHeap h = new LongHeap(k + 1);
                try (Budget.Scope scope = budget.enter()) {
                    scan(q, from, to, k, filter, h);
                }
                return h;
            }));
        }
        LongHeap merged = new LongHeap(k + 1);
        for (Future<LongHeap> part : parts) {
            LongHeap h = join(part);
            while (!h.isEmpty()) {
                offer(merged, ~h.pop(), k);
            }
        }
        drain(merged, k, out, n);
    }

    /**
     * Exact top-{@code k} ordinals of many queries, queries spread over {@code threads} threads
     * (for ground truth). Reports each finished query to {@code progress} (may be null).
     */
    public int[][] searchAll(float[][] queries, int k, int threads, IntConsumer progress) {
        int[][] result = new int[queries.length][];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Runnable worker = () -> {
            SearchResults out = new SearchResults(k);
            for (int i; (i = next.getAndIncrement()) < queries.length; ) {
                search(queries[i], k, null, out);
                result[i] = out.ordinals();
                int d = done.incrementAndGet();
                if (progress != null) {
                    progress.accept(d);
                }
            }
        };
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads))) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < Math.max(1, threads); t++) {
                fs.add(pool.submit(worker));
            }
            for (Future<?> f : fs) {
                join(f);
            }
        }
        return result;
    }

    private float[] prepare(float[] query) {
        if (query.length != vectors.dimension()) {
            throw new IllegalArgumentException("query has dimension " + query.length + ", vectors have " + vectors.dimension());
        }
        return metric.prepare(query);
    }

    /**
     * The scan loop: one distance per accepted stored vector, a bounded max-heap of the best k.
     * Returns how many distances it computed.
     */
    private long scan(float[] q, int from, int to, int k, OrdinalFilter filter, LongHeap heap) {
        MemorySegment data = vectors.segment();
        int dim = vectors.dimension();
        Budget budget = Budget.current();
        long scored = 0;
        for (int ord = from; ord < to; ord++) {
            if ((ord & (BUDGET_EVERY - 1)) == BUDGET_EVERY - 1) {
                budget.check();
            }
            if (filter != null && !filter.accept(ord)) {
                continue;
            }
            float d = metric.distance(q, data, vectors.offset(ord), dim);
            offer(heap, LongHeap.pack(d, ord), k);
            scored++;
        }
        return scored;
    }

    /**
     * Keeps the k smallest packed values ({@link LongHeap#pack}) in a max-heap stored as
     * complements: for exact scans over vectors held elsewhere.
     */
    public static void offer(LongHeap heap, long packed, int k) {
        if (heap.size() < k) {
            heap.push(~packed);
        } else if (packed < ~heap.peek()) {
            heap.replaceTop(~packed);
        }
    }

    /** Moves what {@link #offer} kept into {@code out}, closest first, with {@code scanned} distances as the cost. */
    public static void drain(LongHeap heap, int k, SearchResults out, long scanned) {
        out.reset(k);
        for (int i = heap.size() - 1; i >= 0; i--) {
            long packed = ~heap.pop();
            out.set(i, LongHeap.ordinal(packed), LongHeap.distance(packed));
        }
        out.setCost(scanned, 0);
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }
}
