package io.vectorflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.cli.load.Importer;
import io.vectorflow.cli.load.PgvectorSource;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.Database;
import io.vectorflow.server.VectorFlowServer;
import io.vectorflow.storage.PointId;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vectorflow migrate --source pgvector} from a real PostgreSQL with pgvector: PGlite
 * (PostgreSQL compiled to WebAssembly, with its pgvector extension and its socket server, from npm,
 * pinned) serves the wire protocol the JDBC driver speaks. A table with a jsonb payload is copied,
 * interrupted half way and resumed (under 60% sent again), verified; the same table with plain
 * columns as the payload too.
 */
class PgvectorMigrateTest {

    private static final List<String> PACKAGES = List.of("@electric-sql/pglite@0.5.14", "@electric-sql/pglite-pgvector@0.0.15",
            "@electric-sql/pglite-socket@0.2.17");
    private static final Path PREFIX = Path.of("target/pglite").toAbsolutePath();

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Process pglite(Path data, int port) throws Exception {
        Path server = PREFIX.resolve("node_modules/@electric-sql/pglite-socket/dist/scripts/server.js");
        if (!Files.exists(server)) {
            Files.createDirectories(PREFIX);
            List<String> cmd = new java.util.ArrayList<>(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", PREFIX.toString()));
            cmd.addAll(PACKAGES);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0).as("npm install " + PACKAGES + ":\n" + out).isTrue();
        }
        Process p = new ProcessBuilder("node", server.toString(), "-d", data.toString(), "-p", Integer.toString(port), "-h",
                "127.0.0.1", "-e", "@electric-sql/pglite-pgvector:vector", "-m", "4").directory(PREFIX.toFile())
                .redirectErrorStream(true).redirectOutput(data.resolveSibling("pglite.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("PGlite did not start:\n" + Files.readString(data.resolveSibling("pglite.log")));
    }

    @Test
    void copiesAPgvectorTableResumingAfterAnInterruptionAndVerifies() throws Exception {
        int n = 3_000;
        int port = freePort();
        Process pg = pglite(dir.resolve("pg"), port);
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?sslmode=disable&user=postgres";
        try (Database dst = Database.open(dir.resolve("dst"));
             VectorFlowServer target = VectorFlowServer.start(dst, "127.0.0.1", 0)) {
            Random r = new Random(3);
            float[][] vectors = new float[n][8];
            try (Connection c = DriverManager.getConnection(url, "postgres", "postgres")) {
                c.createStatement().execute("CREATE EXTENSION IF NOT EXISTS vector");
                c.createStatement().execute("CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(8), meta jsonb, title text,"
                        + " score real)");
                c.setAutoCommit(false);
                try (PreparedStatement st = c.prepareStatement("INSERT INTO items VALUES (?, ?::vector, ?::jsonb, ?, ?)")) {
                    for (int i = 0; i < n; i++) {
                        StringBuilder v = new StringBuilder("[");
                        for (int j = 0; j < 8; j++) {
                            vectors[i][j] = (float) r.nextGaussian();
                            v.append(j == 0 ? "" : ",").append(vectors[i][j]);
                        }
                        st.setLong(1, i * 7L); // ids with gaps
                        st.setString(2, v.append("]").toString());
                        st.setString(3, i % 5 == 0 ? null : "{\"n\": " + i + ", \"tags\": [\"a\", \"é\"], \"deep\": {\"x\": 1.5}}");
                        st.setString(4, "title " + i);
                        st.setFloat(5, i / 4f);
                        st.addBatch();
                    }
                    st.executeBatch();
                }
                c.commit();
            }
            URI to = URI.create("http://127.0.0.1:" + target.port());
            dst.createCollection(io.vectorflow.engine.CollectionConfig.of("items", 8, "euclid"));
            Path progress = dir.resolve("pg.progress");
            AtomicLong done = new AtomicLong();
            Importer.Outcome first;
            try (PgvectorSource s = new PgvectorSource(url, "postgres", "items", "id", "embedding", "meta", List.of())) {
                assertThat(s.size()).isEqualTo(n);
                assertThat(s.dimension()).isEqualTo(8);
                first = new Importer(new Importer.Settings(to, "items", null, 200, 4, progress))
                        .run(s, p -> done.set(p.done()), () -> done.get() >= n / 2);
            }
            Importer.Outcome second;
            try (PgvectorSource s = new PgvectorSource(url, "postgres", "items", "id", "embedding", "meta", List.of())) {
                second = new Importer(new Importer.Settings(to, "items", null, 200, 4, progress)).run(s, p -> { }, () -> false);
            }
            assertThat(first.sent()).isBetween((long) n / 2, (long) n / 2 + 5 * 200);
            assertThat(second.sent()).as("rows sent again after resuming").isLessThan((long) n * 6 / 10);
            Collection items = dst.collection("items");
            assertThat(items.count(null)).isEqualTo(n);
            var rec = items.get(List.of(PointId.of(7L * 1234)), true, true).getFirst();
            assertThat(rec.vector()).containsExactly(vectors[1234]);
            assertThat(rec.payload().toString()).isEqualTo("{\"n\":1234,\"deep\":{\"x\":1.5},\"tags\":[\"a\",\"é\"]}");
            // The command: nothing left to send, and the verification compares every row.
            String[] args = {"migrate", "--source", "pgvector", "--source-url", url, "--source-api-key", "postgres", "--table",
                    "items", "--payload-column", "meta", "--target", to.toString(), "--collection", "items", "--checkpoint",
                    progress.toString(), "--verify-sample", String.valueOf(n)};
            assertThat(new CommandLine(new Main()).execute(args)).isZero();
            // Plain columns as the payload, into a collection the command creates.
            assertThat(new CommandLine(new Main()).execute("migrate", "--source", "pgvector", "--source-url", url,
                    "--source-api-key", "postgres", "--table", "items", "--payload-columns", "title,score", "--metric", "Euclid",
                    "--target", to.toString(), "--collection", "plain", "--checkpoint", dir.resolve("plain.progress").toString()))
                    .isZero();
            var plain = dst.collection("plain").get(List.of(PointId.of(7L * 10)), true, false).getFirst();
            assertThat(plain.payload().get("title").asText()).isEqualTo("title 10");
            assertThat(plain.payload().get("score").floatValue()).isEqualTo(2.5f);
        } finally {
            pg.destroy();
            pg.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
