package io.vectorflow.bench.latency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.bench.data.DataSources;
import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.engine.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client's view, as a Python user has it: VectorFlow started the way a user starts it (the
 * {@code vectorflow serve} launcher, in a process of its own, data loaded over REST), then one
 * Python client ({@code latency_client.py}: http.client for REST, grpcio for
 * {@code vectorflow.v1}) and the same client style against PostgreSQL with pgvector (psycopg),
 * on the same machine, in the same run. Rows: rounds of single-client queries (medians over the
 * rounds, and the first round alone, the one right after a start), the transport's floor
 * ({@code GET /}, {@code ListCollections}, {@code SELECT 1}), a steady single-client run, and the
 * throughput of N client processes.
 */
public final class ClientBench {

    /** What to measure. {@code serverVariants}: one server start per entry of extra JVM flags ("" for the launcher's defaults). */
    public record Options(List<String> datasets, int ef, int pgEf, int m, int efConstruct, int rounds, int queriesPerRound,
                          int steadySeconds, int clients, int seconds, List<String> serverVariants, List<String> targets,
                          Path pgvectorSource, boolean pglite, Path cacheDir) {}

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final Options o;
    private final Consumer<String> log = System.err::println;

    public ClientBench(Options options) {
        this.o = options;
    }

    /** Runs every data set and target and returns the report (markdown). */
    public String run() throws Exception {
        Path work = Files.createTempDirectory("vectorflow-client-bench");
        PythonEnv python = PythonEnv.prepare(o.cacheDir().resolve("python-venv"), work, log);
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "client benchmark: one Python client per target (%s),"
                + " server and clients share %d cores; M=%d, ef_construct=%d, k=10; %d rounds of %d queries (medians), steady %d s,"
                + " %d client processes for %d s%n%n", python.describe(), Runtime.getRuntime().availableProcessors(), o.m(),
                o.efConstruct(), o.rounds(), o.queriesPerRound(), o.steadySeconds(), o.clients(), o.seconds()));
        report.append("| data set | target | server flags | ef | recall@10 | QPS, 1 client | p50 µs | p99 µs | first round p99 µs |"
                + " inside server p50 µs | engine p50 µs | floor p50 / p99 µs | steady p50 / p99 / p99.9 / max µs | QPS, ")
                .append(o.clients()).append(" clients |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        try {
            for (String spec : o.datasets()) {
                DataSources.Loaded loaded = DataSources.load(spec, 1000, 42, o.cacheDir(), log);
                Dataset d = loaded.data();
                boolean cosine = loaded.metric().name().equalsIgnoreCase("cosine");
                Path queries = work.resolve("queries.bin");
                Path truth = work.resolve("truth.bin");
                writeMatrix(queries, d.queries());
                writeTruth(truth, d.groundTruth());
                for (String variant : o.serverVariants()) {
                    if (!o.targets().contains("rest") && !o.targets().contains("grpc")) {
                        break;
                    }
                    try (LauncherServer server = LauncherServer.start(work.resolve("data"), variant, log)) {
                        loadVectorFlow(server.port, d, cosine);
                        for (String target : List.of("rest", "grpc")) {
                            if (!o.targets().contains(target) || (target.equals("grpc") && !python.grpc())) {
                                continue;
                            }
                            ObjectNode s = spec(target, queries, truth, o.ef());
                            s.put("port", server.port).put("grpc_port", server.grpcPort).put("collection", "bench")
                                    .put("grpc_stubs", python.stubs().toString());
                            report.append(row(d.name(), target.equals("rest") ? "VectorFlow REST" : "VectorFlow gRPC (vectorflow.v1)",
                                    variant.isEmpty() ? "defaults" : variant, o.ef(), python.run(s, log)));
                        }
                    }
                }
                if (o.targets().contains("pgvector")) {
                    if (!python.psycopg()) {
                        log.accept("pgvector: skipped, psycopg is not installable here");
                        continue;
                    }
                    try (PgvectorPeer pg = PgvectorPeer.start(o.pgvectorSource(), o.pglite(), o.cacheDir(), log)) {
                        log.accept("pgvector: loading " + d.base().length + " vectors into " + pg.label);
                        double build = pg.load(d, "bench", cosine ? "vector_cosine_ops" : "vector_l2_ops", o.m(), o.efConstruct(), log);
                        log.accept(String.format(Locale.ROOT, "pgvector: index built in %.1f s", build));
                        ObjectNode s = spec("pgvector", queries, truth, o.pgEf());
                        s.put("dsn", pg.dsn()).put("collection", "bench").put("op", cosine ? "<=>" : "<->");
                        report.append(row(d.name(), pg.label.replace("pgvector", "pgvector " + pg.extensionVersion()), "", o.pgEf(),
                                python.run(s, log)));
                    }
                }
            }
        } finally {
            BenchIo.deleteTree(work);
        }
        return report.toString();
    }

    private ObjectNode spec(String target, Path queries, Path truth, int ef) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("target", target).put("queries", queries.toString()).put("truth", truth.toString()).put("k", 10).put("ef", ef)
                .put("rounds", o.rounds()).put("queries_per_round", o.queriesPerRound()).put("steady_seconds", o.steadySeconds())
                .put("clients", o.clients()).put("seconds", o.seconds());
        return s;
    }

    private static String row(String dataset, String target, String flags, int ef, JsonNode r) {
        List<Double> qps = new ArrayList<>(), p50 = new ArrayList<>(), p99 = new ArrayList<>(), recall = new ArrayList<>();
        for (JsonNode round : r.get("rounds")) {
            qps.add(round.get("qps").asDouble());
            p50.add(round.get("p50_us").asDouble());
            p99.add(round.get("p99_us").asDouble());
            recall.add(round.get("recall").asDouble());
        }
        JsonNode steady = r.get("steady");
        return String.format(Locale.ROOT, "| %s | %s | %s | %d | %.3f | %,.0f | %.0f | %.0f | %.0f | %s | %s | %.0f / %.0f | %s | %s |%n",
                dataset, target, flags.isEmpty() ? "" : "`" + flags + "`", ef, median(recall), median(qps), median(p50), median(p99),
                p99.getFirst(), r.has("server_p50_us") ? String.format(Locale.ROOT, "%.0f", r.get("server_p50_us").asDouble()) : "",
                r.has("engine_p50_us") ? String.format(Locale.ROOT, "%.0f", r.get("engine_p50_us").asDouble()) : "",
                r.get("floor_p50_us").asDouble(), r.get("floor_p99_us").asDouble(),
                steady == null ? "" : String.format(Locale.ROOT, "%.0f / %.0f / %.0f / %.0f", steady.get("p50_us").asDouble(),
                        steady.get("p99_us").asDouble(), steady.get("p999_us").asDouble(), steady.get("max_us").asDouble()),
                r.has("throughput_qps") ? String.format(Locale.ROOT, "%,.0f", r.get("throughput_qps").asDouble()) : "");
    }

    private static double median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    /** Creates collection {@code bench} and upserts {@code d} over REST in batches of 1,000, then waits until it is indexed. */
    private void loadVectorFlow(int port, Dataset d, boolean cosine) throws Exception {
        log.accept("vectorflow: loading " + d.base().length + " vectors over REST");
        call(port, "PUT", "/collections/bench", String.format(Locale.ROOT, "{\"vectors\":{\"size\":%d,\"distance\":\"%s\"},"
                + "\"hnsw_config\":{\"m\":%d,\"ef_construct\":%d}}", d.dimension(), cosine ? "Cosine" : "Euclid", o.m(), o.efConstruct()));
        for (int from = 0; from < d.base().length; from += 1000) {
            StringBuilder b = new StringBuilder("{\"points\":[");
            for (int i = from; i < Math.min(d.base().length, from + 1000); i++) {
                b.append(i == from ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":")
                        .append(PgvectorPeer.literal(d.base()[i])).append('}');
            }
            call(port, "PUT", "/collections/bench/points?wait=true", b.append("]}").toString());
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(60);
        while (System.nanoTime() < deadline) {
            JsonNode info = Json.MAPPER.readTree(call(port, "GET", "/collections/bench", null));
            if (info.at("/result/vectorflow/unindexed_points").asLong(-1) == 0) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the collection was not indexed within an hour");
    }

    private static String call(int port, String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofMinutes(5)).header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** Rows, columns, then the floats, little-endian: what {@code latency_client.py} reads. */
    private static void writeMatrix(Path file, float[][] rows) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + rows.length * rows[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(rows.length).putInt(rows[0].length);
        for (float[] r : rows) {
            for (float f : r) {
                b.putFloat(f);
            }
        }
        Files.write(file, b.array());
    }

    private static void writeTruth(Path file, int[][] rows) throws IOException {
        int cols = 10;
        ByteBuffer b = ByteBuffer.allocate(8 + rows.length * cols * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(rows.length).putInt(cols);
        for (int[] r : rows) {
            for (int i = 0; i < cols; i++) {
                b.putInt(r[i]);
            }
        }
        Files.write(file, b.array());
    }

    /** Copies a class-path resource to {@code file}. */
    static void extract(String resource, Path file) throws IOException {
        try (InputStream in = ClientBench.class.getResourceAsStream(resource); OutputStream out = Files.newOutputStream(file)) {
            if (in == null) {
                throw new IOException("missing resource " + resource);
            }
            in.transferTo(out);
        }
    }
}
