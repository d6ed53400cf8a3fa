package io.vectorflow.core.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vectorflow.core.TestData;
import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.search.ExactSearch;
import io.vectorflow.core.search.SearchResults;
import io.vectorflow.core.store.CorruptFileException;
import io.vectorflow.core.store.VectorStore;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HnswIndexTest {

    static HnswIndex build(float[][] base, Metric metric, HnswParams params, int threads) throws InterruptedException {
        VectorStore store = VectorStore.allocate(base[0].length, base.length);
        for (float[] v : base) {
            store.append(metric.prepare(v));
        }
        HnswIndex index = new HnswIndex(store, metric, params);
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    for (int i; (i = next.getAndIncrement()) < base.length; ) {
                        index.insert(i);
                    }
                } catch (Throwable e) {
                    error.set(e);
                }
            });
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join();
        }
        assertThat(error.get()).isNull();
        index.connectComponents();
        return index;
    }

    static double recall(HnswIndex index, float[][] queries, int[][] truth, int k, int ef) {
        SearchResults out = new SearchResults(k);
        double sum = 0;
        for (int i = 0; i < queries.length; i++) {
            index.search(queries[i], k, ef, null, out);
            Set<Integer> expected = new HashSet<>();
            for (int j = 0; j < k; j++) {
                expected.add(truth[i][j]);
            }
            int hits = 0;
            for (int j = 0; j < out.size(); j++) {
                hits += expected.contains(out.ordinal(j)) ? 1 : 0;
            }
            sum += hits / (double) k;
        }
        return sum / queries.length;
    }

    @Test
    void siftsmallRecallAtDefaultSettings() throws Exception {
        Path dir = TestData.shared("siftsmall").orElse(null);
        assumeTrue(dir != null, "shared/datasets/siftsmall not found");
        Dataset data = Dataset.load(dir, 0);
        HnswIndex index = build(data.base(), Metrics.EUCLIDEAN, HnswParams.defaults(), 2);
        double recall = recall(index, data.queries(), data.groundTruth(), 10, HnswIndex.DEFAULT_EF_SEARCH);
        assertThat(recall).isGreaterThanOrEqualTo(0.95);
        // The graph, not a scan, does the work.
        SearchResults out = new SearchResults(10);
        index.search(data.queries()[0], 10, HnswIndex.DEFAULT_EF_SEARCH, null, out);
        assertThat(out.distanceEvaluations()).isLessThan(data.base().length / 10);
    }

    @Test
    void syntheticRecallForEveryMetric() throws Exception {
        SyntheticData gen = new SyntheticData(48, 7);
        float[][] base = gen.base(4000);
        float[][] queries = gen.queries(50);
        for (Metric metric : List.of(Metrics.EUCLIDEAN, Metrics.COSINE, Metrics.DOT, Metrics.MANHATTAN)) {
            HnswIndex index = build(base, metric, HnswParams.defaults(), 2);
            int[][] truth = new ExactSearch(index.vectors(), metric).searchAll(queries, 10, 2, null);
            assertThat(recall(index, queries, truth, 10, 100)).as(metric.name()).isGreaterThanOrEqualTo(0.95);
        }
    }

    @Test
    void singleThreadBuildIsReproducible() throws Exception {
        float[][] base = TestData.gaussian(1, 1500, 16);
        build(base, Metrics.EUCLIDEAN, HnswParams.defaults(), 1); // warm up the JIT first
        HnswIndex a = build(base, Metrics.EUCLIDEAN, HnswParams.defaults(), 1);
        HnswIndex b = build(base, Metrics.EUCLIDEAN, HnswParams.defaults(), 1);
        for (int node = 0; node < base.length; node++) {
            assertThat(a.level(node)).isEqualTo(b.level(node));
            assertThat(a.neighbors(node, 0)).containsExactly(b.neighbors(node, 0));
        }
    }

    @Test
    void deletedNodesAreNeverReturnedButStillNavigable() throws Exception {
        float[][] base = TestData.gaussian(2, 3000, 24);
        HnswIndex index = build(base, Metrics.EUCLIDEAN, HnswParams.defaults(), 2);
        // Delete every other node, including the first (likely the entry point early on).
        for (int i = 0; i < base.length; i += 2) {
            assertThat(index.markDeleted(i)).isTrue();
        }
        assertThat(index.markDeleted(0)).isFalse();
        float[][] queries = TestData.gaussian(3, 40, 24);
        SearchResults out = new SearchResults(10);
        int[][] truth = new int[queries.length][];
        ExactSearch exact = new ExactSearch(index.vectors(), Metrics.EUCLIDEAN);
        for (int i = 0; i < queries.length; i++) {
            exact.search(queries[i], 10, ord -> ord % 2 == 1, out);
            truth[i] = out.ordinals();
        }
        for (float[] q : queries) {
            index.search(q, 10, 64, null, out);
            assertThat(out.size()).isEqualTo(10);
            for (int i = 0; i < out.size(); i++) {
                assertThat(out.ordinal(i) % 2).isEqualTo(1);
            }
        }
        assertThat(recall(index, queries, truth, 10, 100)).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void filterRestrictsResults() throws Exception {
        float[][] base = TestData.gaussian(4, 2000, 8);
        HnswIndex index = build(base, Metrics.EUCLIDEAN, HnswParams.defaults(), 1);
        SearchResults out = new SearchResults(5);
        index.search(base[7], 5, 50, ord -> ord % 10 == 3, out);
        assertThat(out.size()).isEqualTo(5);
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.ordinal(i) % 10).isEqualTo(3);
        }
        // A filter that accepts nothing returns nothing (and terminates).
        index.search(base[7], 5, 50, ord -> false, out);
        assertThat(out.size()).isZero();
    }

    @Test
    void resultsAreSortedAndScoresMatchTheMetric() throws Exception {
        float[][] base = TestData.gaussian(5, 1000, 12);
        for (Metric metric : List.of(Metrics.EUCLIDEAN, Metrics.COSINE, Metrics.DOT)) {
            HnswIndex index = build(base, metric, HnswParams.defaults(), 1);
            SearchResults out = new SearchResults(10);
            float[] q = base[3];
            index.search(q, 10, 100, null, out);
            assertThat(out.ordinal(0)).as(metric.name()).isEqualTo(metric == Metrics.DOT ? out.ordinal(0) : 3);
            for (int i = 1; i < out.size(); i++) {
                assertThat(out.distance(i)).isGreaterThanOrEqualTo(out.distance(i - 1));
            }
            float expected = metric.distance(metric.prepare(q), metric.prepare(base[out.ordinal(0)]));
            assertThat(out.distance(0)).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-4f));
        }
    }

    @Test
    void emptyIndexAndBadInput() {
        VectorStore store = VectorStore.allocate(4, 10);
        HnswIndex index = new HnswIndex(store, Metrics.EUCLIDEAN, HnswParams.defaults());
        SearchResults out = new SearchResults(3);
        index.search(new float[4], 3, 10, null, out);
        assertThat(out.size()).isZero();
        assertThatThrownBy(() -> index.search(new float[5], 3, 10, null, out))
                .hasMessageContaining("dimension 5");
        assertThatThrownBy(() -> index.search(new float[4], 0, 10, null, out)).hasMessageContaining("k must be positive");
        assertThatThrownBy(() -> index.insert(0)).hasMessageContaining("not in the vector store");
        index.add(new float[] {1, 2, 3, 4});
        assertThatThrownBy(() -> index.insert(0)).hasMessageContaining("already in the graph");
        index.search(new float[4], 3, 10, null, out);
        assertThat(out.size()).isEqualTo(1);
    }

    @Test
    void concurrentInsertsAndSearchesLeaveAConsistentGraph() throws Exception {
        SyntheticData gen = new SyntheticData(32, 11);
        float[][] base = gen.base(6000);
        float[][] queries = gen.queries(50);
        VectorStore store = VectorStore.allocate(32, base.length);
        HnswIndex index = new HnswIndex(store, Metrics.EUCLIDEAN, HnswParams.defaults());
        for (float[] v : base) {
            store.append(v);
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            threads.add(new Thread(() -> {
                try {
                    for (int i; (i = next.getAndIncrement()) < base.length; ) {
                        index.insert(i);
                    }
                } catch (Throwable e) {
                    error.set(e);
                }
            }));
        }
        AtomicBoolean done = new AtomicBoolean();
        Thread searcher = searcher(index, queries, base.length, done, error);
        threads.forEach(Thread::start);
        searcher.start();
        for (Thread t : threads) {
            t.join();
        }
        done.set(true);
        searcher.join();
        assertThat(error.get()).isNull();
        assertThat(index.size()).isEqualTo(base.length);
        assertConsistent(index);
        int[][] truth = new ExactSearch(store, Metrics.EUCLIDEAN).searchAll(queries, 10, 2, null);
        assertThat(recall(index, queries, truth, 10, 64)).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void growsWithItsNodesWhileInsertsDeletesAndSearchesRun() throws Exception {
        SyntheticData gen = new SyntheticData(24, 13);
        float[][] base = gen.base(5000);
        float[][] queries = gen.queries(40);
        VectorStore store = VectorStore.growable(24);
        HnswIndex index = new HnswIndex(store, Metrics.EUCLIDEAN, HnswParams.defaults());
        assertThat(index.graphBytesUsed()).as("an empty graph allocates nothing").isZero();
        AtomicInteger appended = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Set<Integer> deleted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(() -> { // the single writer: vectors arrive one by one, the store grows
            for (float[] v : base) {
                store.append(v);
                appended.incrementAndGet();
            }
        }));
        for (int t = 0; t < 2; t++) {
            threads.add(new Thread(() -> {
                try {
                    while (true) {
                        int i = next.get();
                        if (i >= base.length) {
                            return;
                        }
                        if (i >= appended.get()) {
                            Thread.onSpinWait();
                        } else if (next.compareAndSet(i, i + 1)) {
                            index.insert(i);
                            if (i % 97 == 0) {
                                index.markDeleted(i);
                                deleted.add(i);
                            }
                        }
                    }
                } catch (Throwable e) {
                    error.set(e);
                }
            }));
        }
        Thread searcher = searcher(index, queries, base.length, done, error);
        threads.forEach(Thread::start);
        searcher.start();
        for (Thread t : threads) {
            t.join();
        }
        done.set(true);
        searcher.join();
        assertThat(error.get()).isNull();
        assertThat(index.size()).isEqualTo(base.length);
        assertThat(store.capacity()).as("grown to what was stored, not more than twice").isBetween(base.length, 2 * base.length);
        assertConsistent(index);
        SearchResults out = new SearchResults(10);
        for (float[] q : queries) {
            index.search(q, 10, 64, null, out);
            for (int i = 0; i < out.size(); i++) {
                assertThat(deleted).doesNotContain(out.ordinal(i));
            }
        }
        int[][] truth = new ExactSearch(store, Metrics.EUCLIDEAN).searchAll(queries, 10, 2, null);
        assertThat(recall(index, queries, truth, 10, 64)).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void aSpentBudgetStopsASearch() throws Exception {
        SyntheticData gen = new SyntheticData(16, 3);
        HnswIndex index = build(gen.base(3000), Metrics.EUCLIDEAN, HnswParams.defaults(), 2);
        io.vectorflow.core.search.Budget budget = io.vectorflow.core.search.Budget.cancellable();
        SearchResults out = new SearchResults(10);
        try (var scope = budget.enter()) {
            index.search(gen.queries(1)[0], 10, 500, null, out);
            assertThat(out.size()).isEqualTo(10);
            budget.cancel("client went away");
            assertThatThrownBy(() -> index.search(gen.queries(1)[0], 10, 500, null, out))
                    .isInstanceOf(io.vectorflow.core.search.BudgetExceededException.class).hasMessageContaining("went away");
        }
        index.search(gen.queries(1)[0], 10, 500, null, out); // outside the scope: no budget
        assertThat(out.size()).isEqualTo(10);
    }

    /** A thread that searches until {@code done}, checking every answer is an ordinal below {@code n}. */
    private static Thread searcher(HnswIndex index, float[][] queries, int n, AtomicBoolean done, AtomicReference<Throwable> error) {
        return new Thread(() -> {
            SearchResults out = new SearchResults(10);
            try {
                while (!done.get()) {
                    for (float[] q : queries) {
                        index.search(q, 10, 32, null, out);
                        for (int i = 0; i < out.size(); i++) {
                            assertThat(out.ordinal(i)).isBetween(0, n - 1);
                        }
                    }
                }
            } catch (Throwable e) {
                error.set(e);
            }
        });
    }

    /** Every list is in range, has no self-links or duplicates, and level 0 is (nearly) all reachable. */
    static void assertConsistent(HnswIndex index) {
        int n = index.size();
        int m = index.params().m();
        for (int node = 0; node < n; node++) {
            assertThat(index.level(node)).isBetween(0, index.maxLevel());
            for (int level = 0; level <= index.level(node); level++) {
                int[] nbs = index.neighbors(node, level);
                assertThat(nbs.length).isLessThanOrEqualTo(level == 0 ? 2 * m : m);
                Set<Integer> seen = new HashSet<>();
                for (int nb : nbs) {
                    assertThat(nb).isBetween(0, n - 1).isNotEqualTo(node);
                    assertThat(index.level(nb)).isGreaterThanOrEqualTo(level);
                    assertThat(seen.add(nb)).as("duplicate link %d -> %d", node, nb).isTrue();
                }
            }
        }
        // Reachability from the entry point on level 0 (the level every node lives on).
        int entry = -1;
        for (int node = 0; node < n && entry < 0; node++) {
            if (index.level(node) == index.maxLevel()) {
                entry = node;
            }
        }
        boolean[] seen = new boolean[n];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(entry);
        seen[entry] = true;
        int reached = 1;
        while (!queue.isEmpty()) {
            for (int nb : index.neighbors(queue.poll(), 0)) {
                if (!seen[nb]) {
                    seen[nb] = true;
                    reached++;
                    queue.add(nb);
                }
            }
        }
        assertThat(reached).isGreaterThanOrEqualTo((int) (n * 0.999));
    }

    @Test
    void serializedGraphLoadsAndAnswersIdentically(@TempDir Path tmp) throws Exception {
        SyntheticData gen = new SyntheticData(40, 3);
        float[][] base = gen.base(3000);
        float[][] queries = gen.queries(30);
        HnswIndex index = build(base, Metrics.COSINE, new HnswParams(12, 80, 9), 2);
        index.markDeleted(17);
        Path vectors = tmp.resolve("vectors.f32");
        Path graph = tmp.resolve("graph.hnsw");
        try (FileChannel ch = FileChannel.open(vectors, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            index.vectors().writeTo(ch);
        }
        try (FileChannel ch = FileChannel.open(graph, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            HnswGraphFile.write(index, ch);
        }
        try (Arena arena = Arena.ofShared()) {
            VectorStore mappedVectors = VectorStore.open(map(vectors, arena), true);
            HnswIndex loaded = HnswGraphFile.open(map(graph, arena), mappedVectors, true);
            assertThat(loaded.isReadOnly()).isTrue();
            assertThat(loaded.size()).isEqualTo(index.size());
            assertThat(loaded.metric()).isSameAs(Metrics.COSINE);
            assertThat(loaded.isDeleted(17)).isTrue();
            SearchResults a = new SearchResults(10), b = new SearchResults(10);
            for (float[] q : queries) {
                index.search(q, 10, 40, null, a);
                loaded.search(q, 10, 40, null, b);
                assertThat(b.ordinals()).containsExactly(a.ordinals());
                for (int i = 0; i < a.size(); i++) {
                    // The Vector API may sum lanes in another order once compiled: allow rounding.
                    assertThat(b.distance(i)).isCloseTo(a.distance(i), org.assertj.core.api.Assertions.within(1e-5f));
                }
                assertThat(b.distanceEvaluations()).isEqualTo(a.distanceEvaluations());
            }
            for (int node = 0; node < base.length; node += 97) {
                assertThat(loaded.neighbors(node, 0)).containsExactly(index.neighbors(node, 0));
            }
            assertThatThrownBy(() -> loaded.insert(0)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void corruptGraphFileIsReportedNotCrashedOn(@TempDir Path tmp) throws Exception {
        float[][] base = TestData.gaussian(8, 500, 8);
        HnswIndex index = build(base, Metrics.EUCLIDEAN, HnswParams.defaults(), 1);
        Path graph = tmp.resolve("graph.hnsw");
        try (FileChannel ch = FileChannel.open(graph, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            HnswGraphFile.write(index, ch);
        }
        byte[] bytes = Files.readAllBytes(graph);
        bytes[200] ^= 0x40;
        Files.write(graph, bytes);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = map(graph, arena);
            assertThatThrownBy(() -> HnswGraphFile.open(seg, index.vectors(), true))
                    .isInstanceOf(CorruptFileException.class).hasMessageContaining("checksum");
        }
        Files.write(graph, java.util.Arrays.copyOf(bytes, 100));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = map(graph, arena);
            assertThatThrownBy(() -> HnswGraphFile.open(seg, index.vectors(), false))
                    .isInstanceOf(CorruptFileException.class);
        }
    }

    @Test
    void searchAllocatesNothingAfterWarmUp() throws Exception {
        SyntheticData gen = new SyntheticData(64, 5);
        float[][] base = gen.base(5000);
        float[][] queries = gen.queries(100);
        HnswIndex index = build(base, Metrics.COSINE, HnswParams.defaults(), 2);
        SearchResults out = new SearchResults(10);
        for (int round = 0; round < 50; round++) {
            for (float[] q : queries) {
                index.search(q, 10, 64, null, out);
            }
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        // Steady state: until the JIT has compiled the search loop (the Vector API allocates when
        // interpreted), a window may allocate; once compiled, a window of queries allocates nothing.
        long best = Long.MAX_VALUE;
        for (int window = 0; window < 30 && best > 0; window++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int round = 0; round < 5; round++) {
                for (float[] q : queries) {
                    index.search(q, 10, 64, null, out);
                }
            }
            best = Math.min(best, mx.getThreadAllocatedBytes(tid) - before);
        }
        assertThat(best).as("bytes allocated by 500 warm queries").isZero();
    }

    static MemorySegment map(Path file, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        }
    }
}
