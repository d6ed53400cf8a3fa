package io.vectorflow.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.metric.MetricCollectingService;
import com.linecorp.armeria.common.metric.MeterIdPrefixFunction;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import io.vectorflow.server.auth.Access;
import io.vectorflow.server.auth.ApiKeys;
import io.vectorflow.server.auth.AuditLog;
import io.vectorflow.server.auth.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * VectorFlow's server: the Qdrant-shaped REST API and the gRPC API ({@code vectorflow.v1}) over one
 * {@link Database}, each on its own port, with Prometheus metrics at {@code GET /metrics} and
 * OpenTelemetry tracing when configured.
 *
 * <pre>{@code
 * try (Database db = Database.open(dir); VectorFlowServer server = VectorFlowServer.start(db, "127.0.0.1", 6333)) {
 *     server.awaitStop();
 * }
 * }</pre>
 *
 * <p>{@link #close} stops taking connections, lets requests in flight finish (writes among them
 * are durable when they return), and then returns; closing the database is the caller's.
 */
public final class VectorFlowServer implements AutoCloseable {

    /** The product version reported by {@code GET /}. */
    public static final String VERSION = versionOf();
    /**
     * The Qdrant API version the REST and gRPC APIs follow, reported as {@code version} by
     * {@code GET /} and the gRPC health check: Qdrant's clients compare it with their own and
     * warn when the minor versions are more than one apart, so clients 1.18 to 1.20 start
     * quietly. VectorFlow's own version is {@code vectorflow_version}.
     */
    public static final String QDRANT_API_VERSION = "1.19.0";
    /**
     * The Qdrant gRPC API version the gRPC port follows (the protocol of Qdrant's Java client
     * 1.16), reported by {@code qdrant.Qdrant/HealthCheck}: clients 1.15 to 1.17 connect
     * without a version warning.
     */
    public static final String QDRANT_GRPC_API_VERSION = "1.16.2";
    /** Largest request body by default (Qdrant's default is 32 MiB too). */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 32L << 20;
    /** Largest snapshot upload. */
    public static final long MAX_SNAPSHOT_UPLOAD_BYTES = 16L << 30;

