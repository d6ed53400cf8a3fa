package io.vectorflow.core.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.core.TestData;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.store.VectorStore;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExactSearchTest {

    @Test
    void matchesASortOfAllDistancesOnOneAndManyThreads() {
        int n = 70_000, dim = 16;
        float[][] base = TestData.gaussian(1, n, dim);
        VectorStore store = VectorStore.allocate(dim, n);
        for (float[] v : base) {
            store.append(v);
        }
        ExactSearch exact = new ExactSearch(store, Metrics.EUCLIDEAN);
        float[] q = TestData.gaussian(2, 1, dim)[0];
        Integer[] expected = IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> Metrics.EUCLIDEAN.distance(q, base[i])).thenComparing(i -> i))
                .limit(25).toArray(Integer[]::new);
        SearchResults single = new SearchResults(25), parallel = new SearchResults(25);
        exact.search(q, 25, null, single);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            exact.search(q, 25, null, parallel, pool, 4);
        }
        assertThat(Arrays.stream(single.ordinals()).boxed().toArray()).containsExactly((Object[]) expected);
        assertThat(parallel.ordinals()).containsExactly(single.ordinals());
        assertThat(single.distanceEvaluations()).isEqualTo(n);
    }

    @Test
    void filterAndBatchQueries() {
        float[][] base = TestData.gaussian(3, 500, 5);
        VectorStore store = VectorStore.allocate(5, 500);
        for (float[] v : base) {
            store.append(v);
        }
        ExactSearch exact = new ExactSearch(store, Metrics.DOT);
        SearchResults out = new SearchResults(3);
        exact.search(base[0], 3, ord -> ord >= 490, out);
        assertThat(java.util.Arrays.stream(out.ordinals()).boxed().toList()).hasSize(3).allMatch(o -> o >= 490);
        int[][] all = exact.searchAll(new float[][] {base[1], base[2]}, 4, 2, null);
        exact.search(base[2], 4, null, out);
        assertThat(all[1]).containsExactly(out.ordinals());
    }
}
