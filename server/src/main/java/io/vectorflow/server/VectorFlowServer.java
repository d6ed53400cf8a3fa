package io.vectorflow.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.vectorflow.engine.Database;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;

/**
 * VectorFlow's HTTP server: the Qdrant-shaped REST API over one {@link Database}, on one address.
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

    private VectorFlowServer(Server server) {
        this.server = server;
    }

    /** Starts serving {@code db} on {@code host:port} (port 0 picks a free one) with the default body limit. */
    public static VectorFlowServer start(Database db, String host, int port) {
        return start(db, host, port, DEFAULT_MAX_REQUEST_BYTES);
    }

    public static VectorFlowServer start(Database db, String host, int port, long maxRequestBytes) {
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "': " + e.getMessage(), e);
        }
        ServerBuilder sb = Server.builder()
                .http(address)
                .maxRequestLength(maxRequestBytes)
                .requestTimeout(Duration.ofMinutes(10))
                .gracefulShutdownTimeout(Duration.ofMillis(300), Duration.ofSeconds(15))
                .errorHandler(new JsonErrors());
        sb.route().get("/").build(Rest.json(c -> Rest.Reply.of(Map.of("title", "vectorflow", "version", VERSION,
                "qdrant_api", "1.13"))));
        for (String health : new String[] {"/healthz", "/livez", "/readyz"}) {
            sb.route().get(health).build((ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8,
                    health.substring(1) + " check passed"));
        }
        new CollectionsApi(db).register(sb);
        new PointsApi(db).register(sb);
        new SnapshotsApi(db, MAX_SNAPSHOT_UPLOAD_BYTES).register(sb);
        sb.serviceUnder("/", Rest.json(c -> {
            throw new ApiException(404, "no endpoint " + c.request().method() + " " + c.ctx().path());
        }));
        Server server = sb.build();
        server.start().join();
        return new VectorFlowServer(server);
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
        server.stop().join();
    }

    private static String versionOf() {
        String v = VectorFlowServer.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0" : v.replace("-SNAPSHOT", "");
    }
}
