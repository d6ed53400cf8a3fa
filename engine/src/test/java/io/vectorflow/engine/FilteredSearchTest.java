package io.vectorflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.engine.filter.Condition;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.engine.index.FieldType;
import io.vectorflow.engine.perf.RecallSampler;
import io.vectorflow.storage.PointId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Query planning and its reporting on a 100,000-point collection (generated clustered 128-d
 * vectors, payload {@code r}: a uniform random integer in [0, 100), so {@code r < s} matches s%):
 * filtered recall@10 at 50%, 10% and 1% selectivity with and without a payload index, the
 * strategy each chooses, and the sampled recall estimate against recall measured here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FilteredSearchTest {

    private static final int N = 100_000;
    private static final int DIM = 128;

    @TempDir
    static Path dir;
    private Database db;
    private Collection indexed;
    private Collection plain;
    private final SyntheticData gen = new SyntheticData(DIM, 42);

    @BeforeAll
    void build() {
        db = Database.open(dir);
        indexed = db.createCollection(CollectionConfig.of("indexed", DIM, "euclidean").withSegmentCapacity(N));
        float[][] base = gen.base(N);
        Random rnd = new Random(7);
        List<Point> batch = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            batch.add(Point.of(i, base[i], Map.of("r", rnd.nextInt(100), "tag", i % 2 == 0 ? "even" : "odd")));
            if (batch.size() == 2_000) {
                indexed.upsert(batch);
                batch.clear();
            }
        }
        indexed.store().awaitIndexing();
        indexed.createPayloadIndex("r", FieldType.INTEGER);
        // The same points without a payload index: the planner must estimate from samples.
        plain = db.createCollection(CollectionConfig.of("plain", DIM, "euclidean").withSegmentCapacity(N));
        rnd = new Random(7);
        for (int i = 0; i < N; i++) {
            batch.add(Point.of(i, base[i], Map.of("r", rnd.nextInt(100), "tag", i % 2 == 0 ? "even" : "odd")));
            if (batch.size() == 2_000) {
                plain.upsert(batch);
                batch.clear();
            }
        }
        plain.store().awaitIndexing();
    }

    @AfterAll
    void close() {
        db.close();
    }

    private static Filter below(int percent) {
        return Filter.must(new Condition.Range("r", null, null, (double) percent, null));
    }

    private record Outcome(double recall, double meanScanned, long maxScanned, Set<String> strategies) {}

    private static Outcome run(Collection c, float[][] queries, Filter filter) {
        double hits = 0;
        long scanned = 0;
        long max = 0;
        Set<String> strategies = new HashSet<>();
        for (float[] q : queries) {
            SearchResult approx = c.search(SearchRequest.of(q, 10).withFilter(filter));
            SearchResult exact = c.search(SearchRequest.of(q, 10).withFilter(filter).withExact(true));
            Set<PointId> truth = new HashSet<>();
            exact.points().forEach(p -> truth.add(p.id()));
            assertThat(truth).hasSize(10);
            hits += approx.points().stream().filter(p -> truth.contains(p.id())).count();
            assertThat(approx.points()).allMatch(p -> p.payload().get("r").asInt() < 100);
            scanned += approx.vectorsScanned();
            max = Math.max(max, approx.vectorsScanned());
            strategies.add(approx.strategy());
        }
        return new Outcome(hits / (10.0 * queries.length), scanned / (double) queries.length, max, strategies);
    }

    @Test
    void filteredRecallAndPlansWithPayloadIndex() {
        float[][] queries = gen.queries(100);
        Outcome half = run(indexed, queries, below(50));
        Outcome tenth = run(indexed, queries, below(10));
        Outcome hundredth = run(indexed, queries, below(1));
        System.out.printf("payload index: 50%% recall %.4f scanned %.0f (%s); 10%% recall %.4f scanned %.0f (%s); "
                        + "1%% recall %.4f scanned %.0f (%s)%n", half.recall(), half.meanScanned(), half.strategies(),
                tenth.recall(), tenth.meanScanned(), tenth.strategies(), hundredth.recall(), hundredth.meanScanned(),
                hundredth.strategies());
        assertThat(half.recall()).isGreaterThanOrEqualTo(0.95);
        assertThat(tenth.recall()).isGreaterThanOrEqualTo(0.95);
        assertThat(hundredth.recall()).isGreaterThanOrEqualTo(0.95);
        assertThat(half.strategies()).containsExactly("filtered_hnsw");
        assertThat(half.maxScanned()).isLessThan(N / 5);
        assertThat(hundredth.strategies()).containsExactly("exact");
        // With an exact count from the bitmaps, the 1% scan touches only the matching points.
        assertThat(hundredth.maxScanned()).isLessThan(N / 50);
    }

    @Test
    void withoutPayloadIndexThePlannerSamplesAndStillAnswersCorrectly() {
        float[][] queries = gen.queries(30);
        Outcome half = run(plain, queries, below(50));
        Outcome hundredth = run(plain, queries, below(1));
        System.out.printf("no index: 50%% recall %.4f scanned %.0f (%s); 1%% recall %.4f scanned %.0f (%s)%n", half.recall(),
                half.meanScanned(), half.strategies(), hundredth.recall(), hundredth.meanScanned(), hundredth.strategies());
        assertThat(half.recall()).isGreaterThanOrEqualTo(0.95);
        assertThat(half.strategies()).containsExactly("filtered_hnsw");
        assertThat(half.maxScanned()).isLessThan(N / 5);
        // Without an index an exact scan must test every payload: a filtered walk is cheaper here.
        assertThat(hundredth.recall()).isGreaterThanOrEqualTo(0.95);
        assertThat(hundredth.strategies()).containsExactly("filtered_hnsw");
        SearchResult explained = plain.search(SearchRequest.of(queries[0], 10).withFilter(below(1)).withExplain(true));
        assertThat(explained.explain().get("suggested_payload_indexes").get("r").asText()).isEqualTo("float");
        assertThat(explained.explain().get("segments").get(0).get("selectivity_from").asText()).contains("sampled");
        // Counting with and without the index agrees.
        assertThat(plain.count(below(10))).isEqualTo(indexed.count(below(10)));
    }

    /** First, so no re-runs queued by the filtered tests (costly without an index) delay its samples. */
    @Test
    @Order(1)
    void estimatedRecallTracksMeasuredRecall() throws InterruptedException {
        float[][] queries = gen.queries(3_000);
        float[][] training = java.util.Arrays.copyOfRange(queries, 0, 2_000);
        float[][] held = java.util.Arrays.copyOfRange(queries, 2_000, 3_000);
        List<Set<PointId>> truth = new ArrayList<>();
        for (float[] q : held) {
            Set<PointId> t = new HashSet<>();
            indexed.search(SearchRequest.of(q, 10).withExact(true)).points().forEach(p -> t.add(p.id()));
            truth.add(t);
        }
        for (int ef : new int[] {8, 128}) {
            for (float[] q : training) {
                indexed.search(SearchRequest.of(q, 10).withEf(ef).withPayload(false));
            }
            // Default share (10%) of 2,000 queries: about 200 re-runs queued; wait until they are done.
            long deadline = System.nanoTime() + 120_000_000_000L;
            RecallSampler.Estimate est = null;
            int stable = 0;
            while (stable < 10 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                RecallSampler.Estimate now = indexed.recallEstimates().get("hnsw ef " + RecallSampler.efRange(ef));
                stable = now != null && est != null && now.samples() == est.samples() ? stable + 1 : 0;
                est = now;
            }
            assertThat(est).isNotNull();
            assertThat(est.samples()).isGreaterThanOrEqualTo(100);
            double hits = 0;
            SearchResult last = null;
            for (int i = 0; i < held.length; i++) {
                last = indexed.search(SearchRequest.of(held[i], 10).withEf(ef).withPayload(false));
                Set<PointId> t = truth.get(i);
                hits += last.points().stream().filter(p -> t.contains(p.id())).count();
            }
            double measured = hits / (10.0 * held.length);
            double estimated = last.estimatedRecall().recall();
            System.out.printf("ef %d: measured recall@10 %.4f on %d held-out queries, estimated %.4f from %d samples%n", ef,
                    measured, held.length, estimated, last.estimatedRecall().samples());
            assertThat(Math.abs(estimated - measured)).isLessThanOrEqualTo(0.05);
        }
    }
}
