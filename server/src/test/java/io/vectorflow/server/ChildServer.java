package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ServerChild} process and a client for it: start it with a heap size, call its REST
 * API, read its memory, threads and mappings from {@code /proc}, stop it gracefully or kill it.
 */
final class ChildServer implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    final Process process;
    final int port;
    final int grpcPort;
    /** How long opening the data directory took, as the child measured it. */
    final long openMillis;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
    private final PrintStream stdin;

    private ChildServer(Process process, int port, int grpcPort, long openMillis, BufferedReader out) {
        this.process = process;
        this.port = port;
        this.grpcPort = grpcPort;
        this.openMillis = openMillis;
        this.stdin = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().start(() -> {
            try {
                out.lines().forEach(l -> {
                    log.add(l);
                    if (l.startsWith("HEAP ") || l.startsWith("THREADS ") || l.startsWith("STOPPED")) {
                        lines.add(l);
                    }
                });
            } catch (java.io.UncheckedIOException ended) {
                // the child is gone
            }
        });
    }

    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** Starts a child over {@code data} with heap {@code heap} (e.g. "512m") and extra JVM flags. */
    static ChildServer start(Path data, String heap, String... jvmFlags) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError"));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", classPath(), ServerChild.class.getName(), data.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        StringBuilder seen = new StringBuilder();
        long openMillis = -1;
        String line;
        while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
            if (line.startsWith("OPENED ")) {
                openMillis = Long.parseLong(line.split(" ")[1]);
            }
            if (line.startsWith("PORT ")) {
                String[] parts = line.split(" ");
                return new ChildServer(p, Integer.parseInt(parts[1]), Integer.parseInt(parts[3]), openMillis, out);
            }
            seen.append(line).append('\n');
        }
        p.destroyForcibly();
        throw new AssertionError("server child did not start:\n" + seen);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Status, body and headers of one call (a null body sends none). */
    record Answer(int status, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String error() {
            return json().path("status").path("error").asText("");
        }
    }

    Answer call(String method, String path, String body) {
        return call(method, path, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body),
                Duration.ofSeconds(120));
    }

    /** A call with the API key {@code key}. */
    Answer call(String key, String method, String path, String body) {
        return call(method, path, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body),
                Duration.ofSeconds(120), "api-key", key);
    }

    Answer call(String method, String path, HttpRequest.BodyPublisher body, Duration timeout, String... headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(timeout)
                    .header("content-type", "application/json").method(method, body);
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Heap in use after full collections, as the child measures it. */
    long heapUsed() throws InterruptedException {
        return Long.parseLong(ask("heap").split(" ")[1]);
    }

    /** Live threads of the child. */
    int threads() throws InterruptedException {
        return Integer.parseInt(ask("threads").split(" ")[1]);
    }

    private String ask(String command) throws InterruptedException {
        lines.clear();
        stdin.println(command);
        String answer = lines.poll(120, TimeUnit.SECONDS);
        if (answer == null) {
            throw new AssertionError("child did not answer '" + command + "'; its output:\n" + String.join("\n", log));
        }
        return answer;
    }

    /** What the operating system says the child holds (memory, mappings, open files). */
    ProcessStats stats() {
        return ProcessStats.of(process.pid());
    }

    /** What the child printed (logs included). */
    String output() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** SIGTERM, as an orchestrator stops a server; returns the milliseconds until it exited, or -1. */
    long terminate(Duration within) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        boolean exited = process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
        return exited ? (System.nanoTime() - start) / 1_000_000 : -1;
    }

    /** SIGKILL. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
