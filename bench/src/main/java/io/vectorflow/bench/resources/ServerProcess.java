package io.vectorflow.bench.resources;

import io.vectorflow.engine.Database;
import io.vectorflow.server.ProcessStats;
import io.vectorflow.server.VectorFlowServer;
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
 * A VectorFlow server in a process of its own, started from the benchmark jar with a chosen heap,
 * so memory, threads and restart times are measured on the server alone: {@link #main} is the
 * child (a database and a server on free loopback ports; {@code heap}, {@code native},
 * {@code threads} and {@code stop} on standard input), the rest is the parent's handle on it.
 */
public final class ServerProcess implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    final Process process;
    final int port;
    final long openMillis;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final PrintStream stdin;

    private ServerProcess(Process process, int port, long openMillis, BufferedReader out) {
        this.process = process;
        this.port = port;
        this.openMillis = openMillis;
        this.stdin = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().start(() -> {
            try {
                out.lines().filter(l -> l.startsWith("HEAP ") || l.startsWith("THREADS ") || l.startsWith("NATIVE "))
                        .forEach(answers::add);
            } catch (java.io.UncheckedIOException gone) {
                // the child exited
            }
        });
    }

    /** The child: serves the data directory in {@code args[0]} until told to stop. */
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        Database db = Database.open(Path.of(args[0]));
        long opened = (System.nanoTime() - start) / 1_000_000;
        VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            db.close();
        }));
        System.out.println("PORT " + server.port() + " OPENED " + opened);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            switch (line.trim()) {
                case "heap" -> {
                    long used = Long.MAX_VALUE;
                    for (int i = 0; i < 5; i++) {
                        System.gc();
                        used = Math.min(used, Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
                    }
                    System.out.println("HEAP " + used);
                }
                case "threads" -> System.out.println("THREADS " + Thread.activeCount());
                case "native" -> System.out.println("NATIVE " + io.vectorflow.core.store.NativeMemory.liveBytes());
                case "stop" -> System.exit(0);
                default -> System.out.println("? " + line);
            }
            System.out.flush();
        }
    }

    /** Starts a child server over {@code data} with {@code -Xmx<heap>}. */
    static ServerProcess start(Path data, String heap) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = Path.of(ServerProcess.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-XX:+UseTransparentHugePages", "-Xmx" + heap,
                "-XX:+ExitOnOutOfMemoryError", "-cp", jar, ServerProcess.class.getName(), data.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        for (String line; (line = out.readLine()) != null && System.nanoTime() < deadline; ) {
            if (line.startsWith("PORT ")) {
                String[] f = line.split(" ");
                return new ServerProcess(p, Integer.parseInt(f[1]), Long.parseLong(f[3]), out);
            }
        }
        p.destroyForcibly();
        throw new IOException("the server process did not start");
    }

    /** Status and body of one call. */
    record Answer(int status, String body) {}

    Answer call(String method, String path, String body) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofMinutes(2)).header("content-type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "interrupted");
        }
    }

    long heapAfterGc() throws InterruptedException {
        return Long.parseLong(ask("heap"));
    }

    /** Off-heap bytes held by the server's vectors, graphs and payloads (after a collection, so garbage is gone). */
    long nativeBytes() throws InterruptedException {
        heapAfterGc();
        Thread.sleep(500); // the cleaner frees what the collection found unreachable
        return Long.parseLong(ask("native"));
    }

    /** Waits until every point of {@code collection} is in its graph. */
    void awaitIndexed(String collection) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (System.nanoTime() < deadline) {
            Answer a = call("GET", "/collections/" + collection, null);
            if (a.status() == 200 && a.body().contains("\"unindexed_points\":0")) {
                return;
            }
            Thread.sleep(250);
        }
    }

    int threads() throws InterruptedException {
        return Integer.parseInt(ask("threads"));
    }

    private String ask(String command) throws InterruptedException {
        answers.clear();
        stdin.println(command);
        String a = answers.poll(5, TimeUnit.MINUTES);
        if (a == null) {
            throw new IllegalStateException("the server process did not answer " + command);
        }
        return a.split(" ")[1];
    }

    /** What the operating system says the server process holds. */
    ProcessStats stats() {
        return ProcessStats.of(process.pid());
    }

    /** Stops the child the way an orchestrator does (SIGTERM) and waits for it. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
