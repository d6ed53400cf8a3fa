package io.vectorflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.cli.load.Importer;
import io.vectorflow.cli.load.VectorSource;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.Database;
import io.vectorflow.server.VectorFlowServer;
import io.vectorflow.storage.PointId;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vectorflow import} of Parquet files written by parquet-java: the standard LIST layout
 * and a legacy repeated field, plain columns and a JSON payload column, several row groups and
 * codecs; into a real server over the {@code vectorflow.v1} gRPC API and Qdrant's gRPC API;
 * a stopped import resumes in the middle of the file.
 */
class ParquetImportTest {

    @TempDir
    Path dir;

    private static final MessageType LISTS = MessageTypeParser.parseMessageType("""
            message points {
              required int64 id;
              required group vector (LIST) { repeated group list { required float element; } }
              optional binary title (STRING);
              required int32 n;
              optional double score;
              optional group tags (LIST) { repeated group list { optional binary element (STRING); } }
            }""");

    private static final MessageType LEGACY = MessageTypeParser.parseMessageType("""
            message points {
              required binary key (STRING);
              repeated double embedding;
              optional binary payload (STRING);
            }""");

    private static float[] vector(Random r, int dim) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = (float) r.nextGaussian();
        }
        return v;
    }

    /** {@code n} rows of {@link #LISTS} with {@code codec}, in row groups of about 32 KiB. */
    private static float[][] writeLists(Path file, int n, int dim, CompressionCodecName codec) throws Exception {
        Random r = new Random(3);
        float[][] data = new float[n][];
        SimpleGroupFactory rows = new SimpleGroupFactory(LISTS);
        try (var w = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(LISTS).withCompressionCodec(codec)
                .withRowGroupSize(32L << 10).withPageSize(8 << 10).build()) {
            for (int i = 0; i < n; i++) {
                data[i] = vector(r, dim);
                Group g = rows.newGroup().append("id", (long) i * 10);
                Group list = g.addGroup("vector");
                for (float x : data[i]) {
                    list.addGroup("list").append("element", x);
                }
                if (i % 7 != 0) {
                    g.append("title", "doc " + i + " — été");
                }
                g.append("n", i).append("score", i / 4.0);
                Group tags = g.addGroup("tags");
                tags.addGroup("list").append("element", "t" + i % 3);
                tags.addGroup("list").append("element", "all");
                w.write(g);
            }
        }
        return data;
    }

    @Test
    void listColumnsAndPlainColumnsArriveExactlyOverGrpcAndAStoppedImportResumes() throws Exception {
        int n = 6_000;
        Path file = dir.resolve("points.parquet");
        float[][] data = writeLists(file, n, 24, CompressionCodecName.ZSTD);
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer s = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0))) {
            String grpc = "grpc://127.0.0.1:" + s.grpcPort();
            CommandLine cli = new CommandLine(new Main());
            assertThat(cli.execute("import", file.toString(), "--url", grpc, "--collection", "docs", "--create", "--metric", "Euclid",
                    "--batch", "700", "--checkpoint", dir.resolve("docs.progress").toString())).isZero();
            Collection c = db.collection("docs");
            assertThat(c.count(null)).isEqualTo(n);
            for (int i : new int[] {0, 1, 2_999, n - 1}) {
                var rec = c.get(List.of(PointId.of(i * 10L)), true, true).getFirst();
                assertThat(rec.vector()).containsExactly(data[i]);
                assertThat(rec.payload().path("n").asInt()).isEqualTo(i);
                assertThat(rec.payload().path("score").asDouble()).isEqualTo(i / 4.0);
                assertThat(rec.payload().path("tags").toString()).isEqualTo("[\"t" + i % 3 + "\",\"all\"]");
                assertThat(rec.payload().has("title")).isEqualTo(i % 7 != 0);
            }
            assertThat(c.get(List.of(PointId.of(10)), true, false).getFirst().payload().path("title").asText()).isEqualTo("doc 1 — été");

            // stopped near half way, then resumed: the skipped part spans whole row groups and part of one
            db.createCollection(io.vectorflow.engine.CollectionConfig.of("again", 24, "euclid"));
            Importer.Settings settings = new Importer.Settings(URI.create(grpc), "again", null, 500, 2, dir.resolve("again.progress"));
            AtomicLong seen = new AtomicLong();
            try (Importer first = new Importer(settings); VectorSource src = VectorSource.open(file, "auto")) {
                first.run(src, p -> seen.set(p.done()), () -> seen.get() >= n / 2);
            }
            Importer.Outcome second;
            try (Importer rest = new Importer(settings); VectorSource src = VectorSource.open(file, "auto")) {
                second = rest.run(src, p -> { }, () -> false);
            }
            assertThat(second.skipped()).isGreaterThanOrEqualTo(n / 2);
            assertThat(second.sent()).isLessThan((long) n * 6 / 10);
            assertThat(db.collection("again").count(null)).isEqualTo(n);
            assertThat(db.collection("again").get(List.of(PointId.of((n - 1) * 10L)), false, true).getFirst().vector())
                    .containsExactly(data[n - 1]);

            assertThat(cli.execute("import", file.toString(), "--url", grpc, "--collection", "x", "--create",
                    "--vector-column", "nope", "--checkpoint", dir.resolve("x.progress").toString())).isNotZero();
            assertThatThrownBy(() -> VectorSource.open(file, "parquet", null, "nope")).hasMessageContaining("--vector-column")
                    .hasMessageContaining("id, vector, title, n, score, tags");
        }
    }

    @Test
    void legacyRepeatedVectorsUuidKeysAndJsonPayloadsArriveOverQdrantsGrpcApi() throws Exception {
        Path file = dir.resolve("legacy.parquet");
        Random r = new Random(5);
        int n = 500;
        float[][] data = new float[n][];
        UUID[] ids = new UUID[n];
        SimpleGroupFactory rows = new SimpleGroupFactory(LEGACY);
        try (var w = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(LEGACY)
                .withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
            for (int i = 0; i < n; i++) {
                data[i] = vector(r, 12);
                ids[i] = new UUID(r.nextLong(), r.nextLong());
                Group g = rows.newGroup().append("key", ids[i].toString());
                for (float x : data[i]) {
                    g.append("embedding", (double) x);
                }
                g.append("payload", "{\"lang\": \"" + (i % 2 == 0 ? "en" : "fr") + "\", \"nested\": {\"i\": " + i + "}}");
                w.write(g);
            }
        }
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer s = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0))) {
            assertThat(new CommandLine(new Main()).execute("import", file.toString(), "--url", "qdrant+grpc://127.0.0.1:" + s.grpcPort(),
                    "--collection", "legacy", "--create", "--metric", "Dot", "--id-column", "key",
                    "--checkpoint", dir.resolve("legacy.progress").toString())).isZero();
            Collection c = db.collection("legacy");
            assertThat(c.count(null)).isEqualTo(n);
            var rec = c.get(List.of(PointId.of(ids[77])), true, true).getFirst();
            assertThat(rec.vector()).containsExactly(data[77]);
            assertThat(rec.payload().toString()).isEqualTo("{\"lang\":\"fr\",\"nested\":{\"i\":77}}");
        }
    }
}
