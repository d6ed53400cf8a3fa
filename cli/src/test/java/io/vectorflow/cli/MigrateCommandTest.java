package io.vectorflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.cli.load.Importer;
import io.vectorflow.cli.load.QdrantSource;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Point;
import io.vectorflow.server.VectorFlowServer;
import io.vectorflow.storage.PointId;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vectorflow migrate --source qdrant} between two real servers speaking Qdrant's REST API
 * (the source a second VectorFlow server with an API key): every point arrives with its vector
 * and payload, an interrupted migration resumes and resends fewer than 60% of the points, and the
 * verification at the end passes (and fails when the target differs).
 */
class MigrateCommandTest {

    @TempDir
    Path dir;

    @Test
    void copiesAQdrantCollectionResumingAfterAnInterruptionAndVerifies() throws Exception {
        int n = 6_000;
        String sourceKey = "source-key-0123456789";
        try (Database src = Database.open(dir.resolve("src"));
             VectorFlowServer source = VectorFlowServer.start(src, VectorFlowServer.Settings.of("127.0.0.1", 0)
                     .withKeys(new VectorFlowServer.Keys(sourceKey, null)));
             Database dst = Database.open(dir.resolve("dst"));
             VectorFlowServer target = VectorFlowServer.start(dst, "127.0.0.1", 0)) {
            Collection c = src.createCollection(CollectionConfig.of("docs", 12, "euclid"));
            Random r = new Random(5);
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                float[] v = new float[12];
                for (int j = 0; j < 12; j++) {
                    v[j] = (float) r.nextGaussian();
                }
                Object id = i % 10 == 0 ? UUID.nameUUIDFromBytes(new byte[] {(byte) i, (byte) (i >> 8)}) : (Object) (long) i;
                points.add(id instanceof UUID u ? Point.of(u, v, Map.of("i", i, "tags", List.of("x", "y")))
                        : Point.of((long) id, v, i % 3 == 0 ? Map.of() : Map.of("i", i, "nested", Map.of("k", "é"))));
            }
            c.upsert(points);
            URI from = URI.create("http://127.0.0.1:" + source.port());
            URI to = URI.create("http://127.0.0.1:" + target.port());
            dst.createCollection(CollectionConfig.of("copy", 12, "euclid"));
            Path progress = dir.resolve("m.progress");
            AtomicLong done = new AtomicLong();
            Importer.Outcome first;
            try (QdrantSource s = new QdrantSource(from, "docs", sourceKey)) {
                assertThat(s.size()).isEqualTo(n);
                first = new Importer(new Importer.Settings(to, "copy", null, 250, 4, progress))
                        .run(s, p -> done.set(p.done()), () -> done.get() >= n / 2);
            }
            assertThat(first.sent()).isBetween((long) n / 2, (long) n / 2 + 5 * 250);
            Importer.Outcome second;
            try (QdrantSource s = new QdrantSource(from, "docs", sourceKey)) {
                second = new Importer(new Importer.Settings(to, "copy", null, 250, 4, progress)).run(s, p -> { }, () -> false);
            }
            assertThat(second.skipped()).isGreaterThanOrEqualTo(n / 2);
            assertThat(second.sent()).as("points sent again after resuming").isLessThan((long) n * 6 / 10);
            Collection copy = dst.collection("copy");
            assertThat(copy.count(null)).isEqualTo(n);
            for (int i : new int[] {1, 10, 2_999, n - 1}) {
                PointId id = i % 10 == 0 ? PointId.of(UUID.nameUUIDFromBytes(new byte[] {(byte) i, (byte) (i >> 8)})) : PointId.of(i);
                var a = src.collection("docs").get(List.of(id), true, true).getFirst();
                var b = copy.get(List.of(id), true, true).getFirst();
                assertThat(b.vector()).containsExactly(a.vector());
                assertThat(b.payload()).isEqualTo(a.payload());
            }
            // Run again: the copy is complete, nothing is sent, and the verification sees a point changed on the target.
            copy.upsert(List.of(Point.of(1, new float[12], Map.of())));
            String[] again = {"migrate", "--source", "qdrant", "--source-url", from.toString(), "--source-collection", "docs",
                    "--source-api-key", sourceKey, "--target", to.toString(), "--collection", "copy", "--checkpoint",
                    progress.toString(), "--verify-sample", String.valueOf(n)};
            assertThat(new CommandLine(new Main()).execute(again)).as("verification of a changed target").isEqualTo(1);
            String[] restart = java.util.Arrays.copyOf(again, again.length + 1);
            restart[again.length] = "--restart";
            assertThat(new CommandLine(new Main()).execute(restart)).as("a full copy again repairs it").isZero();
        }
    }
}
