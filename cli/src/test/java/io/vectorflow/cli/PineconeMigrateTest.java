package io.vectorflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.cli.load.Importer;
import io.vectorflow.cli.load.PineconeSource;
import io.vectorflow.cli.load.VectorSource;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import io.vectorflow.server.VectorFlowServer;
import io.vectorflow.storage.PointId;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vectorflow migrate --source pinecone} from a loopback index host whose records were
 * written, listed and fetched through Pinecone's official JavaScript client (npm
 * {@code @pinecone-database/pinecone}), so the fixture speaks Pinecone's shapes: every record of
 * the namespace arrives with its values and metadata, ids that are neither numbers nor UUIDs
 * keep their original in the payload, a stopped migration resumes sending fewer than 60% again,
 * and the verification passes.
 */
class PineconeMigrateTest {

    private static final String PACKAGE = "@pinecone-database/pinecone@9.0.0";
    private static final Path PREFIX = Path.of("target/pinecone-js").toAbsolutePath();
    private static final String KEY = "pcsk_test_0123456789";
    private static final int N = 1_500;
    private static final int DIM = 16;

    @TempDir
    Path dir;

    private static JsonNode driveWithTheOfficialClient(URI host) throws Exception {
        Path script = PREFIX.resolve("drive.js");
        if (!Files.exists(PREFIX.resolve("node_modules/@pinecone-database/pinecone/package.json"))) {
            Files.createDirectories(PREFIX);
            Process p = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--prefix", PREFIX.toString(), PACKAGE)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0).as("npm install " + PACKAGE + ":\n" + out).isTrue();
        }
        try (var in = PineconeMigrateTest.class.getResourceAsStream("/pinecone/drive.js")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder("node", script.toString(), host.toString(), KEY, Integer.toString(N), Integer.toString(DIM))
                .directory(PREFIX.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0).as("the Pinecone client:\n" + out).isTrue();
        return Json.MAPPER.readTree(out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
    }

    private static float[] values(int i) {
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            v[j] = (float) Math.sin(i * 0.37 + j);
        }
        return v;
    }

    @Test
    void copiesANamespaceWrittenByTheOfficialClientResumingAndVerifying() throws Exception {
        try (PineconeFixture pinecone = new PineconeFixture(KEY, DIM);
             Database db = Database.open(dir.resolve("data"));
             VectorFlowServer target = VectorFlowServer.start(db, "127.0.0.1", 0)) {
            JsonNode seen = driveWithTheOfficialClient(pinecone.host());
            // the client read back what it wrote, in its own shapes
            assertThat(seen.path("listed").asInt()).isEqualTo(N);
            assertThat(seen.path("fetched").toString()).isEqualTo("[\"1\",\"doc-0\"]");
            assertThat(seen.path("doc0").path("metadata").path("lang").asText()).isEqualTo("en");
            assertThat(seen.path("namespaces").path("docs").path("recordCount").asInt()).isEqualTo(N);
            assertThat(seen.path("namespaces").path("__default__").path("recordCount").asInt()).isEqualTo(1);
            assertThat(seen.path("dimension").asInt()).isEqualTo(DIM);

            URI to = URI.create("http://127.0.0.1:" + target.port());
            Path progress = dir.resolve("pinecone.progress");
            try (PineconeSource source = new PineconeSource(pinecone.host(), KEY, "docs")) {
                assertThat(source.size()).isEqualTo(N);
                assertThat(source.distance()).isEqualTo("Euclid");
                db.createCollection(io.vectorflow.engine.CollectionConfig.of("copy", DIM, "euclid"));
                AtomicLong done = new AtomicLong();
                try (Importer first = new Importer(new Importer.Settings(to, "copy", null, 100, 2, progress))) {
                    first.run(source, p -> done.set(p.done()), () -> done.get() >= N / 2);
                }
            }
            try (PineconeSource source = new PineconeSource(pinecone.host(), KEY, "docs");
                 Importer rest = new Importer(new Importer.Settings(to, "copy", null, 100, 2, progress))) {
                Importer.Outcome second = rest.run(source, p -> { }, () -> false);
                assertThat(second.skipped()).isGreaterThanOrEqualTo(N / 2);
                assertThat(second.sent()).as("records sent again after resuming").isLessThan(N * 6L / 10);
            }
            String[] migrate = {"migrate", "--source", "pinecone", "--source-url", pinecone.host().toString(), "--source-api-key", KEY,
                "--source-namespace", "docs", "--target", to.toString(), "--collection", "copy", "--batch", "100",
                "--checkpoint", progress.toString(), "--verify-sample", "50"};
            assertThat(new CommandLine(new Main()).execute(migrate)).as("the finished migration verified").isZero();

            Collection c = db.collection("copy");
            assertThat(c.count(null)).isEqualTo(N);
            var doc = c.get(List.of(PointId.of(UUID.nameUUIDFromBytes("pinecone:doc-3".getBytes()))), true, true).getFirst();
            assertThat(doc.vector()).containsExactly(values(3));
            assertThat(doc.payload().path(PineconeSource.ID_FIELD).asText()).isEqualTo("doc-3");
            assertThat(doc.payload().path("tags").toString()).isEqualTo("[\"t3\",\"all\"]");
            var number = c.get(List.of(PointId.of(4)), true, true).getFirst();
            assertThat(number.vector()).containsExactly(values(4));
            assertThat(number.payload().has(PineconeSource.ID_FIELD)).isFalse();
            assertThat(number.payload().path("n").asInt()).isEqualTo(4);
            var uuid = c.get(List.of(PointId.of(UUID.fromString("00000000-0000-4000-8000-000000000005"))), true, false).getFirst();
            assertThat(uuid.payload().path("lang").asText()).isEqualTo("fr");

            // a wrong key is refused with Pinecone's answer
            List<String> wrong = new ArrayList<>(List.of(migrate));
            wrong.set(wrong.indexOf(KEY), "wrong-key");
            assertThat(new CommandLine(new Main()).execute(wrong.toArray(String[]::new))).isNotZero();
        }
    }
}
