package io.vectorflow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.engine.filter.FilterParser;
import io.vectorflow.engine.query.Query;
import io.vectorflow.engine.query.QueryEngine;
import io.vectorflow.engine.query.QueryRequest;
import io.vectorflow.storage.PointId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collections of named dense and sparse vectors against brute force over the same points: each
 * vector searched on its own (points lacking it never returned), sparse scores with and without
 * idf, hybrid fusion, and all of it the same across sealed segments, a reopen and compaction;
 * updates and deletes of single vectors keep the others.
 */
class NamedVectorsTest {

    private static final int N = 1_500;
    private static final int DIM_A = 8;
    private static final int DIM_B = 6;
    private static final int VOCABULARY = 200;

    @TempDir
    Path dir;

    /** What was written: each point's vectors by name. */
    private final Map<Integer, Vectors> model = new TreeMap<>();

    private static VectorsConfig schema() {
        return new VectorsConfig(List.of(new VectorsConfig.Dense("a", DIM_A, "euclidean"), new VectorsConfig.Dense("b", DIM_B, "cosine")),
                List.of(new VectorsConfig.Sparse("s", true), new VectorsConfig.Sparse("t", false)));
    }

    private static float[] dense(Random r, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static SparseVector sparse(Random r) {
        int nnz = 1 + r.nextInt(8);
        Set<Integer> dims = new HashSet<>();
        while (dims.size() < nnz) {
            dims.add((int) Math.min(VOCABULARY - 1, Math.floor(Math.pow(r.nextDouble(), 2) * VOCABULARY))); // skewed: some terms common
        }
        int[] idx = dims.stream().mapToInt(Integer::intValue).toArray();
        float[] val = new float[idx.length];
        for (int i = 0; i < val.length; i++) {
            val[i] = 0.1f + r.nextFloat();
        }
        return new SparseVector(idx, val);
    }

    /** Point i: a unless i % 10 == 3, b unless i % 3 == 0, s unless i % 4 == 1, t when i is even. */
    private Vectors vectorsOf(int i, Random r) {
        Map<String, float[]> dense = new LinkedHashMap<>();
        Map<String, SparseVector> sparse = new LinkedHashMap<>();
        if (i % 10 != 3) {
            dense.put("a", dense(r, DIM_A));
        }
        if (i % 3 != 0) {
            dense.put("b", dense(r, DIM_B));
        }
        if (i % 4 != 1) {
            sparse.put("s", sparse(r));
        }
        if (i % 2 == 0) {
            sparse.put("t", sparse(r));
        }
        return new Vectors(dense, sparse);
    }

    private Collection filled(Database db) {
        Collection c = db.createCollection(CollectionConfig.of("h", schema()).withSegmentCapacity(400));
        Random r = new Random(11);
        for (int from = 0; from < N; from += 100) {
            List<Point> batch = new ArrayList<>();
            for (int i = from; i < from + 100; i++) {
                Vectors v = vectorsOf(i, r);
                model.put(i, v);
                batch.add(new Point(PointId.of(i), null, Json.MAPPER.createObjectNode().put("odd", i % 2 == 1), v));
            }
            c.upsert(batch);
        }
        c.store().awaitIndexing();
        return c;
    }

    private static double euclidean(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(d);
    }

    private static double cosine(float[] a, float[] b) {
        double d = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return d / Math.sqrt(na * nb);
    }

    /** Brute-force top k ids on a dense vector (lower is better for "a", higher for "b"). */
    private List<Integer> denseTruth(String name, float[] q, int k, boolean oddOnly) {
        Comparator<Map.Entry<Integer, Double>> order = name.equals("a") ? Map.Entry.comparingByValue()
                : Map.Entry.<Integer, Double>comparingByValue().reversed();
        return model.entrySet().stream().filter(e -> e.getValue().dense().containsKey(name) && (!oddOnly || e.getKey() % 2 == 1))
                .map(e -> Map.entry(e.getKey(), name.equals("a") ? euclidean(q, e.getValue().dense().get(name))
                        : cosine(q, e.getValue().dense().get(name))))
                .sorted(order).limit(k).map(Map.Entry::getKey).toList();
    }

    /** Brute-force sparse scores (with Qdrant's idf over every point when asked). */
    private Map<Integer, Double> sparseTruth(String name, SparseVector q, boolean idf) {
        Map<Integer, Integer> df = new HashMap<>();
        for (Vectors v : model.values()) {
            SparseVector s = v.sparse().get(name);
            if (s != null) {
                for (int d : s.indices()) {
                    df.merge(d, 1, Integer::sum);
                }
            }
        }
        Map<Integer, Double> scores = new HashMap<>();
        for (Map.Entry<Integer, Vectors> e : model.entrySet()) {
            SparseVector s = e.getValue().sparse().get(name);
            if (s == null) {
                continue;
            }
            double score = 0;
            boolean overlap = false;
            for (int i = 0; i < q.size(); i++) {
                int at = java.util.Arrays.binarySearch(s.indices(), q.indices()[i]);
                if (at >= 0) {
                    overlap = true;
                    int n = df.getOrDefault(q.indices()[i], 0);
                    double w = idf ? Math.log(1 + (model.size() - n + 0.5) / (n + 0.5)) : 1;
                    score += q.values()[i] * w * s.values()[at];
                }
            }
            if (overlap) {
                scores.put(e.getKey(), score);
            }
        }
        return scores;
    }

    private static List<Integer> ids(SearchResult r) {
        return r.points().stream().map(p -> (int) p.id().lsb()).toList();
    }

    private void checkSearches(Collection c) {
        Random r = new Random(5);
        double found = 0;
        double total = 0;
        for (int q = 0; q < 15; q++) {
            for (String name : List.of("a", "b")) {
                float[] v = dense(r, name.equals("a") ? DIM_A : DIM_B);
                SearchRequest exact = new SearchRequest(v, 10, null, 0, true, false, false, false).using(name, null);
                assertThat(ids(c.search(exact))).as("exact search on %s", name).isEqualTo(denseTruth(name, v, 10, false));
                SearchRequest filtered = exact.withFilter(FilterParser.parse(Json.MAPPER.createObjectNode()
                        .set("must", Json.MAPPER.createArrayNode().add(Json.MAPPER.createObjectNode().put("key", "odd")
                                .set("match", Json.MAPPER.createObjectNode().put("value", true)))), "filter"));
                assertThat(ids(c.search(filtered))).as("filtered exact search on %s", name).isEqualTo(denseTruth(name, v, 10, true));
                List<Integer> truth = denseTruth(name, v, 10, false);
                List<Integer> approximate = ids(c.search(exact.withExact(false)));
                found += approximate.stream().filter(truth::contains).count();
                total += truth.size();
                for (int id : approximate) {
                    assertThat(model.get(id).dense()).as("a point lacking %s is never returned for it", name).containsKey(name);
                }
            }
            for (String name : List.of("s", "t")) {
                SparseVector v = sparse(r);
                Map<Integer, Double> truth = sparseTruth(name, v, name.equals("s"));
                List<Map.Entry<Integer, Double>> best = truth.entrySet().stream()
                        .sorted(Map.Entry.<Integer, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                        .limit(10).toList();
                SearchResult got = c.search(new SearchRequest(null, 10, null, 0, false, false, false, false, 0, null, name, v));
                assertThat(got.strategy()).isEqualTo("sparse");
                assertThat(got.points()).hasSize(best.size());
                for (int i = 0; i < best.size(); i++) {
                    assertThat((double) got.points().get(i).score()).as("sparse score %d on %s", i, name)
                            .isCloseTo(best.get(i).getValue(), within(1e-4 * Math.max(1, best.get(i).getValue())));
                    assertThat(truth.get((int) got.points().get(i).id().lsb())).isCloseTo(best.get(i).getValue(),
                            within(1e-4 * Math.max(1, best.get(i).getValue())));
                }
            }
        }
        assertThat(found / total).as("recall@10 of the graphs").isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void eachVectorIsSearchedLikeBruteForceAcrossSegmentsReopenAndCompaction() throws Exception {
        try (Database db = Database.open(dir)) {
            Collection c = filled(db);
            assertThat(c.segmentCount()).as("sealed segments and the mutable one").isGreaterThan(2);
            checkSearches(c);
        }
        try (Database db = Database.open(dir)) {
            Collection c = db.collection("h");
            assertThat(c.config().vectors()).isEqualTo(schema());
            checkSearches(c);
            c.store().compact();
            checkSearches(c);
            List<Record> got = c.get(List.of(PointId.of(3), PointId.of(4), PointId.of(9)), true, true);
            for (Record rec : got) {
                Vectors want = model.get((int) rec.id().lsb());
                assertThat(rec.vector()).isNull();
                assertThat(rec.named().dense().keySet()).isEqualTo(want.dense().keySet());
                assertThat(rec.named().sparse()).isEqualTo(want.sparse());
                if (want.dense().containsKey("a")) {
                    assertThat(rec.named().dense().get("a")).containsExactly(want.dense().get("a"));
                }
            }
        }
    }

    @Test
    void eachVectorHasItsOwnGraphAndStorageSettings() throws Exception {
        VectorsConfig own = new VectorsConfig(List.of(new VectorsConfig.Dense("a", DIM_A, "euclidean"),
                new VectorsConfig.Dense("b", DIM_B, "cosine", 8, 40, true)), List.of());
        try (Database db = Database.open(dir)) {
            Collection c = db.createCollection(CollectionConfig.of("own", own).withHnsw(24, 64));
            Random r = new Random(1);
            List<Point> batch = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                batch.add(new Point(PointId.of(i), null, null, new Vectors(Map.of("a", dense(r, DIM_A), "b", dense(r, DIM_B)), Map.of())));
            }
            c.upsert(batch);
            c.flush();
            var sealed = c.store().view().sealed().getFirst();
            assertThat(sealed.graph(0).params().m()).isEqualTo(24);
            assertThat(sealed.graph(1).params().m()).isEqualTo(8);
            assertThat(sealed.graph(1).params().efConstruction()).isEqualTo(40);
            assertThat(sealed.searchesInPlace(0)).isFalse();
            assertThat(sealed.searchesInPlace(1)).isTrue();
            db.updateCollection(c.config().withVectors(own.replacing(own.dense().get(1).with(8, 40, false))));
            assertThat(db.collection("own").store().view().sealed().getFirst().searchesInPlace(1)).isFalse();
            assertThatThrownBy(() -> db.updateCollection(db.collection("own").config().withVectors(own.replacing(
                    new VectorsConfig.Dense("b", DIM_B + 1, "cosine"))))).hasMessageContaining("cannot change");
        }
    }

    @Test
    void aSnapshotRestoresEveryVector() throws Exception {
        try (Database db = Database.open(dir)) {
            filled(db);
            db.createSnapshot("h", "s1");
            Collection copy;
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(db.snapshotFile("h", "s1"))) {
                copy = db.restoreSnapshot(in, "h-copy");
            }
            assertThat(copy.config().vectors()).isEqualTo(schema());
            assertThat(copy.count(null)).isEqualTo(N);
            checkSearches(copy);
        }
    }

    @Test
    void updatesAndDeletesOfOneVectorKeepTheOthers() throws Exception {
        try (Database db = Database.open(dir)) {
            Collection c = filled(db);
            PointId id = PointId.of(10); // has a, b, s, t
            float[] b = {1, 0, 0, 0, 0, 0};
            c.updateVectors(List.of(new Point(id, null, null, new Vectors(Map.of("b", b), Map.of()))));
            Record r = c.get(List.of(id), true, true).getFirst();
            assertThat(r.named().dense().get("a")).containsExactly(model.get(10).dense().get("a"));
            assertThat(r.named().dense().get("b")).containsExactly(b);
            assertThat(r.named().sparse()).isEqualTo(model.get(10).sparse());
            assertThat(r.payload().get("odd").asBoolean()).isFalse();

            assertThat(c.deleteVectors(List.of(id), null, Set.of("a", "s"))).isEqualTo(1);
            c.setPayload(List.of(id), null, Json.MAPPER.createObjectNode().put("tag", "x"), false, null);
            r = c.get(List.of(id), true, true).getFirst();
            assertThat(r.named().dense().keySet()).containsExactly("b");
            assertThat(r.named().sparse().keySet()).containsExactly("t");
            assertThat(r.payload().get("tag").asText()).isEqualTo("x");
            float[] a = model.get(10).dense().get("a");
            SearchRequest exactA = new SearchRequest(a, 5, null, 0, true, false, false, false).using("a", null);
            assertThat(ids(c.search(exactA))).doesNotContain(10);
            assertThat(ids(c.search(new SearchRequest(b, 1, null, 0, true, false, false, false).using("b", null))))
                    .containsExactly(10);
            c.flush();
            assertThat(ids(c.search(exactA))).doesNotContain(10);
            assertThat(c.get(List.of(id), false, true).getFirst().named().dense().keySet()).containsExactly("b");
        }
    }

    @Test
    void hybridFusionMatchesReciprocalRanksOfTheSeparateSearches() {
        try (Database db = Database.open(dir)) {
            Collection c = filled(db);
            Random r = new Random(9);
            float[] dense = dense(r, DIM_A);
            SparseVector sparse = sparse(r);
            SearchResult denseHits = c.search(new SearchRequest(dense, 20, null, 0, true, false, false, false).using("a", null));
            SearchResult sparseHits = c.search(new SearchRequest(null, 20, null, 0, false, false, false, false, 0, null, "s", sparse));
            Map<Integer, Double> rrf = new HashMap<>();
            for (SearchResult list : List.of(denseHits, sparseHits)) {
                for (int rank = 0; rank < list.points().size(); rank++) {
                    rrf.merge((int) list.points().get(rank).id().lsb(), 1.0 / (rank + 1 + 2 - 1), Double::sum);
                }
            }
            QueryRequest hybrid = new QueryRequest(List.of(
                    new QueryRequest.Prefetch(List.of(), new Query.Nearest(new Query.Input.Vector(dense), null), "a", null, 0, true,
                            null, 20),
                    new QueryRequest.Prefetch(List.of(), new Query.Nearest(new Query.Input.Sparse(sparse), null), "s", null, 0,
                            false, null, 20)),
                    new Query.Fusion(Query.FusionMethod.RRF, 2, null), null, null, 0, false, null, 10, 0, false, true, false);
            List<ScoredPoint> fused = QueryEngine.run(c, hybrid).points();
            assertThat(fused).hasSize(10);
            for (ScoredPoint p : fused) {
                assertThat((double) p.score()).isCloseTo(rrf.get((int) p.id().lsb()), within(1e-5));
                assertThat(p.named()).as("vectors asked for come by name").isNotNull();
            }
            List<Double> expected = rrf.values().stream().sorted(Comparator.reverseOrder()).limit(10).toList();
            for (int i = 0; i < 10; i++) {
                assertThat((double) fused.get(i).score()).as("fused rank %d", i).isCloseTo(expected.get(i), within(1e-5));
            }
            // A sparse prefetch re-ranked by the dense vector: exact dense scores of the sparse candidates.
            QueryRequest rerank = new QueryRequest(List.of(new QueryRequest.Prefetch(List.of(),
                    new Query.Nearest(new Query.Input.Sparse(sparse), null), "s", null, 0, false, null, 20)),
                    new Query.Nearest(new Query.Input.Vector(dense), null), "a", null, 0, false, null, 5, 0, false, false, false);
            List<Integer> candidates = ids(sparseHits).stream().filter(i -> model.get(i).dense().containsKey("a")).toList();
            List<Integer> want = candidates.stream().sorted(Comparator.comparingDouble(i -> euclidean(dense, model.get(i).dense().get("a"))))
                    .limit(5).toList();
            assertThat(QueryEngine.run(c, rerank).points().stream().map(p -> (int) p.id().lsb()).toList()).isEqualTo(want);
        }
    }

    @Test
    void badNamesAndShapesAreRefusedNamingTheField() {
        try (Database db = Database.open(dir)) {
            Collection c = db.createCollection(CollectionConfig.of("h", schema()));
            assertThatThrownBy(() -> c.upsert(List.of(new Point(PointId.of(1), null, null,
                    new Vectors(Map.of("zzz", new float[DIM_A]), Map.of())))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("points[0].vector.zzz");
            assertThatThrownBy(() -> c.upsert(List.of(new Point(PointId.of(1), null, null,
                    new Vectors(Map.of("a", new float[DIM_A + 1]), Map.of())))))
                    .hasMessageContaining("points[0].vector.a has dimension 9");
            assertThatThrownBy(() -> c.upsert(List.of(new Point(PointId.of(1), new float[DIM_A], null))))
                    .as("a plain vector is the one named \"\", which this collection lacks").hasMessageContaining("''");
            assertThatThrownBy(() -> c.search(new SearchRequest(new float[DIM_A], 3, null, 0, false, false, false, false)
                    .using("s", null))).hasMessageContaining("'s' is sparse");
            assertThatThrownBy(() -> c.search(new SearchRequest(null, 3, null, 0, false, false, false, false, 0, null, "a",
                    new SparseVector(new int[] {1}, new float[] {1})))).hasMessageContaining("no sparse vector named 'a'");
            assertThatThrownBy(() -> c.deleteVectors(List.of(PointId.of(1)), null, Set.of("nope")))
                    .hasMessageContaining("no vector named 'nope'");
            assertThat(c.count(null)).isZero();
        }
    }
}
