package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real JavaScript clients, pinned with a lock file in {@code src/test/js}, against a real
 * VectorFlow server: the official Qdrant client ({@code @qdrant/js-client-rest}) through
 * collections, points, payloads, snapshots and errors ({@code qdrant-client.mjs}) and through the
 * query API ({@code qdrant-query.mjs}: fusion checked against fusion of exact rankings, MMR,
 * recommend, discover, order_by, groups, the request shapes LangChain sends), and LangChain's
 * Qdrant vector store unchanged ({@code langchain.mjs}), named dense and sparse vectors with hybrid
 * fusion checked against exact rankings ({@code qdrant-named.mjs}), and the official Qdrant gRPC client
 * ({@code @qdrant/js-client-grpc}) on the gRPC port ({@code qdrant-grpc.mjs}), both with API keys
 * ({@code qdrant-keys.mjs}). Each script asserts every answer; this
 * test installs the packages ({@code npm ci}) when the lock file changed and requires each
 * script to pass.
 */
class QdrantJsClientTest {

    private static final Path JS = Path.of("src/test/js").toAbsolutePath();

    @Test
    void officialQdrantClientWorksAgainstVectorFlow(@TempDir Path dir) throws Exception {
        script(dir, "qdrant-client.mjs");
    }

    @Test
    void officialQdrantClientRunsTheQueryApi(@TempDir Path dir) throws Exception {
        script(dir, "qdrant-query.mjs");
    }

    @Test
    void officialQdrantClientHandlesNamedAndSparseVectors(@TempDir Path dir) throws Exception {
        script(dir, "qdrant-named.mjs");
    }

    @Test
    void langChainQdrantVectorStoreWorksUnchanged(@TempDir Path dir) throws Exception {
        script(dir, "langchain.mjs");
    }

    @Test
    void officialQdrantGrpcClientWorksAgainstTheGrpcPort(@TempDir Path dir) throws Exception {
        installClient();
        try (io.vectorflow.engine.Database db = io.vectorflow.engine.Database.open(dir);
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0))) {
            Result r = run(List.of("node", "qdrant-grpc.mjs", "127.0.0.1", Integer.toString(server.grpcPort())), 180);
            assertThat(r.output()).contains("all steps passed");
            assertThat(r.exit()).as(r.output()).isZero();
        }
    }

    @Test
    void officialQdrantClientsPassApiKeysOnRestAndGrpc(@TempDir Path dir) throws Exception {
        installClient();
        String admin = "js-admin-key-0123456789";
        String reader = "js-read-only-key-0123456789";
        try (io.vectorflow.engine.Database db = io.vectorflow.engine.Database.open(dir);
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0)
                     .withKeys(new VectorFlowServer.Keys(admin, reader)))) {
            Result r = run(List.of("node", "qdrant-keys.mjs", "http://127.0.0.1:" + server.port(), "127.0.0.1",
                    Integer.toString(server.grpcPort()), admin, reader), 180);
            assertThat(r.output()).contains("all steps passed");
            assertThat(r.exit()).as(r.output()).isZero();
        }
    }

    private static void script(Path dir, String script) throws Exception {
        installClient();
        try (TestServer s = new TestServer(dir)) {
            Result r = run(List.of("node", script, s.url()), 180);
            assertThat(r.output()).contains("all steps passed");
            assertThat(r.exit()).as(r.output()).isZero();
        }
    }

    /** Installs the pinned JavaScript packages (npm ci) unless they are installed and current. */
    static void installClient() throws Exception {
        Path installed = JS.resolve("node_modules/.package-lock.json"); // npm writes it on every install
        Path lock = JS.resolve("package-lock.json");
        if (Files.exists(installed) && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
            return;
        }
        Result r = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        assertThat(r.exit()).as("npm ci in " + JS + " (Node.js and npm must be installed):\n" + r.output()).isZero();
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("vectorflow-js", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(JS.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out after " + timeoutSeconds + " s:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
