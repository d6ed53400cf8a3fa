package io.vectorflow.bench.latency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Python the client benchmark runs: a virtual environment in the cache with psycopg (for
 * pgvector) and grpcio with its tools (for {@code vectorflow.v1}, stubs generated here from the
 * API's proto file); what cannot be installed is reported and its target skipped. The REST
 * client needs only the standard library.
 */
record PythonEnv(Path python, Path script, Path stubs, boolean psycopg, boolean grpc, String version) {

    static PythonEnv prepare(Path venv, Path work, Consumer<String> log) throws IOException, InterruptedException {
        Path python = venv.resolve("bin/python");
        if (!Files.isExecutable(python)) {
            log.accept("python: creating " + venv);
            exec(List.of("python3", "-m", "venv", venv.toString()), log);
        }
        if (!exec(List.of(python.toString(), "-c", "import psycopg, grpc, grpc_tools"), null)) {
            log.accept("python: pip install psycopg grpcio grpcio-tools");
            exec(List.of(python.toString(), "-m", "pip", "install", "-q", "psycopg", "grpcio", "grpcio-tools"), log);
        }
        boolean psycopg = exec(List.of(python.toString(), "-c", "import psycopg; psycopg.pq.version()"), log);
        Path stubs = work.resolve("stubs");
        Files.createDirectories(stubs);
        Path proto = Path.of("api/src/main/proto/vectorflow/v1/vectorflow.proto");
        boolean grpc = Files.exists(proto) && exec(List.of(python.toString(), "-m", "grpc_tools.protoc", "-I",
                proto.getParent().toString(), "--python_out=" + stubs, "--grpc_python_out=" + stubs, proto.toString()), log);
        Path script = work.resolve("latency_client.py");
        ClientBench.extract("/io/vectorflow/bench/latency_client.py", script);
        ProcessBuilder pb = new ProcessBuilder(python.toString(), "--version").redirectErrorStream(true);
        Process p = pb.start();
        String version = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return new PythonEnv(python, script, stubs, psycopg, grpc, version);
    }

    String describe() {
        return version + (grpc ? ", grpcio" : "") + (psycopg ? ", psycopg" : "");
    }

    /** Runs the client with {@code spec}; progress goes to the log, the result is its JSON. */
    JsonNode run(ObjectNode spec, Consumer<String> log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(python.toString(), script.toString(), spec.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("the Python client failed for " + spec.get("target").asText() + ": " + out);
        }
        return Json.MAPPER.readTree(out);
    }

    private static boolean exec(List<String> cmd, Consumer<String> log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean ok = p.waitFor() == 0;
        if (!ok && log != null) {
            log.accept("python: " + String.join(" ", cmd) + " failed: " + out.substring(Math.max(0, out.length() - 600)).trim());
        }
        return ok;
    }
}
