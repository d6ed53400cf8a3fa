package io.vectorflow.cli.load;

import com.fasterxml.jackson.core.JsonGenerator;
import io.vectorflow.engine.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A server's REST API: {@code PUT /collections/{name}/points?wait=true} with the batch as JSON. */
final class RestTarget implements Target {

    private static final int RETRIES = 5;
    private final URI url;
    private final String collection;
    private final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    RestTarget(URI url, String collection, String apiKey) {
        this.url = url;
        this.collection = collection;
        this.apiKey = apiKey;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url.resolve("/collections/" + URLEncoder.encode(collection, StandardCharsets.UTF_8)
                + path));
        if (apiKey != null) {
            b.header("api-key", apiKey);
        }
        return b;
    }

    @Override
    public void ensure(int dimension, String distance) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request("/exists").build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("cannot ask " + url + " about collection '" + collection + "': " + r.statusCode() + " "
                    + r.body());
        }
        if (r.body().contains("\"exists\":true")) {
            return;
        }
        if (dimension < 1) {
            throw Target.noDimension(collection);
        }
        HttpResponse<String> made = http.send(request("").header("content-type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"vectors\": {\"size\": " + dimension + ", \"distance\": \"" + distance
                        + "\"}}")).build(), HttpResponse.BodyHandlers.ofString());
        if (made.statusCode() != 200) {
            throw new IllegalStateException("cannot create collection '" + collection + "': " + made.statusCode() + " " + made.body());
        }
    }

    @Override
    public CompletableFuture<Void> upsert(List<VectorSource.Row> rows) {
        try {
            return send(body(rows), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CompletableFuture<Void> send(byte[] body, int attempt) {
        HttpRequest r0 = request("/points?wait=true").timeout(Duration.ofMinutes(5)).header("content-type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.sendAsync(r0, HttpResponse.BodyHandlers.ofString()).handle((r, t) -> {
            boolean retry = t != null || r.statusCode() == 429 || r.statusCode() == 503;
            if (!retry && r.statusCode() == 200) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (retry && attempt < RETRIES) {
                long wait = r != null ? r.headers().firstValueAsLong("retry-after").orElse(1) * 1000 : 200L << attempt;
                return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS))
                        .thenCompose(v -> send(body, attempt + 1));
            }
            String why = t != null ? "cannot reach " + url + ": " + t.getMessage()
                    : "the server refused a batch (" + r.statusCode() + "): " + message(r.body());
            return CompletableFuture.<Void>failedFuture(new IOException(why));
        }).thenCompose(f -> f);
    }

    private static String message(String body) {
        try {
            return Json.MAPPER.readTree(body).path("status").path("error").asText(body);
        } catch (IOException e) {
            return body;
        }
    }

    private static byte[] body(List<VectorSource.Row> rows) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rows.size() * 64);
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("points");
            for (VectorSource.Row r : rows) {
                g.writeStartObject();
                if (r.id() instanceof Long l) {
                    g.writeNumberField("id", l);
                } else {
                    g.writeStringField("id", r.id().toString());
                }
                g.writeArrayFieldStart("vector");
                for (float x : r.vector()) {
                    g.writeNumber(x);
                }
                g.writeEndArray();
                if (r.payload() != null) {
                    g.writeFieldName("payload");
                    g.writeTree(r.payload());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        http.close();
    }
}
