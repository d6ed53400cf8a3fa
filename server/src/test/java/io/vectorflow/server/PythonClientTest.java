package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.engine.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client ({@code clients/python}) as users get it: installed with {@code pip install}
 * into a fresh virtualenv without a package index (it needs nothing but the standard library), then
 * its pytest suite run against a real server with an API key. pytest (and numpy, which the client
 * uses when present) come from the machine's configured package index into a virtualenv kept in
 * {@code target/} between runs.
 */
class PythonClientTest {

    private static final Path CLIENT = Path.of("../clients/python").toAbsolutePath().normalize();
    private static final Path TOOLS = Path.of("target/python-test-venv").toAbsolutePath();

    private record Result(int exit, String output) {}

    private static Result run(List<String> command, Map<String, String> env, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var in = p.inputReader()) {
                in.lines().forEach(l -> out.append(l).append('\n'));
            } catch (java.io.IOException ignored) {
                // the process is gone
            }
        });
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + seconds + " s:\n" + out);
        }
        reader.join();
        return new Result(p.exitValue(), out.toString());
    }

    private static void ok(Result r, String what) {
        assertThat(r.exit()).as(what + ":\n" + r.output()).isZero();
    }

    /** The virtualenv the tests run in: pytest and numpy, made once. */
    private static Path tools() throws Exception {
        Path python = TOOLS.resolve("bin/python");
        if (!Files.exists(TOOLS.resolve(".ready"))) {
            ok(run(List.of("python3", "-m", "venv", "--clear", TOOLS.toString()), Map.of(), 120), "python3 -m venv");
            ok(run(List.of(python.toString(), "-m", "pip", "install", "-q", "pytest", "numpy"), Map.of(), 900),
                    "pip install pytest numpy (from the machine's package index)");
            Files.createFile(TOOLS.resolve(".ready"));
        }
        return python;
    }

    @Test
    void theClientInstallsWithoutAnIndexAndPassesItsTestsAgainstAServerWithKeys(@TempDir Path dir) throws Exception {
        Path python = tools();
        // A clean virtualenv, then pip with no index at all: the client must need nothing else.
        Path clean = dir.resolve("venv");
        ok(run(List.of("python3", "-m", "venv", clean.toString()), Map.of(), 120), "python3 -m venv");
        ok(run(List.of(clean.resolve("bin/python").toString(), "-m", "pip", "install", "-q", "--no-index", CLIENT.toString()),
                Map.of("PIP_FIND_LINKS", "", "PIP_EXTRA_INDEX_URL", ""), 300), "pip install --no-index ./clients/python");
        // The tool virtualenv gets the client the same way, beside pytest.
        ok(run(List.of(python.toString(), "-m", "pip", "install", "-q", "--no-index", "--force-reinstall", CLIENT.toString()),
                Map.of("PIP_FIND_LINKS", "", "PIP_EXTRA_INDEX_URL", ""), 300), "pip install the client beside pytest");
        String key = "python-client-test-key-0123";
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0)
                     .withKeys(new VectorFlowServer.Keys(key, null)))) {
            String url = "http://127.0.0.1:" + server.port();
            // The design's quick start, from the clean virtualenv.
            String quickStart = String.join("\n",
                    "import vectorflow as vf",
                    "client = vf.Client('" + url + "', api_key='" + key + "')",
                    "client.create_collection('documents', dimension=3)",
                    "client.upsert('documents', [[1, 0, 0], [0, 1, 0], [0, 0, 1]], ids=[1, 2, 3], payloads=[{'t': 'a'}, {'t': 'b'}, {'t': 'c'}])",
                    "embeddings = [[0.9, 0.1, 0], [0, 0.2, 0.9]]",
                    "results = client.search(collection='documents', vectors=embeddings, k=10, timeout=0.1)",
                    "assert [r[0].id for r in results] == [1, 3], results",
                    "print('quick start ok', results[0].performance['latency_ms'])");
            Result qs = run(List.of(clean.resolve("bin/python").toString(), "-c", quickStart), Map.of(), 60);
            ok(qs, "the quick start");
            assertThat(qs.output()).contains("quick start ok");
            List<String> pytest = new ArrayList<>(List.of(python.toString(), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    CLIENT.resolve("tests").toString()));
            Result r = run(pytest, Map.of("VECTORFLOW_URL", url, "VECTORFLOW_API_KEY", key), 600);
            ok(r, "pytest clients/python/tests");
            assertThat(r.output()).containsPattern("\\d+ passed").doesNotContain("skipped");
        }
    }
}