    /** How long requests in flight get to finish when the server stops; then they are cancelled. */
    public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);
    /** Default time a request may run before it is stopped (408), unless it gives {@code ?timeout=}. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final Server server;
    private final Server grpc;
    private final Admission admission;
    private final java.util.concurrent.atomic.AtomicBoolean stopping;
    private final Security security;
    private final List<String> grpcMethods;

    private VectorFlowServer(Server server, Server grpc, Admission admission, java.util.concurrent.atomic.AtomicBoolean stopping,
                             Security security, List<String> grpcMethods) {
        this.server = server;
        this.grpc = grpc;
        this.admission = admission;
        this.stopping = stopping;
        this.security = security;
        this.grpcMethods = grpcMethods;
    }

    /**
     * How to serve.
     *
     * @param host            address to bind (both ports)
     * @param port            REST port; 0 picks a free one
     * @param grpcPort        gRPC port; 0 picks a free one, -1 serves no gRPC
     * @param maxRequestBytes largest request body (and gRPC message)
     * @param openTelemetry   where request spans go; null for no tracing (see {@link ServerTracing#otlp})
     */
    public record Settings(String host, int port, int grpcPort, long maxRequestBytes, io.opentelemetry.api.OpenTelemetry openTelemetry,
                           boolean warmup, Keys keys, Tls tls) {
        public static Settings of(String host, int port) {
            return new Settings(host, port, -1, DEFAULT_MAX_REQUEST_BYTES, null, false, Keys.NONE, null);
        }

        public Settings withGrpcPort(int p) {
            return new Settings(host, port, p, maxRequestBytes, openTelemetry, warmup, keys, tls);
        }

        public Settings withMaxRequestBytes(long bytes) {
            return new Settings(host, port, grpcPort, bytes, openTelemetry, warmup, keys, tls);
        }

        public Settings withOpenTelemetry(io.opentelemetry.api.OpenTelemetry otel) {
            return new Settings(host, port, grpcPort, maxRequestBytes, otel, warmup, keys, tls);
        }

        /**
         * With {@code on}, the server warms up after it starts listening (see {@link Warmup}):
         * {@code /readyz} answers 503 until the kernels and the request path are compiled, a
         * few seconds; {@code /healthz} and every endpoint answer meanwhile.
         */
        public Settings withWarmup(boolean on) {
            return new Settings(host, port, grpcPort, maxRequestBytes, openTelemetry, on, keys, tls);
        }

        /** The server's own keys (the data directory's {@code keys.json} is always read as well). */
        public Settings withKeys(Keys k) {
            return new Settings(host, port, grpcPort, maxRequestBytes, openTelemetry, warmup, k, tls);
        }

        /** Serve both ports over TLS. */
        public Settings withTls(Tls t) {
            return new Settings(host, port, grpcPort, maxRequestBytes, openTelemetry, warmup, keys, t);
        }
    }

    /**
     * The server's own API keys, besides those of the data directory.
     *
     * @param apiKey         full access ({@code --api-key}), or null
     * @param readOnlyApiKey read-only access ({@code --read-only-api-key}), or null
     */
    public record Keys(String apiKey, String readOnlyApiKey) {
        /** No keys of the server's own. */
        public static final Keys NONE = new Keys(null, null);
    }

    /**
     * TLS for both ports, from PEM files.
     *
     * @param certificateChain the server's certificate chain (PEM)
     * @param privateKey       its private key (PEM, PKCS#8)
     * @param clientCa         when not null, clients must present a certificate signed by one of these (PEM)
     */
    public record Tls(java.nio.file.Path certificateChain, java.nio.file.Path privateKey, java.nio.file.Path clientCa) {}

    /** Starts serving {@code db} on {@code host:port} (port 0 picks a free one) with the default body limit, REST only. */
    public static VectorFlowServer start(Database db, String host, int port) {
        return start(db, Settings.of(host, port));
    }

    public static VectorFlowServer start(Database db, String host, int port, long maxRequestBytes) {
        return start(db, Settings.of(host, port).withMaxRequestBytes(maxRequestBytes));
    }

    /** An OTLP/HTTP tracing SDK for {@code endpoint} (e.g. {@code http://127.0.0.1:4318}), or null for none. */
    public static io.opentelemetry.api.OpenTelemetry otlpTracing(String endpoint) {
        return ServerTracing.otlp(endpoint);
    }

    public static VectorFlowServer start(Database db, Settings settings) {
        if (!org.slf4j.bridge.SLF4JBridgeHandler.isInstalled()) { // java.util.logging into the server's logs
            org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
            org.slf4j.bridge.SLF4JBridgeHandler.install();
        }
        InetSocketAddress address = address(settings.host(), settings.port());
        Authenticator auth = new Authenticator(settings.keys().apiKey(), settings.keys().readOnlyApiKey(),
                ApiKeys.in(db.directory()), !address.getAddress().isLoopbackAddress());
        if (!address.getAddress().isLoopbackAddress() && settings.keys().apiKey() == null && settings.keys().readOnlyApiKey() == null
                && auth.keys().isEmpty()) {
            throw new IllegalArgumentException("refusing to listen on " + settings.host() + " without an API key: anyone who"
                    + " can reach it could read, change and delete everything. Set one with --api-key (or VECTORFLOW_API_KEY),"
                    + " or create keys with 'vectorflow keys create --role admin', or listen on 127.0.0.1");
        }
        Security security = new Security(auth, AuditLog.in(db.directory(), AuditLog.DEFAULT_MAX_BYTES, AuditLog.DEFAULT_KEEP), db);
        ServerTracing.install(settings.openTelemetry());
        ServerMetrics metrics = new ServerMetrics(db);
        Admission admission = new Admission();
        Disconnects disconnects = new Disconnects();
        Rest rest = new Rest(admission, disconnects);
        GrpcCalls calls = new GrpcCalls(admission, rest);
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        ServerBuilder sb = listen(Server.builder(), address, settings.tls())
                .meterRegistry(metrics.registry())
                .maxRequestLength(settings.maxRequestBytes())
                .childChannelPipelineCustomizer(disconnects)
                .requestTimeout(DEFAULT_REQUEST_TIMEOUT)
                .gracefulShutdownTimeout(Duration.ZERO, SHUTDOWN_GRACE)
                .errorHandler(new JsonErrors())
                .decorator(new RestGuard(security))
                .decorator(MetricCollectingService.newDecorator(MeterIdPrefixFunction.ofDefault("vectorflow.http")
                        .andThen((registry, log, prefix) -> prefix.withTags("route", log.context() instanceof
                                com.linecorp.armeria.server.ServiceRequestContext sctx ? sctx.config().route().patternString() : ""))));
        // Qdrant's answer, unwrapped: clients read "version" and compare it with their own.
        sb.route().get("/").build(rest.raw(Access.PUBLIC, Admission.Lane.READ, c -> Rest.write(HttpStatus.OK, about(), false), false, true));
        // Liveness answers on the event loop whatever the load; readiness says whether requests can be taken now.
        for (String health : new String[] {"/healthz", "/livez"}) {
            sb.route().get(health).build(Guarded.of(Access.PUBLIC, (ctx, req) -> HttpResponse.of(HttpStatus.OK,
                    MediaType.PLAIN_TEXT_UTF_8, health.substring(1) + " check passed")));
        }
        java.util.concurrent.atomic.AtomicBoolean warming = new java.util.concurrent.atomic.AtomicBoolean(settings.warmup());
        sb.route().get("/readyz").build(Guarded.of(Access.PUBLIC, (ctx, req) -> stopping.get()
                ? HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8, "not ready: shutting down")
                : warming.get() ? HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8,
                        "not ready: warming up (compiling the search path; a few seconds after a start)")
                : admission.ready() ? HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "readyz check passed")
                : HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8, "not ready: " + admission.whyNotReady())));
        // Its labels name collections of every tenant: an admin or metrics key only.
        sb.route().get("/metrics").build(Guarded.of(Access.METRICS, (ctx, req) -> HttpResponse.of(HttpStatus.OK,
                MediaType.parse("text/plain; version=0.0.4; charset=utf-8"), metrics.scrape())));
        new AdminApi(auth.keys(), db, rest).register(sb);
        CollectionsApi collectionsApi = new CollectionsApi(db, rest);
        collectionsApi.register(sb);
        new PointsApi(db, rest).register(sb);
        new QueryApi(db, rest).register(sb);
        new SnapshotsApi(db, rest, MAX_SNAPSHOT_UPLOAD_BYTES).register(sb);
        Dashboard.register(sb);
        sb.serviceUnder("/", rest.raw(Access.KEYED, Admission.Lane.READ, c -> {
            throw new ApiException(404, "no endpoint " + c.request().method() + " " + c.ctx().path());
        }, false));
        Server server = sb.build();
        Server grpc = null;
        List<String> grpcMethods = new ArrayList<>();
        if (settings.grpcPort() >= 0) {
            GrpcService grpcService;
            int maxMessage = (int) Math.min(Integer.MAX_VALUE - (1 << 20), settings.maxRequestBytes());
            grpc = listen(Server.builder(), address(settings.host(), settings.grpcPort()), settings.tls())
                    .meterRegistry(metrics.registry())
                    // Room above the message limit, so an oversized message is gRPC's RESOURCE_EXHAUSTED, not HTTP 413.
                    .maxRequestLength(maxMessage + (1L << 20))
                    .childChannelPipelineCustomizer(disconnects)
                    .requestTimeout(DEFAULT_REQUEST_TIMEOUT)
                    .gracefulShutdownTimeout(Duration.ZERO, SHUTDOWN_GRACE)
                    .decorator(MetricCollectingService.newDecorator(MeterIdPrefixFunction.ofDefault("vectorflow.grpc")))
                    .service(grpcService = GrpcService.builder()
                            .addService(new GrpcApi(db, calls))
                            // Qdrant's own services, for Qdrant's gRPC clients (Java, Go, Rust, .NET, LangChain4j, Spring AI)
                            .addService(new QdrantCollectionsService.Health())
                            .addService(new QdrantCollectionsService(db, calls, collectionsApi))
                            .addService(new QdrantPointsService(db, calls))
                            .addService(new QdrantCollectionsService.Snapshots(db, calls))
                            .addService(ProtoReflectionServiceV1.newInstance())
                            .intercept(new GrpcTracing(), new GrpcGuard(security))
                            .maxRequestMessageLength(maxMessage)
                            .exceptionHandler(GrpcCalls::statusOfFailure)
                            .useBlockingTaskExecutor(false)
                            .build())
                    .build();
            grpcService.services().forEach(d -> d.getMethods().forEach(m -> grpcMethods.add(m.getMethodDescriptor().getFullMethodName())));
        }
        server.start().join();
        if (grpc != null) {
            try {
                grpc.start().join();
            } catch (RuntimeException e) {
                server.stop().join();
                throw e;
            }
        }
        if (settings.warmup()) {
            int port = server.activeLocalPort();
            Thread.ofPlatform().daemon().name("vectorflow-warmup").start(() -> {
                Warmup.run(settings.host(), port, settings.tls() == null);
                warming.set(false);
            });
        }
        return new VectorFlowServer(server, grpc, admission, stopping, security, grpcMethods);
    }

    /** Listens on {@code address}, over TLS when {@code tls} is given (with client certificates when it names a CA). */
    private static ServerBuilder listen(ServerBuilder sb, InetSocketAddress address, Tls tls) {
        if (tls == null) {
            return sb.http(address);
        }
        sb.https(address).tls(tls.certificateChain().toFile(), tls.privateKey().toFile());
        if (tls.clientCa() != null) {
            sb.tlsCustomizer(b -> b.clientAuth(io.netty.handler.ssl.ClientAuth.REQUIRE).trustManager(tls.clientCa().toFile()));
        }
        return sb;
    }

    private static InetSocketAddress address(String host, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "': " + e.getMessage(), e);
        }
    }

    /**
     * Every REST route as {@code "METHOD pattern"} (a route of several methods once per method;
     * {@code "* pattern"} for one of every method) with its access rule, null for one without a
     * rule (which every key is refused).
     */
    Map<String, Access> restRules() {
        Map<String, Access> out = new LinkedHashMap<>();
        for (var config : server.serviceConfigs()) {
            Guarded g = config.service().as(Guarded.class);
            var methods = config.route().methods();
            for (var m : methods.size() > 4 ? List.of("*") : methods.stream().map(Object::toString).toList()) {
                out.put(m + " " + Guarded.pattern(config.route()), g == null ? null : g.access());
            }
        }
        return out;
    }

    /** The full names of every gRPC method served. */
    List<String> grpcMethods() {
        return grpcMethods;
    }

    /** The gRPC port, or -1 when gRPC is not served. */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.activeLocalPort();
    }

    /** The port the server listens on. */
    public int port() {
        return server.activeLocalPort();
    }

    /** Blocks until the server has stopped. */
    public void awaitStop() {
        server.whenClosed().join();
    }

    /**
     * Stops: {@code /readyz} turns unready, queued requests are answered 503, the ports stop
     * taking connections, requests running get up to {@link #SHUTDOWN_GRACE} to finish (then
     * they are cancelled, and their work stops), and the request threads end. Closing the
     * database is the caller's.
     */
    @Override
    public void close() {
        stopping.set(true);
        admission.stopTaking(); // what waits in the queues is answered 503 at once
        var rest = server.stop();
        if (grpc != null) {
            grpc.stop().join();
        }
        rest.join();
        admission.close();
        security.close();
        ServerTracing.install(null);
    }

    /** Threads running requests now (they start with load and stop when idle). */
    public int requestThreads() {
        return admission.activeThreads();
    }

    /** Threads of the read lane now (searches answered on the network threads start none). */
    int readThreads() {
        return admission.readThreads();
    }

    /** The body of {@code GET /}: Qdrant's {@code title}, {@code version} and {@code commit}, and our own version. */
    static ObjectNode about() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("title", "vectorflow - vector search engine (Qdrant API " + QDRANT_API_VERSION + ")");
        n.put("version", QDRANT_API_VERSION);
        n.putNull("commit");
        n.put("vectorflow_version", VERSION);
        return n;
    }

    private static String versionOf() {
        String v = VectorFlowServer.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0" : v.replace("-SNAPSHOT", "");
    }
}
