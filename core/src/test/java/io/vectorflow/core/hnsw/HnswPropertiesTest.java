package io.vectorflow.core.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vectorflow.core.TestData;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.search.ExactSearch;
import io.vectorflow.core.search.SearchResults;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * HNSW against brute force on random data. With a beam as large as the data, search visits every
 * node reachable on level 0 from its seeds (the entry point among them), so after
 * {@link HnswIndex#connectComponents} (which the test build runs) it is exact for every metric,
 * even in the cases that disconnect a plain HNSW graph: very small M, heavy exact duplicates, raw
 * inner product on low dimensions.
 */
class HnswPropertiesTest {

    private static final Metric[] METRICS = {Metrics.EUCLIDEAN, Metrics.COSINE, Metrics.MANHATTAN, Metrics.DOT};

    @Property(tries = 500)
    void wideBeamSearchEqualsExactSearch(@ForAll @IntRange(min = 1, max = 250) int n,
                                         @ForAll @IntRange(min = 1, max = 24) int dim,
                                         @ForAll @IntRange(min = 1, max = 20) int k,
                                         @ForAll @IntRange(min = 0, max = 3) int metricIndex,
                                         @ForAll @IntRange(min = 2, max = 16) int m,
                                         @ForAll boolean duplicates,
                                         @ForAll long seed) throws Exception {
        Metric metric = METRICS[metricIndex];
        float[][] base = duplicates ? rounded(TestData.gaussian(seed, n, dim)) : TestData.gaussian(seed, n, dim);
        HnswIndex index = HnswIndexTest.build(base, metric, new HnswParams(m, 40, seed), 1);
        assertReachableFromEntry(index);
        ExactSearch exact = new ExactSearch(index.vectors(), metric);
        SearchResults approx = new SearchResults(k), truth = new SearchResults(k);
        for (float[] q : TestData.gaussian(seed + 1, 5, dim)) {
            index.search(q, k, n, null, approx);
            exact.search(q, k, null, truth);
            assertThat(approx.size()).isEqualTo(Math.min(k, n));
            // Compare distances, not ordinals: equal distances may come in either order.
            for (int i = 0; i < approx.size(); i++) {
                assertThat(approx.distance(i)).isCloseTo(truth.distance(i), within(1e-4f * (1 + Math.abs(truth.distance(i)))));
            }
        }
    }

    /** Coarse integer coordinates: many exact duplicates and ties, the hardest case for pruning. */
    private static float[][] rounded(float[][] vectors) {
        for (float[] v : vectors) {
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.round(v[i]);
            }
        }
        return vectors;
    }

    /** Every node is reachable on level 0 from the entry point, which seeds every level-0 search. */
    static void assertReachableFromEntry(HnswIndex index) {
        BitSet reached = new BitSet();
        int entry = (int) index.entryPacked();
        ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(entry));
        reached.set(entry);
        while (!todo.isEmpty()) {
            for (int v : index.neighbors(todo.pop(), 0)) {
                if (!reached.get(v)) {
                    reached.set(v);
                    todo.push(v);
                }
            }
        }
        assertThat(reached.cardinality()).as("nodes reachable from the entry point").isEqualTo(index.size());
    }

    @Property(tries = 200)
    void filteredAndDeletedNodesNeverReturned(@ForAll @IntRange(min = 1, max = 300) int n,
                                              @ForAll @IntRange(min = 1, max = 10) int k,
                                              @ForAll @IntRange(min = 2, max = 7) int modulus,
                                              @ForAll long seed) throws Exception {
        float[][] base = TestData.gaussian(seed, n, 6);
        HnswIndex index = HnswIndexTest.build(base, Metrics.EUCLIDEAN, HnswParams.defaults(), 1);
        Set<Integer> deleted = new HashSet<>();
        for (int i = 0; i < n; i += modulus + 1) {
            index.markDeleted(i);
            deleted.add(i);
        }
        SearchResults out = new SearchResults(k), truth = new SearchResults(k);
        ExactSearch exact = new ExactSearch(index.vectors(), Metrics.EUCLIDEAN);
        float[] q = TestData.gaussian(seed + 2, 1, 6)[0];
        index.search(q, k, n, ord -> ord % modulus != 0, out);
        exact.search(q, k, ord -> ord % modulus != 0 && !deleted.contains(ord), truth);
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.ordinal(i) % modulus).isNotZero();
            assertThat(deleted).doesNotContain(out.ordinal(i));
        }
        assertThat(out.size()).isEqualTo(truth.size());
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.distance(i)).isCloseTo(truth.distance(i), within(1e-4f));
        }
    }
}
