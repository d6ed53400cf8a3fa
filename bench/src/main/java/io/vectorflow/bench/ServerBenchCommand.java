package io.vectorflow.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vectorflow.api.v1.VectorFlowGrpc;
import io.vectorflow.bench.data.DataSources;
import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.Point;
import io.vectorflow.server.VectorFlowServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code server}: search latency and throughput through the real server, REST (JDK HttpClient,
 * HTTP/1.1 keep-alive) and gRPC (grpc-java's Netty client, generated stubs). The server runs in
 * this process on loopback over a collection loaded through the engine; client and server share
 * the machine's cores. Per data set and protocol: p50/p99/p99.9 latency at concurrency 1, and
 * queries per second at concurrency 8, with recall@10 of the answers against ground truth. An
 * {@code engine} row calls the collection in-process, as the baseline the transports add to.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Search latency (concurrency 1) and throughput (concurrency 8) over REST and gRPC against a running server.")
final class ServerBenchCommand implements Callable<Integer> {

    @Option(names = "--dataset", split = ";", defaultValue = "siftsmall;synthetic:1000000,128",
            description = "data sets separated by ; (as for compare; default ${DEFAULT-VALUE})")
    List<String> datasets;

    @Option(names = "--ef", defaultValue = "64", description = "hnsw_ef (default ${DEFAULT-VALUE})")
    int ef;

    @Option(names = "--queries", defaultValue = "2000", description = "queries per latency run (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--seconds", defaultValue = "10", description = "seconds per throughput run (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--concurrency", defaultValue = "8", description = "clients in the throughput run (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--cache-dir", description = "where generated data sets are cached")
    Path cacheDir;

    @Option(names = "--ingest-batches", split = ",", defaultValue = "100,1000",
            description = "REST upsert batch sizes for the ingest rows, empty to skip (default ${DEFAULT-VALUE})")
    int[] ingestBatches;

    @Option(names = "--client", defaultValue = "java", description = "java: JDK and grpc-java clients against a server in this"
            + " process; python: the launcher's server in its own process, Python clients, and pgvector beside it (default ${DEFAULT-VALUE})")
    String client;

    @Option(names = "--targets", split = ",", defaultValue = "rest,grpc,pgvector", description = "with --client python: rest, grpc,"
            + " pgvector (default ${DEFAULT-VALUE})")
    List<String> targets;

    @Option(names = "--pg-ef", defaultValue = "16", description = "with --client python: pgvector's hnsw.ef_search (default ${DEFAULT-VALUE})")
    int pgEf;

    @Option(names = "--m", defaultValue = "16", description = "with --client python: HNSW M for both (default ${DEFAULT-VALUE})")
    int m;

    @Option(names = "--ef-construct", defaultValue = "200", description = "with --client python: HNSW ef_construct for both"
            + " (default ${DEFAULT-VALUE})")
    int efConstruct;

    @Option(names = "--rounds", defaultValue = "3", description = "with --client python: latency rounds (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--steady-seconds", defaultValue = "60", description = "with --client python: the steady single-client run"
            + " (default ${DEFAULT-VALUE})")
    int steadySeconds;

    @Option(names = "--server-java-opts", split = ";", defaultValue = "", description = "with --client python: one server start"
            + " per entry of extra JVM flags, separated by ; (e.g. \"-XX:+UseZGC;-XX:+UseParallelGC\"; an empty entry is the defaults)")
    List<String> serverVariants;

    @Option(names = "--pgvector-source", description = "with --client python: a pgvector source tree to build and install when"
            + " PostgreSQL lacks it (else PGlite's WASM pgvector from npm is used)")
    Path pgvectorSource;

    @Option(names = "--pglite", description = "with --client python: run pgvector in PGlite (WASM, from npm) even where a native"
            + " PostgreSQL with pgvector is installed")
    boolean pglite;

    @Override
    public Integer call() throws Exception {
        if (client.equals("python")) {
            System.out.println(new io.vectorflow.bench.latency.ClientBench(new io.vectorflow.bench.latency.ClientBench.Options(
                    datasets, ef, pgEf, m, efConstruct, rounds, queries, steadySeconds, concurrency, seconds,
                    serverVariants.isEmpty() ? List.of("") : serverVariants, targets, pgvectorSource, pglite,
                    cacheDir != null ? cacheDir : SyntheticData.defaultCacheRoot())).run());
            return 0;
        }
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "server: in-process server on loopback, client in the same JVM (both share %d cores), ef=%d, k=10%n%n",
                Runtime.getRuntime().availableProcessors(), ef));
        report.append("| data set | protocol | recall@10 | p50 µs | p99 µs | p99.9 µs | QPS at concurrency ").append(concurrency)
                .append(" |\n|---|---|---|---|---|---|---|\n");
        for (String spec : datasets) {
            DataSources.Loaded loaded = DataSources.load(spec, 1000, 42,
                    cacheDir != null ? cacheDir : SyntheticData.defaultCacheRoot(), System.err::println);
            Dataset d = loaded.data();
            Path dir = Files.createTempDirectory("vectorflow-server-bench");
            try (Database db = Database.open(dir, Database.Options.defaults().withRecallSampling(0));
                 VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0))) {
                if (spec.equals(datasets.getFirst())) {
                    for (int b : ingestBatches) {
                        String row = ingest(db, server.port(), d, b);
                        ingestReport.append(row);
                        System.err.print(row);
                        String grpcRow = qdrantIngest(db, server.grpcPort(), d, b);
                        qdrantIngestReport.append(grpcRow);
                        System.err.print(grpcRow);
                    }
                }
                Collection collection = load(db, d, loaded.metric().name());
                for (String protocol : List.of("engine", "rest", "rest-fusion", "grpc", "qdrant-grpc")) {
                    Client client = switch (protocol) {
                        case "engine" -> new Engine(collection, ef);
                        case "rest" -> new Rest(server.port(), ef);
                        case "rest-fusion" -> new Rest(server.port(), ef, true);
                        case "grpc" -> new Grpc(server.grpcPort(), ef);
                        default -> new QdrantGrpc(server.grpcPort(), ef);
                    };
                    try {
                        String row = measure(d, protocol, client);
                        report.append(row);
                        System.err.print(row);
                        if (!protocol.equals("engine") && !protocol.equals("rest-fusion") && spec.equals(datasets.getFirst())) {
                            String noop = noop(protocol, client);
                            report.append(noop);
                            System.err.print(noop);
                        }
                    } finally {
                        client.close();
                    }
                }
            } finally {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        System.out.println();
        System.out.print(report);
        if (ingestReport.length() > 0) {
            System.out.println();
            System.out.println("| REST upsert (one client, ?wait=true, fsync) | batch | points | points/s acknowledged |");
            System.out.println("|---|---|---|---|");
            System.out.print(ingestReport);
            System.out.println();
            System.out.println("| Qdrant gRPC upsert (one client, wait, fsync; packed vectors) | batch | points | points/s acknowledged |");
            System.out.println("|---|---|---|---|");
            System.out.print(qdrantIngestReport);
        }
        return 0;
    }

    private final StringBuilder ingestReport = new StringBuilder();
    private final StringBuilder qdrantIngestReport = new StringBuilder();

    /**
     * Upserts the data set's base vectors through Qdrant's {@code Points/Upsert} (grpc-java stub,
     * messages built before the clock starts) in batches of {@code batch} into a fresh collection.
     */
    private static String qdrantIngest(Database db, int port, Dataset d, int batch) {
        String name = "qingest" + batch;
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().maxInboundMessageSize(64 << 20).build();
        try {
            io.qdrant.client.grpc.CollectionsGrpc.newBlockingStub(channel).create(io.qdrant.client.grpc.Collections.CreateCollection
                    .newBuilder().setCollectionName(name).setVectorsConfig(io.qdrant.client.grpc.Collections.VectorsConfig.newBuilder()
                            .setParams(io.qdrant.client.grpc.Collections.VectorParams.newBuilder().setSize(d.dimension())
                                    .setDistance(io.qdrant.client.grpc.Collections.Distance.Euclid))).build());
            List<io.qdrant.client.grpc.Points.UpsertPoints> requests = new ArrayList<>();
            for (int from = 0; from < d.base().length; from += batch) {
                var r = io.qdrant.client.grpc.Points.UpsertPoints.newBuilder().setCollectionName(name).setWait(true);
                for (int i = from; i < Math.min(d.base().length, from + batch); i++) {
                    var dense = io.qdrant.client.grpc.Points.DenseVector.newBuilder();
                    for (float f : d.base()[i]) {
                        dense.addData(f);
                    }
                    r.addPoints(io.qdrant.client.grpc.Points.PointStruct.newBuilder()
                            .setId(io.qdrant.client.grpc.Common.PointId.newBuilder().setNum(i))
                            .setVectors(io.qdrant.client.grpc.Points.Vectors.newBuilder().setVector(
                                    io.qdrant.client.grpc.Points.Vector.newBuilder().setDense(dense)))
                            .putPayload("n", io.qdrant.client.grpc.JsonWithInt.Value.newBuilder().setIntegerValue(i).build()));
                }
                requests.add(r.build());
            }
            var stub = io.qdrant.client.grpc.PointsGrpc.newBlockingStub(channel);
            long t = System.nanoTime();
            for (var r : requests) {
                stub.upsert(r);
            }
            double seconds = (System.nanoTime() - t) / 1e9;
            db.dropCollection(name);
            return String.format(Locale.ROOT, "| %s | %,d | %,d | %,.0f |%n", d.name(), batch, d.base().length, d.base().length / seconds);
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * Upserts the data set's base vectors through {@code PUT /collections/{name}/points?wait=true}
     * in batches of {@code batch} (bodies built before the clock starts) into a fresh collection.
     */
    private static String ingest(Database db, int port, Dataset d, int batch) throws Exception {
        String name = "ingest" + batch;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI create = URI.create("http://127.0.0.1:" + port + "/collections/" + name);
        http.send(HttpRequest.newBuilder(create).PUT(HttpRequest.BodyPublishers.ofString("{\"vectors\": {\"size\": "
                + d.dimension() + ", \"distance\": \"Euclid\"}}")).build(), HttpResponse.BodyHandlers.ofString());
        List<String> bodies = new ArrayList<>();
        for (int from = 0; from < d.base().length; from += batch) {
            StringBuilder b = new StringBuilder("{\"points\": [");
            for (int i = from; i < Math.min(d.base().length, from + batch); i++) {
                b.append(i == from ? "" : ",").append("{\"id\": ").append(i).append(", \"payload\": {\"n\": ").append(i)
                        .append("}, \"vector\": [");
                float[] v = d.base()[i];
                for (int j = 0; j < v.length; j++) {
                    b.append(j == 0 ? "" : ",").append(v[j]);
                }
                b.append("]}");
            }
            bodies.add(b.append("]}").toString());
        }
        URI upsert = URI.create(create + "/points?wait=true");
        long t = System.nanoTime();
        for (String body : bodies) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(upsert).header("content-type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("upsert answered " + r.statusCode() + ": " + r.body());
            }
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        http.close();
        db.dropCollection(name);
        return String.format(Locale.ROOT, "| %s | %,d | %,d | %,.0f |%n", d.name(), batch, d.base().length, d.base().length / seconds);
    }

    private static Collection load(Database db, Dataset d, String metric) {
        Collection c = db.createCollection(CollectionConfig.of("bench", d.dimension(), metric).withSegmentCapacity(d.base().length));
        List<Point> batch = new ArrayList<>();
        long t = System.nanoTime();
        for (int i = 0; i < d.base().length; i++) {
            batch.add(Point.of(i, d.base()[i]));
            if (batch.size() == 5_000 || i == d.base().length - 1) {
                c.upsert(batch);
                batch.clear();
                if ((i + 1) % 100_000 == 0) {
                    System.err.printf(Locale.ROOT, "%s: %,d/%,d written%n", d.name(), i + 1, d.base().length);
                }
            }
        }
        c.store().awaitIndexing();
        System.err.printf(Locale.ROOT, "%s: %,d points written and indexed in %.0f s%n", d.name(), d.base().length,
                (System.nanoTime() - t) / 1e9);
        return c;
    }

    private String measure(Dataset d, String protocol, Client client) throws Exception {
        float[][] qs = d.queries();
        for (int i = 0; i < Math.min(500, queries); i++) { // warm-up: JIT, connections
            client.search(qs[i % qs.length]);
        }
        long[] lat = new long[queries];
        double hits = 0;
        for (int i = 0; i < queries; i++) {
            int q = i % qs.length;
            long t0 = System.nanoTime();
            long[] ids = client.search(qs[q]);
            lat[i] = System.nanoTime() - t0;
            Set<Long> truth = new HashSet<>();
            for (int j = 0; j < 10; j++) {
                truth.add((long) d.groundTruth()[q][j]);
            }
            for (long id : ids) {
                hits += truth.contains(id) ? 1 : 0;
            }
        }
        Arrays.sort(lat);
        // Throughput: `concurrency` clients, each its own connection, for `seconds`.
        AtomicLong done = new AtomicLong();
        AtomicInteger next = new AtomicInteger();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        List<Client> clients = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            Client c = client.another();
            clients.add(c);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    while (System.nanoTime() < end) {
                        c.search(qs[next.getAndIncrement() % qs.length]);
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long start = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        double qps = done.get() / ((System.nanoTime() - start) / 1e9);
        for (Client c : clients) {
            c.close();
        }
        return String.format(Locale.ROOT, "| %s | %s | %.4f | %.0f | %.0f | %.0f | %,.0f |%n", d.name(), protocol,
                hits / (10.0 * queries), lat[lat.length / 2] / 1e3, lat[(int) (lat.length * 0.99)] / 1e3,
                lat[Math.min(lat.length - 1, (int) (lat.length * 0.999))] / 1e3, qps);
    }

    /** The round trip alone (GET /healthz, gRPC ListCollections): what any request costs here. */
    private String noop(String protocol, Client client) throws Exception {
        long[] lat = new long[queries];
        for (int i = -500; i < queries; i++) {
            long t0 = System.nanoTime();
            client.noop();
            if (i >= 0) {
                lat[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(lat);
        return String.format(Locale.ROOT, "| (round trip only) | %s | – | %.0f | %.0f | %.0f | – |%n", protocol,
                lat[lat.length / 2] / 1e3, lat[(int) (lat.length * 0.99)] / 1e3,
                lat[Math.min(lat.length - 1, (int) (lat.length * 0.999))] / 1e3);
    }

    /** One search client: returns the ids of the 10 nearest. */
    private interface Client extends AutoCloseable {
        long[] search(float[] q) throws Exception;

        /** A request that does no work: the transport's own cost. */
        default void noop() throws Exception {
        }

        Client another();

        @Override
        void close();
    }

    /** The engine called in-process: what the transports add is the difference to this row. */
    private record Engine(Collection c, int ef) implements Client {
        @Override
        public long[] search(float[] q) {
            var r = c.search(io.vectorflow.engine.SearchRequest.of(q, 10).withEf(ef).withPayload(false));
            long[] ids = new long[r.points().size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.points().get(i).id().lsb();
            }
            return ids;
        }

        @Override
        public Client another() {
            return this;
        }

        @Override
        public void close() {
        }
    }

    /**
     * REST's query API. With {@code fusion}, a multi-stage query: two prefetches of 20 (the query
     * at ef and at 2·ef) fused by reciprocal rank, what a hybrid query costs beyond a plain one.
     */
    private record Rest(HttpClient http, URI uri, int port, int ef, boolean fusion) implements Client {
        Rest(int port, int ef) {
            this(port, ef, false);
        }

        Rest(int port, int ef, boolean fusion) {
            this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build(),
                    URI.create("http://127.0.0.1:" + port + "/collections/bench/points/query"), port, ef, fusion);
        }

        @Override
        public long[] search(float[] q) throws Exception {
            StringBuilder v = new StringBuilder(q.length * 12).append('[');
            for (int i = 0; i < q.length; i++) {
                v.append(i == 0 ? "" : ",").append(q[i]);
            }
            v.append(']');
            String body = fusion
                    ? "{\"limit\":10,\"prefetch\":[{\"query\":" + v + ",\"limit\":20,\"params\":{\"hnsw_ef\":" + ef + "}},"
                    + "{\"query\":" + v + ",\"limit\":20,\"params\":{\"hnsw_ef\":" + 2 * ef + "}}],\"query\":{\"fusion\":\"rrf\"}}"
                    : "{\"limit\":10,\"params\":{\"hnsw_ef\":" + ef + "},\"query\":" + v + "}";
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body()));
            }
            var points = Json.MAPPER.readTree(r.body()).at("/result/points");
            long[] ids = new long[points.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = points.get(i).get("id").asLong();
            }
            return ids;
        }

        @Override
        public void noop() throws Exception {
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }

        @Override
        public Client another() {
            return new Rest(port, ef, fusion);
        }

        @Override
        public void close() {
            http.close();
        }
    }

    /** Qdrant's gRPC API ({@code Points/Query}) through grpc-java and Qdrant's generated stubs. */
    private record QdrantGrpc(ManagedChannel channel, io.qdrant.client.grpc.PointsGrpc.PointsBlockingStub stub, int port, int ef)
            implements Client {
        QdrantGrpc(int port, int ef) {
            this(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build(), port, ef);
        }

        private QdrantGrpc(ManagedChannel channel, int port, int ef) {
            this(channel, io.qdrant.client.grpc.PointsGrpc.newBlockingStub(channel), port, ef);
        }

        @Override
        public long[] search(float[] q) {
            var dense = io.qdrant.client.grpc.Points.DenseVector.newBuilder();
            for (float f : q) {
                dense.addData(f);
            }
            var r = stub.query(io.qdrant.client.grpc.Points.QueryPoints.newBuilder().setCollectionName("bench").setLimit(10)
                    .setParams(io.qdrant.client.grpc.Points.SearchParams.newBuilder().setHnswEf(ef))
                    .setQuery(io.qdrant.client.grpc.Points.Query.newBuilder().setNearest(
                            io.qdrant.client.grpc.Points.VectorInput.newBuilder().setDense(dense))).build());
            long[] ids = new long[r.getResultCount()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.getResult(i).getId().getNum();
            }
            return ids;
        }

        @Override
        public void noop() {
            io.qdrant.client.grpc.QdrantGrpc.newBlockingStub(channel).healthCheck(
                    io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest.getDefaultInstance());
        }

        @Override
        public Client another() {
            return new QdrantGrpc(port, ef);
        }

        @Override
        public void close() {
            channel.shutdownNow();
        }
    }

    private record Grpc(ManagedChannel channel, VectorFlowGrpc.VectorFlowBlockingStub stub, int port, int ef) implements Client {
        Grpc(int port, int ef) {
            this(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build(), port, ef);
        }

        private Grpc(ManagedChannel channel, int port, int ef) {
            this(channel, VectorFlowGrpc.newBlockingStub(channel), port, ef);
        }

        @Override
        public long[] search(float[] q) {
            var req = io.vectorflow.api.v1.SearchRequest.newBuilder().setCollection("bench").setLimit(10).setHnswEf(ef);
            for (float f : q) {
                req.addVector(f);
            }
            var r = stub.search(req.build());
            long[] ids = new long[r.getPointsCount()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.getPoints(i).getId().getNum();
            }
            return ids;
        }

        @Override
        public void noop() {
            stub.listCollections(io.vectorflow.api.v1.ListCollectionsRequest.getDefaultInstance());
        }

        @Override
        public Client another() {
            return new Grpc(port, ef);
        }

        @Override
        public void close() {
            channel.shutdownNow();
        }
    }
}
