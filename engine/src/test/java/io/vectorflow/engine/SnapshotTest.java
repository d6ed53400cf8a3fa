package io.vectorflow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.storage.PointId;
import io.vectorflow.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotTest {

    @TempDir
    Path dir;

    private static List<Point> points(int n, int dim, long seed) {
        Random r = new Random(seed);
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[dim];
            for (int j = 0; j < dim; j++) {
                v[j] = (float) r.nextGaussian();
            }
            out.add(Point.of(i, v, Map.of("i", i, "even", i % 2 == 0)));
        }
        return out;
    }

    private static List<String> answers(Collection c, List<Point> queries) {
        List<String> out = new ArrayList<>();
        for (Point q : queries) {
            SearchResult r = c.search(SearchRequest.of(q.vector(), 5));
            // Ids and payloads exactly; scores are compared by scores() with a tolerance, since the
            // SIMD sum may round the last bit differently once compiled.
            out.add(r.points().stream().map(p -> p.id() + ":" + p.payload()).toList().toString());
        }
        return out;
    }

    private static float[] scores(Collection c, List<Point> queries) {
        List<Float> all = new ArrayList<>();
        for (Point q : queries) {
            c.search(SearchRequest.of(q.vector(), 5)).points().forEach(p -> all.add(p.score()));
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    void snapshotRestoresIntoANewCollectionAndOverTheSameOne() throws IOException {
        List<Point> pts = points(3_000, 16, 1);
        List<Point> queries = points(20, 16, 2);
        try (Database db = Database.open(dir.resolve("data"))) {
            Collection c = db.createCollection(CollectionConfig.of("docs", 16, "cosine").withSegmentCapacity(1_000));
            c.upsert(pts.subList(0, 2_500));
            c.delete(List.of(PointId.of(5), PointId.of(1_500)));
            List<String> before = answers(c, queries);
            float[] beforeScores = scores(c, queries);
            Path archive = db.createSnapshot("docs", "first");
            assertThat(db.listSnapshots("docs")).containsExactly("first");
            assertThat(archive).isRegularFile();

            c.upsert(pts.subList(2_500, 3_000)); // changes after the snapshot
            c.delete(List.of(PointId.of(7)));

            Collection copy;
            try (InputStream in = Files.newInputStream(db.snapshotFile("docs", "first"))) {
                copy = db.restoreSnapshot(in, "docs-copy");
            }
            assertThat(answers(copy, queries)).isEqualTo(before);
            assertThat(scores(copy, queries)).containsExactly(beforeScores, org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(copy.count(null)).isEqualTo(2_498);
            assertThat(copy.config().name()).isEqualTo("docs-copy");

            try (InputStream in = Files.newInputStream(archive)) {
                db.restoreSnapshot(in, "docs"); // over the same collection: back to snapshot time
            }
            Collection restored = db.collection("docs");
            assertThat(restored.count(null)).isEqualTo(2_498);
            assertThat(restored.get(List.of(PointId.of(7)), false, false)).hasSize(1);
            assertThat(answers(restored, queries)).isEqualTo(before);
            restored.upsert(pts.subList(2_500, 2_510)); // and it takes writes
            assertThat(restored.count(null)).isEqualTo(2_508);
        }
        try (Database db = Database.open(dir.resolve("data"))) {
            assertThat(db.listCollections()).containsExactly("docs", "docs-copy");
            assertThat(db.collection("docs-copy").count(null)).isEqualTo(2_498);
        }
    }

    private static byte[] tar(String... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String spec : entries) {
                String[] f = spec.split("=", 2);
                TarArchiveEntry e;
                boolean content = false;
                if (f[0].startsWith("symlink:")) {
                    e = new TarArchiveEntry(f[0].substring(8), TarConstants.LF_SYMLINK);
                    e.setLinkName(f[1]);
                } else if (f[0].startsWith("fifo:")) {
                    e = new TarArchiveEntry(f[0].substring(5), TarConstants.LF_FIFO);
                } else if (f[0].startsWith("hardlink:")) {
                    e = new TarArchiveEntry(f[0].substring(9), TarConstants.LF_LINK);
                    e.setLinkName(f[1]);
                } else {
                    e = new TarArchiveEntry(f[0], true);
                    e.setSize(f[1].length());
                    content = true;
                }
                tar.putArchiveEntry(e);
                if (content) {
                    tar.write(f[1].getBytes(StandardCharsets.UTF_8));
                }
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void hostileArchivesAreRefusedAndWriteNothingOutside() throws IOException {
        Path data = dir.resolve("data");
        try (Database db = Database.open(data)) {
            String[][] hostile = {
                {"../escaped=boom"},
                {"/tmp/absolute-vectorflow=boom"},
                {"segments/1/../../../escaped=boom"},
                {"symlink:MANIFEST=/etc/passwd"},
                {"hardlink:MANIFEST=/etc/passwd"},
                {"fifo:MANIFEST=x"},
                {"segments/1/run.sh=boom"},
                {".hidden=boom"},
                {"collection.json={}"}, // no MANIFEST: not a snapshot
            };
            for (String[] entries : hostile) {
                assertThatThrownBy(() -> db.restoreSnapshot(new ByteArrayInputStream(tar(entries)), "evil"))
                        .as("archive %s", List.of(entries))
                        .isInstanceOfAny(IllegalArgumentException.class, StorageException.class);
            }
            assertThatThrownBy(() -> db.restoreSnapshot(new ByteArrayInputStream("not a tar at all".getBytes()), "evil"))
                    .isInstanceOfAny(IllegalArgumentException.class, StorageException.class, IOException.class);
            assertThat(db.listCollections()).doesNotContain("evil");
            assertThatThrownBy(() -> db.createSnapshot("missing", "x")).isInstanceOf(NotFoundException.class);
            db.createCollection(CollectionConfig.of("ok", 4, "dot"));
            assertThatThrownBy(() -> db.createSnapshot("ok", "../../x")).hasMessageContaining("snapshot name");
        }
        assertThat(dir.resolve("escaped")).doesNotExist();
        assertThat(data.resolve("escaped")).doesNotExist();
        assertThat(data.resolve("tenants/default/escaped")).doesNotExist();
        assertThat(Path.of("/tmp/absolute-vectorflow")).doesNotExist();
    }
}
