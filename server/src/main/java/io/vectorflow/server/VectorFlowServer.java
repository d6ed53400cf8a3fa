package io.vectorflow.server;

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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
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
    /** Largest request body by default (Qdrant's default is 32 MiB too). */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 32L << 20;
    /** Largest snapshot upload. */
    public static final long MAX_SNAPSHOT_UPLOAD_BYTES = 16L << 30;

    private final Server server;
    private final Server grpc;

    private VectorFlowServer(Server server, Server grpc) {
        this.server = server;
        this.grpc = grpc;
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
    public record Settings(String host, int port, int grpcPort, long maxRequestBytes, io.opentelemetry.api.OpenTelemetry openTelemetry) {
        public static Settings of(String host, int port) {
            return new Settings(host, port, -1, DEFAULT_MAX_REQUEST_BYTES, null);
        }

        public Settings withGrpcPort(int p) {
            return new Settings(host, port, p, maxRequestBytes, openTelemetry);
        }

        public Settings withMaxRequestBytes(long bytes) {
            return new Settings(host, port, grpcPort, bytes, openTelemetry);
        }

        public Settings withOpenTelemetry(io.opentelemetry.api.OpenTelemetry otel) {
            return new Settings(host, port, grpcPort, maxRequestBytes, otel);
        }
    }

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
        ServerTracing.install(settings.openTelemetry());
        ServerMetrics metrics = new ServerMetrics(db);
        ServerBuilder sb = Server.builder()
                .http(address)
                .meterRegistry(metrics.registry())
                .maxRequestLength(settings.maxRequestBytes())
                .requestTimeout(Duration.ofMinutes(10))
                .gracefulShutdownTimeout(Duration.ofMillis(300), Duration.ofSeconds(15))
                .errorHandler(new JsonErrors())
                .decorator(MetricCollectingService.newDecorator(MeterIdPrefixFunction.ofDefault("vectorflow.http")
                        .andThen((registry, log, prefix) -> prefix.withTags("route", log.context() instanceof
                                com.linecorp.armeria.server.ServiceRequestContext sctx ? sctx.config().route().patternString() : ""))));
        sb.route().get("/").build(Rest.json(c -> Rest.Reply.of(Map.of("title", "vectorflow", "version", VERSION,
                "qdrant_api", "1.13"))));
        for (String health : new String[] {"/healthz", "/livez", "/readyz"}) {
            sb.route().get(health).build((ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8,
                    health.substring(1) + " check passed"));
        }
        // The one place that exposes collection names outside the API: guard it here once keys exist.
        sb.route().get("/metrics").build((ctx, req) -> HttpResponse.of(HttpStatus.OK,
                MediaType.parse("text/plain; version=0.0.4; charset=utf-8"), metrics.scrape()));
        new CollectionsApi(db).register(sb);
        new PointsApi(db).register(sb);
        new SnapshotsApi(db, MAX_SNAPSHOT_UPLOAD_BYTES).register(sb);
        sb.serviceUnder("/", Rest.json(c -> {
            throw new ApiException(404, "no endpoint " + c.request().method() + " " + c.ctx().path());
        }));
        Server server = sb.build();
        Server grpc = null;
        if (settings.grpcPort() >= 0) {
            grpc = Server.builder()
                    .http(address(settings.host(), settings.grpcPort()))
                    .meterRegistry(metrics.registry())
                    .maxRequestLength(settings.maxRequestBytes())
                    .requestTimeout(Duration.ofMinutes(10))
                    .gracefulShutdownTimeout(Duration.ofMillis(300), Duration.ofSeconds(15))
                    .decorator(MetricCollectingService.newDecorator(MeterIdPrefixFunction.ofDefault("vectorflow.grpc")))
                    .service(GrpcService.builder()
                            .addService(new GrpcApi(db))
                            .addService(ProtoReflectionServiceV1.newInstance())
                            .intercept(new GrpcTracing())
                            .maxRequestMessageLength((int) Math.min(Integer.MAX_VALUE, settings.maxRequestBytes()))
                            .useBlockingTaskExecutor(true)
                            .build())
                    .build();
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
        return new VectorFlowServer(server, grpc);
    }

    private static InetSocketAddress address(String host, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "': " + e.getMessage(), e);
        }
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

    @Override
    public void close() {
        var rest = server.stop();
        if (grpc != null) {
            grpc.stop().join();
        }
        rest.join();
        ServerTracing.install(null);
    }

    private static String versionOf() {
        String v = VectorFlowServer.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0" : v.replace("-SNAPSHOT", "");
    }
}
