package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** A real VectorFlow server on a free loopback port over a fresh data directory, and a real HTTP client. */
class TestServer implements AutoCloseable {

    final Database db;
    final VectorFlowServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /**
     * HTTP/1.1 for the second try of a request whose HTTP/2 stream was reset after the server refused it before
     * reading its body (the router's "Invalid request path"): the JDK's client may report the reset instead of
     * the answer that came before it. curl and the Qdrant clients read the answer.
     */
    private final HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** The HTTP client alone, for a server the test started itself (closing it closes nothing). */
    static final class Client extends TestServer {
        Client(VectorFlowServer server) {
            super(null, server);
        }

        @Override
        public void close() {
        }
    }

    private TestServer(Database db, VectorFlowServer server) {
        this.db = db;
        this.server = server;
    }

    TestServer(Path dir) {
        this(dir, Database.Options.defaults());
    }

    TestServer(Path dir, Database.Options options) {
        this(dir, options, VectorFlowServer.DEFAULT_MAX_REQUEST_BYTES);
    }

    TestServer(Path dir, Database.Options options, long maxBody) {
        db = Database.open(dir, options);
        server = VectorFlowServer.start(db, "127.0.0.1", 0, maxBody);
    }

    /** A server on {@code dir} started with {@code settings} (host and ports as given there). */
    TestServer(Path dir, VectorFlowServer.Settings settings) {
        db = Database.open(dir);
        server = VectorFlowServer.start(db, settings);
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** A status code and the parsed JSON body (null when the body is not JSON). */
    record Answer(int status, JsonNode json, String text) {
        JsonNode result() {
            return json.get("result");
        }

        String error() {
            return json.path("status").path("error").asText(null);
        }
    }

    Answer call(String method, String path, String body) {
        return call(method, path, body, new String[0]);
    }

    /** A call with extra headers, given as name, value, name, value… */
    Answer call(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpRequest request = b.build();
            HttpResponse<String> r;
            try {
                r = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException reset) {
                if (reset.getMessage() == null || !reset.getMessage().contains("RST_STREAM")) {
                    throw reset;
                }
                System.out.println("HTTP/2 stream reset, asked again over HTTP/1.1: " + method + " " + path);
                r = http1.send(request, HttpResponse.BodyHandlers.ofString());
            }
            JsonNode json;
            try {
                json = Json.MAPPER.readTree(r.body());
            } catch (IOException e) {
                json = null;
            }
            return new Answer(r.statusCode(), json, r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Answer put(String path, String body) {
        return call("PUT", path, body);
    }

    Answer post(String path, String body) {
        return call("POST", path, body);
    }

    Answer get(String path) {
        return call("GET", path, null);
    }

    @Override
    public void close() {
        server.close();
        db.close();
    }
}
