package io.vectorflow.bench.latency;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A VectorFlow server started the way a user starts one: {@code ./vectorflow serve} (the
 * launcher's JVM flags, plus {@code extraJavaOptions} through {@code VECTORFLOW_JAVA_OPTS}) over
 * a fresh data directory on free loopback ports; stopped with SIGTERM and its data removed.
 */
final class LauncherServer implements AutoCloseable {

    final int port;
    final int grpcPort;
    private final Process process;
    private final Path data;

    private LauncherServer(Process process, int port, int grpcPort, Path data) {
        this.process = process;
        this.port = port;
        this.grpcPort = grpcPort;
        this.data = data;
    }

    static LauncherServer start(Path data, String extraJavaOptions, Consumer<String> log) throws IOException, InterruptedException {
        Path launcher = Path.of("vectorflow").toAbsolutePath();
        if (!Files.isExecutable(launcher)) {
            throw new IOException("run this from the repository root (the vectorflow launcher is not in " + launcher.getParent() + ")");
        }
        int port = BenchIo.freePort();
        int grpc = BenchIo.freePort();
        ProcessBuilder pb = new ProcessBuilder(List.of(launcher.toString(), "serve", "--data-dir", data.toString(),
                "--port", Integer.toString(port), "--grpc-port", Integer.toString(grpc)))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("VECTORFLOW_JAVA_OPTS", extraJavaOptions);
        log.accept("vectorflow: starting ./vectorflow serve" + (extraJavaOptions.isEmpty() ? "" : " with " + extraJavaOptions));
        Process p = pb.start();
        LauncherServer server = new LauncherServer(p, port, grpc, data);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10); // the launcher may build first
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return server;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        server.close();
        throw new IOException("./vectorflow serve did not become ready");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        BenchIo.deleteTree(data);
    }
}
