package io.vectorflow.engine.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.engine.Aliases;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.NotFoundException;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.ScoredPoint;
import io.vectorflow.engine.filter.FilterParser;
import io.vectorflow.engine.index.FieldType;
import io.vectorflow.storage.PointId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query engine against brute force over the same points: fusion, re-ranking, recommendation
 * strategies, MMR, groups; payload indexes for text and datetimes against a scan; aliases across
 * a reopen.
 */
class QueryEngineTest {

    private static final int N = 2_000;
    private static final int DIM = 16;
    private static final String[] WORDS = {"red", "green", "blue", "fast", "slow", "cat", "dog", "bird"};

    @TempDir
    Path dir;

    private static float[] vector(Random r) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static Collection filled(Database db) {
        Collection c = db.createCollection(CollectionConfig.of("q", DIM, "cosine"));
        Random r = new Random(7);
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            String text = WORDS[i % 8] + " " + WORDS[(i / 8) % 8] + " " + WORDS[(i / 64) % 8];
            points.add(Point.of(i, vector(r), Map.of("g", "g" + (i % 13), "text", text,
                    "at", String.format("2024-%02d-%02dT10:00:00Z", 1 + i % 12, 1 + i % 28))));
        }
        c.upsert(points);
        c.store().awaitIndexing();
        return c;
    }

    private static double cosine(float[] a, float[] b) {
        double d = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return d / Math.sqrt(na * nb);
    }

    private static Map<PointId, float[]> all(Collection c) {
        Map<PointId, float[]> out = new HashMap<>();
        List<PointId> ids = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            ids.add(PointId.of(i));
        }
        c.get(ids, false, true).forEach(r -> out.put(r.id(), r.vector()));
        return out;
    }

    private static List<PointId> exact(Map<PointId, float[]> all, float[] q, int k) {
        return all.keySet().stream().sorted(Comparator.comparingDouble((PointId id) -> -cosine(all.get(id), q))
                .thenComparing(id -> id)).limit(k).toList();
    }

    private static QueryRequest request(List<QueryRequest.Prefetch> prefetch, Query q, int limit) {
        return new QueryRequest(prefetch, q, null, null, 0, true, null, limit, 0, false, false, false);
    }

    private static QueryRequest.Prefetch prefetch(float[] v, int limit) {
        return new QueryRequest.Prefetch(null, new Query.Nearest(new Query.Input.Vector(v), null), null, null, 0, true, null, limit);
    }

    @Test
    void rrfOfTwoPrefetchesIsRrfOfTheirExactRankings() {
        try (Database db = Database.open(dir)) {
            Collection c = filled(db);
            Map<PointId, float[]> all = all(c);
            Random r = new Random(1);
            float[] a = vector(r);
            float[] b = vector(r);
            List<ScoredPoint> got = QueryEngine.run(c, request(List.of(prefetch(a, 50), prefetch(b, 50)),
                    new Query.Fusion(Query.FusionMethod.RRF, 2, null), 20)).points();
            Map<PointId, Double> expected = new HashMap<>();
            for (List<PointId> ranking : List.of(exact(all, a, 50), exact(all, b, 50))) {
                for (int i = 0; i < ranking.size(); i++) {
                    expected.merge(ranking.get(i), 1.0 / (i + 2), Double::sum);
                }
            }
            for (ScoredPoint p : got) {
                assertThat((double) p.score()).isCloseTo(expected.get(p.id()), org.assertj.core.data.Offset.offset(1e-6));
            }
            double twentieth = expected.values().stream().sorted(Comparator.reverseOrder()).skip(19).findFirst().orElseThrow();
            assertThat(got).hasSize(20).allSatisfy(p -> assertThat((double) p.score()).isGreaterThanOrEqualTo(twentieth - 1e-6));
        }
    }

    @Test
    void dbsfNormalisesEachListByMeanAndThreeDeviations() {
        Ranking one = new Ranking(List.of(new ScoredPoint(PointId.of(1), 3, null, null), new ScoredPoint(PointId.of(2), 1, null, null)),
                true);
        Ranking two = new Ranking(List.of(new ScoredPoint(PointId.of(2), 10, null, null)), true);
        Map<PointId, Float> scores = new HashMap<>();
        Ranking.dbsf(List.of(one, two), null).points().forEach(p -> scores.put(p.id(), p.score()));
        double sd = Math.sqrt(2); // sample deviation of {3, 1}
        double low = 2 - 3 * sd;
        assertThat((double) scores.get(PointId.of(1))).isCloseTo((3 - low) / (6 * sd), org.assertj.core.data.Offset.offset(1e-6));
        assertThat((double) scores.get(PointId.of(2))).isCloseTo((1 - low) / (6 * sd) + 0.5, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void rerankingAPrefetchScoresItsCandidatesExactly() {
        try (Database db = Database.open(dir)) {
            Collection c = filled(db);
            Map<PointId, float[]> all = all(c);
            Random r = new Random(2);
            float[] a = vector(r);
            float[] b = vector(r);
            Set<PointId> candidates = new HashSet<>(exact(all, a, 100));
            List<PointId> expected = candidates.stream().sorted(Comparator.comparingDouble((PointId id) -> -cosine(all.get(id), b))
                    .thenComparing(id -> id)).limit(10).toList();
            List<ScoredPoint> got = QueryEngine.run(c, request(List.of(prefetch(a, 100)),
                    new Query.Nearest(new Query.Input.Vector(b), null), 10)).points();
            assertThat(got.stream().map(ScoredPoint::id).toList()).isEqualTo(expected);
        }
    }

    @Test
    void bestScoreAndSumScoresMatchTheirDefinitionsOverEveryPoint() {
        try (Database db = Database.open(dir)) {
            Collection c = filled(db);
            Map<PointId, float[]> all = all(c);
            List<PointId> pos = List.of(PointId.of(3), PointId.of(77));
            List<PointId> neg = List.of(PointId.of(500));
            for (Query.Strategy strategy : List.of(Query.Strategy.BEST_SCORE, Query.Strategy.SUM_SCORES)) {
                Map<PointId, Double> score = new HashMap<>();
                for (PointId id : all.keySet()) {
                    if (pos.contains(id) || neg.contains(id)) {
                        continue;
                    }
                    double bp = pos.stream().mapToDouble(p -> cosine(all.get(p), all.get(id))).max().orElseThrow();
                    double bn = neg.stream().mapToDouble(p -> cosine(all.get(p), all.get(id))).max().orElseThrow();
                    double sum = pos.stream().mapToDouble(p -> cosine(all.get(p), all.get(id))).sum()
                            - neg.stream().mapToDouble(p -> cosine(all.get(p), all.get(id))).sum();
                    score.put(id, strategy == Query.Strategy.SUM_SCORES ? sum
                            : bp > bn ? 0.5 * (bp / (1 + Math.abs(bp)) + 1) : -0.5 * (bn / (1 + Math.abs(bn)) + 1));
                }
                List<PointId> expected = score.keySet().stream().sorted(Comparator.comparingDouble((PointId id) -> -score.get(id))
                        .thenComparing(id -> id)).limit(10).toList();
                Query q = new Query.Recommend(pos.stream().map(id -> (Query.Input) new Query.Input.Point(id)).toList(),
                        neg.stream().map(id -> (Query.Input) new Query.Input.Point(id)).toList(), strategy);
                List<ScoredPoint> got = QueryEngine.run(c, request(List.of(), q, 10)).points();
                assertThat(got.stream().map(ScoredPoint::id).toList()).as(strategy.name()).isEqualTo(expected);
            }
            assertThatThrownBy(() -> QueryEngine.run(c, request(List.of(), new Query.Recommend(
                    List.of(new Query.Input.Point(PointId.of(99_999))), List.of(), Query.Strategy.AVERAGE_VECTOR), 3)))
                    .isInstanceOf(NotFoundException.class);
        }
    }

    @Test
    void mmrStartsWithTheNearestAndTradesRelevanceForDiversity() {
        try (Database db = Database.open(dir)) {
            Collection c = filled(db);
            Map<PointId, float[]> all = all(c);
            float[] q = all.get(PointId.of(10));
            List<ScoredPoint> relevance = QueryEngine.run(c, request(List.of(),
                    new Query.Nearest(new Query.Input.Vector(q), new Query.Mmr(0, 50)), 5)).points();
            assertThat(relevance.stream().map(ScoredPoint::id).toList()).isEqualTo(exact(all, q, 5));
            List<ScoredPoint> diverse = QueryEngine.run(c, request(List.of(),
                    new Query.Nearest(new Query.Input.Vector(q), new Query.Mmr(1, 50)), 5)).points();
            assertThat(diverse.getFirst().id()).isEqualTo(PointId.of(10));
            double spreadRelevance = meanPairwise(relevance, all);
            double spreadDiverse = meanPairwise(diverse, all);
            assertThat(spreadDiverse).as("chosen points are less alike").isLessThan(spreadRelevance);
        }
    }

    private static double meanPairwise(List<ScoredPoint> points, Map<PointId, float[]> all) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < points.size(); i++) {
            for (int j = i + 1; j < points.size(); j++) {
                sum += cosine(all.get(points.get(i).id()), all.get(points.get(j).id()));
                n++;
            }
        }
        return sum / n;
    }

    @Test
    void groupsHoldAtMostTheirSizeOfTheBestPointsForEachValue() {
        try (Database db = Database.open(dir)) {
            Collection c = filled(db);
            Map<PointId, float[]> all = all(c);
            float[] q = all.get(PointId.of(5));
            Groups.Result g = Groups.run(c, request(List.of(), new Query.Nearest(new Query.Input.Vector(q), null), 1), "g", 3, 4);
            assertThat(g.groups()).hasSize(4);
            for (Groups.Group group : g.groups()) {
                assertThat(group.hits()).hasSize(3).allSatisfy(p -> assertThat("g" + (p.id().lsb() % 13)).isEqualTo(group.id()));
                List<PointId> best = all.keySet().stream().filter(id -> ("g" + (id.lsb() % 13)).equals(group.id()))
                        .sorted(Comparator.comparingDouble((PointId id) -> -cosine(all.get(id), q)).thenComparing(id -> id))
                        .limit(3).toList();
                assertThat(group.hits().stream().map(ScoredPoint::id).toList()).isEqualTo(best);
            }
        }
    }

    @Test
    void textAndDatetimeIndexesAnswerAsAScanDoes() throws Exception {
        try (Database db = Database.open(dir)) {
            Collection c = filled(db);
            String[] filters = {
                "{\"must\": [{\"key\": \"text\", \"match\": {\"text\": \"Red cat\"}}]}",
                "{\"must\": [{\"key\": \"text\", \"match\": {\"phrase\": \"cat red\"}}]}",
                "{\"should\": [{\"key\": \"text\", \"match\": {\"text\": \"dog\"}}, {\"key\": \"g\", \"match\": {\"value\": \"g1\"}}]}",
                "{\"must\": [{\"key\": \"at\", \"range\": {\"gte\": \"2024-03-01T00:00:00Z\", \"lt\": \"2024-05-10\"}}]}",
                "{\"must_not\": [{\"key\": \"at\", \"range\": {\"gt\": \"2024-06-30T23:59:59+02:00\"}}]}",
            };
            long[] scanned = new long[filters.length];
            for (int i = 0; i < filters.length; i++) {
                scanned[i] = c.count(FilterParser.parse(io.vectorflow.engine.Json.MAPPER.readTree(filters[i]), "filter"));
                assertThat(scanned[i]).as(filters[i]).isPositive().isLessThan(N);
            }
            c.createPayloadIndex("text", FieldType.TEXT);
            c.createPayloadIndex("at", FieldType.DATETIME);
            for (int i = 0; i < filters.length; i++) {
                assertThat(c.count(FilterParser.parse(io.vectorflow.engine.Json.MAPPER.readTree(filters[i]), "filter")))
                        .as(filters[i]).isEqualTo(scanned[i]);
            }
        }
    }

    @Test
    void aliasesSurviveAReopenAndGoWithTheirCollection() {
        try (Database db = Database.open(dir)) {
            db.createCollection(CollectionConfig.of("a", 2, "dot"));
            db.createCollection(CollectionConfig.of("b", 2, "dot"));
            db.updateAliases(List.of(new Aliases.Action.Create("a", "live"), new Aliases.Action.Create("b", "other")));
            assertThatThrownBy(() -> db.updateAliases(List.of(new Aliases.Action.Create("b", "live"),
                    new Aliases.Action.Create("a", "b")))).isInstanceOf(IllegalArgumentException.class);
            assertThat(db.collection("live").name()).as("a failed batch changes nothing").isEqualTo("a");
        }
        try (Database db = Database.open(dir)) {
            assertThat(db.collection("live").name()).isEqualTo("a");
            assertThat(db.aliases().of("b")).containsExactly("other");
            db.dropCollection("b");
            assertThat(db.aliases().all()).containsOnlyKeys("live");
        }
    }
}
