package io.vectorflow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.engine.filter.Condition;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.storage.PointId;
import io.vectorflow.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedded example, as written there, plus how a damaged collection is reported. */
class ReadmeExampleTest {

    @TempDir
    Path tmp;

    private static float[] embedding(long seed) {
        Random r = new Random(seed);
        float[] v = new float[384];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void readmeExampleRuns() {
        float[] embedding1 = embedding(1), embedding2 = embedding(2), query = embedding(1);
        try (Database db = Database.open(tmp.resolve("vectorflow-data"))) {
            Collection docs = db.createCollection(CollectionConfig.of("docs", 384, "cosine"));
            docs.upsert(List.of(
                    Point.of(1, embedding1, Map.of("lang", "en", "year", 2024)),
                    Point.of(UUID.randomUUID(), embedding2, Map.of("lang", "de"))));

            SearchResult hits = docs.search(SearchRequest.of(query, 10)
                    .withFilter(Filter.must(new Condition.Match("lang", "en"),
                                            new Condition.Range("year", null, 2020.0, null, null))));
            assertThat(hits.points()).extracting(ScoredPoint::id).containsExactly(PointId.of(1));
            assertThat(hits.points().getFirst().score()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(hits.cacheHitRate()).isEqualTo(1.0); // loaded into memory: every read resident
            assertThat(hits.costUsd()).isPositive();
            docs.createPayloadIndex("lang", io.vectorflow.engine.index.FieldType.KEYWORD);
            assertThat(docs.payloadSchema()).containsKey("lang");

            assertThat(docs.get(List.of(PointId.of(1)), true, false)).hasSize(1);
            assertThat(docs.scroll(null, 100, null, true, false).points()).hasSize(2);
            assertThat(docs.count(Filter.mustNot(new Condition.IsEmpty("lang")))).isEqualTo(2);
            assertThat(docs.delete(List.of(PointId.of(1)))).isEqualTo(1);

            Path archive = db.createSnapshot("docs", "nightly");   // point-in-time copy, a tar file
            try (java.io.InputStream in = Files.newInputStream(archive)) {
                db.restoreSnapshot(in, "docs-restored");           // into a new (or the same) collection
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertThat(db.collection("docs-restored").count(null)).isEqualTo(1);
        }
    }

    @Test
    void aDamagedCollectionIsReportedAndTheOthersStillOpen() throws IOException {
        Path data = tmp.resolve("data");
        try (Database db = Database.open(data)) {
            for (String name : List.of("good", "bad")) {
                Collection c = db.createCollection(CollectionConfig.of(name, 384, "dot"));
                c.upsert(List.of(Point.of(1, embedding(3)), Point.of(2, embedding(4))));
            }
        }
        Path vectors;
        try (Stream<Path> s = Files.walk(data.resolve("tenants/default/collections/bad/segments"))) {
            vectors = s.filter(p -> p.endsWith("vectors.f32")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(vectors, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 500);
        }
        try (Database db = Database.open(data)) {
            assertThat(db.listCollections()).containsExactly("bad", "good");
            assertThat(db.collection("good").count(null)).isEqualTo(2);
            assertThatThrownBy(() -> db.collection("bad")).isInstanceOf(StorageException.class)
                    .hasMessageContaining("could not be opened").hasMessageContaining("vector file checksum mismatch");
            assertThat(db.failedCollections()).containsKey("bad");
            assertThat(db.dropCollection("bad")).isTrue(); // and it can be dropped
        }
    }
}
