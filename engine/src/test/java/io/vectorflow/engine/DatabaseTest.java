package io.vectorflow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.core.metric.Metrics;
import io.vectorflow.engine.filter.Condition;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.storage.PointId;
import io.vectorflow.storage.StorageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    @TempDir
    Path dir;

    private static float[] randomVector(Random r, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static List<Point> points(int from, int count, int dim) {
        Random r = new Random(from);
        List<Point> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(Point.of(i, randomVector(r, dim), Map.of("n", i, "color", i % 3 == 0 ? "red" : "blue",
                    "tags", List.of("t" + (i % 5), "all"))));
        }
        return out;
    }

    @Test
    void payloadIndexesSurviveAReopenAndAnswerCounts() {
        try (Database db = Database.open(dir)) {
            Collection c = db.createCollection(CollectionConfig.of("idx", 4, "euclidean").withSegmentCapacity(60));
            List<Point> points = new java.util.ArrayList<>();
            for (int i = 0; i < 150; i++) {
                points.add(Point.of(i, new float[] {i, 1, 2, 3}, Map.of("k", i % 3 == 0 ? "a" : "b", "n", i)));
            }
            c.upsert(points);
            c.createPayloadIndex("k", io.vectorflow.engine.index.FieldType.KEYWORD);
            c.createPayloadIndex("n", io.vectorflow.engine.index.FieldType.INTEGER);
            assertThat(c.count(Filter.must(new Condition.Match("k", "a")))).isEqualTo(50);
        }
        try (Database db = Database.open(dir)) { // bitmaps rebuilt in the background from the stored payloads
            Collection c = db.collection("idx");
            assertThat(c.payloadSchema()).containsOnlyKeys("k", "n");
            assertThat(c.count(Filter.must(new Condition.Match("k", "a")))).isEqualTo(50);
            assertThat(c.count(Filter.must(new Condition.Range("n", null, 10.0, 20.0, null)))).isEqualTo(10);
            assertThat(c.payloadIndexPoints("n")).isEqualTo(150);
            assertThat(c.dropPayloadIndex("n")).isTrue();
        }
        try (Database db = Database.open(dir)) {
            assertThat(db.collection("idx").payloadSchema()).containsOnlyKeys("k");
        }
    }

    @Test
    void collectionsAreCreatedListedDroppedAndNamesValidated() {
        try (Database db = Database.open(dir)) {
            db.createCollection(CollectionConfig.of("a", 4, "cosine"));
            db.createCollection(CollectionConfig.of("b", 4, "l2"));
            assertThat(db.listCollections()).containsExactly("a", "b");
            assertThatThrownBy(() -> db.createCollection(CollectionConfig.of("a", 4, "dot")))
                    .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("'a'");
            for (String bad : new String[] {"", "..", "../x", "a/b", ".hidden", "x".repeat(200), "a\u0000b"}) {
                assertThatThrownBy(() -> CollectionConfig.of(bad, 4, "cosine")).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("collection name");
            }
            assertThatThrownBy(() -> CollectionConfig.of("c", 4, "hamming")).hasMessageContaining("unknown metric");
            assertThatThrownBy(() -> CollectionConfig.of("c", 0, "dot")).hasMessageContaining("dimension");
            assertThat(db.dropCollection("a")).isTrue();
            assertThat(db.dropCollection("a")).isFalse();
            assertThatThrownBy(() -> db.collection("a")).isInstanceOf(NotFoundException.class);
        }
        try (Database db = Database.open(dir)) {
            assertThat(db.listCollections()).containsExactly("b");
            assertThat(db.collection("b").config().metric()).isEqualTo("euclidean");
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefused() {
        try (Database db = Database.open(dir)) {
            assertThatThrownBy(() -> Database.open(dir)).isInstanceOf(StorageException.class).hasMessageContaining("in use");
        }
    }

    @Test
    void upsertGetSearchDeleteAndReopen() {
        int dim = 16;
        List<Point> pts = points(0, 500, dim);
        try (Database db = Database.open(dir)) {
            Collection c = db.createCollection(CollectionConfig.of("docs", dim, "euclidean").withSegmentCapacity(200));
            c.upsert(pts.subList(0, 250));
            c.upsert(pts.subList(250, 500));
            assertThat(c.count(null)).isEqualTo(500);
            assertThat(c.segmentCount()).isEqualTo(3); // a full segment per batch (batches are never split), an empty mutable one
            // Each point finds itself first, with distance 0, wherever it lives.
            for (int i = 0; i < 500; i += 37) {
                SearchResult r = c.search(SearchRequest.of(pts.get(i).vector(), 3));
                assertThat(r.points().getFirst().id()).isEqualTo(PointId.of(i));
                assertThat(r.points().getFirst().score()).isZero();
                assertThat(r.points().getFirst().payload().get("n").asInt()).isEqualTo(i);
                assertThat(r.segmentsSearched()).isEqualTo(2); // the empty one is skipped
                assertThat(r.vectorsScanned()).isPositive();
            }
            List<Record> got = c.get(List.of(PointId.of(7), PointId.of(9999), PointId.of(3)), true, true);
            assertThat(got).extracting(Record::id).containsExactly(PointId.of(7), PointId.of(3));
            assertThat(got.getFirst().vector()).containsExactly(pts.get(7).vector());
            assertThat(c.delete(List.of(PointId.of(7), PointId.of(400)))).isEqualTo(2);
            assertThat(c.search(SearchRequest.of(pts.get(7).vector(), 1)).points().getFirst().id()).isNotEqualTo(PointId.of(7));
            c.upsert(List.of(Point.of(3, pts.get(100).vector(), Map.of("moved", true))));
            assertThat(c.count(null)).isEqualTo(498);
        }
        try (Database db = Database.open(dir)) {
            Collection c = db.collection("docs");
            assertThat(c.count(null)).isEqualTo(498);
            assertThat(c.get(List.of(PointId.of(7)), true, false)).isEmpty();
            Record moved = c.get(List.of(PointId.of(3)), true, true).getFirst();
            assertThat(moved.payload().get("moved").asBoolean()).isTrue();
            assertThat(moved.vector()).containsExactly(pts.get(100).vector());
        }
    }

    @Test
    void filtersSelectByPayloadAndIdAndFallBackToExactWhenSelective() {
        int dim = 8;
        try (Database db = Database.open(dir)) {
            Collection c = db.createCollection(CollectionConfig.of("f", dim, "cosine"));
            c.upsert(points(0, 600, dim));
            float[] q = points(1000, 1, dim).getFirst().vector();
            Filter red = Filter.must(new Condition.Match("color", "red"));
            SearchResult r = c.search(SearchRequest.of(q, 10).withFilter(red));
            assertThat(r.points()).hasSize(10).allMatch(p -> p.payload().get("color").asText().equals("red"));
            // The filtered graph walk agrees with an exact scan.
            SearchResult exact = c.search(SearchRequest.of(q, 10).withFilter(red).withExact(true));
            assertThat(r.points()).extracting(ScoredPoint::id).containsExactlyElementsOf(
                    exact.points().stream().map(ScoredPoint::id).toList());
            // Very selective: two points match; both are found.
            Filter two = Filter.must(new Condition.Range("n", null, 10.0, null, 11.0));
            SearchResult few = c.search(SearchRequest.of(q, 5).withFilter(two));
            assertThat(few.points()).extracting(ScoredPoint::id).containsExactlyInAnyOrder(PointId.of(10), PointId.of(11));
            assertThat(few.strategy()).isEqualTo("exact"); // the planner sees from a sample that few points match
            Filter ids = Filter.must(new Condition.HasId(Set.of(PointId.of(5), PointId.of(6))));
            assertThat(c.count(ids)).isEqualTo(2);
            assertThat(c.count(Filter.must(new Condition.Match("tags", "t2")))).isEqualTo(120); // arrays match any element
            assertThat(c.count(Filter.mustNot(new Condition.Match("color", "red")))).isEqualTo(400);
            assertThat(c.delete(Filter.must(new Condition.MatchAny("color", List.of("red"))))).isEqualTo(200);
            assertThat(c.count(null)).isEqualTo(400);
        }
    }

    @Test
    void scrollWalksIdsInOrderAcrossSegmentsNumbersBeforeUuids() {
        try (Database db = Database.open(dir)) {
            Collection c = db.createCollection(CollectionConfig.of("s", 4, "dot").withSegmentCapacity(50));
            List<Point> pts = new ArrayList<>();
            Random r = new Random(3);
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < 180; i++) {
                ids.add(i * 3);
            }
            java.util.Collections.shuffle(ids, r);
            for (int id : ids) {
                pts.add(Point.of(id, randomVector(r, 4)));
            }
            UUID u1 = new UUID(1, 2), u2 = new UUID(-1, 5);
            pts.add(Point.of(u2, randomVector(r, 4), Map.of()));
            pts.add(Point.of(u1, randomVector(r, 4), null));
            pts.add(Point.of(-1L, randomVector(r, 4))); // 2^64 - 1: the largest unsigned id
            c.upsert(pts);
            c.delete(List.of(PointId.of(9)));
            List<PointId> seen = new ArrayList<>();
            PointId offset = null;
            do {
                ScrollPage page = c.scroll(offset, 17, null, false, false);
                page.points().forEach(p -> seen.add(p.id()));
                offset = page.nextOffset();
            } while (offset != null);
            assertThat(seen).hasSize(182).isSorted().doesNotContain(PointId.of(9));
            assertThat(seen.get(179)).isEqualTo(PointId.of(-1L));
            assertThat(seen.subList(180, 182)).containsExactly(PointId.of(u1), PointId.of(u2));
        }
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        try (Database db = Database.open(dir)) {
            Collection c = db.createCollection(CollectionConfig.of("v", 3, "cosine"));
            assertThatThrownBy(() -> c.upsert(List.of(Point.of(1, new float[] {1, Float.NaN, 0}))))
                    .hasMessageContaining("points[0].vector[1]");
            assertThatThrownBy(() -> c.upsert(List.of(Point.of(1, new float[] {1, 2}))))
                    .hasMessageContaining("points[0].vector").hasMessageContaining("dimension 2");
            assertThatThrownBy(() -> c.search(SearchRequest.of(new float[] {1, 2, Float.POSITIVE_INFINITY}, 3)))
                    .hasMessageContaining("vector[2]");
            assertThatThrownBy(() -> SearchRequest.of(new float[3], 0)).hasMessageContaining("limit");
            assertThatThrownBy(() -> PointId.parse("-5")).hasMessageContaining("unsigned");
            assertThatThrownBy(() -> PointId.parse("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz")).hasMessageContaining("UUID");
            assertThat(c.count(null)).isZero();
        }
    }

    @Test
    void metricsScoreAsQdrantReportsThem() {
        try (Database db = Database.open(dir)) {
            Collection c = db.createCollection(CollectionConfig.of("m", 2, "cosine"));
            c.upsert(List.of(Point.of(1, new float[] {3, 0}), Point.of(2, new float[] {0, 5})));
            SearchResult r = c.search(SearchRequest.of(new float[] {1, 1}, 2).withVectors(true));
            assertThat(r.points().getFirst().score()).isCloseTo((float) Math.sqrt(0.5), org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(r.points().getFirst().vector()).containsExactly(Metrics.COSINE.prepare(new float[] {3, 0}));
        }
    }

    @Test
    void freshPointsAreFoundBeforeTheIndexerHasLinkedThem() {
        int dim = 32;
        try (Database db = Database.open(dir, Database.Options.defaults().withMaxUnindexed(1_000_000))) {
            Collection c = db.createCollection(CollectionConfig.of("fresh", dim, "euclidean").withHnsw(16, 400));
            List<Point> pts = points(0, 20_000, dim);
            c.upsert(pts);
            // Straight after the write returns, most points are not in the graph yet: the search
            // scans that tail exactly, so every one of them is found.
            assertThat(c.store().unindexedPoints()).isPositive();
            for (int i = 19_999; i >= 19_000; i -= 111) {
                SearchResult r = c.search(SearchRequest.of(pts.get(i).vector(), 1));
                assertThat(r.points().getFirst().id()).isEqualTo(PointId.of(i));
            }
            assertThat(c.count(null)).isEqualTo(20_000);
        }
    }
}
