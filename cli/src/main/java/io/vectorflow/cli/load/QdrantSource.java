package io.vectorflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The points of a collection of a Qdrant server (or anything speaking its REST API: another
 * VectorFlow), read in id order through {@code POST /collections/{name}/points/scroll}, a page at a
 * time. Collections of one unnamed dense vector per point; named vectors are refused with a message.
 */
public final class QdrantSource extends PagedSource {

    private static final int PAGE = 256;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI url;
    private final String collection;
    private final String apiKey;
    private JsonNode offset;
    private boolean exhausted;

    /** The collection {@code collection} of the server at {@code url}; {@code apiKey} may be null. */
    public QdrantSource(URI url, String collection, String apiKey) throws IOException {
        this.url = url;
        this.collection = collection;
        this.apiKey = apiKey;
        JsonNode info = call("GET", "", null);
        JsonNode vectors = info.path("config").path("params").path("vectors");
        if (!vectors.has("size")) {
            throw new IllegalArgumentException("collection '" + collection + "' of " + url + " has named vectors; only collections"
                    + " of one unnamed vector can be migrated");
        }
        ObjectNode exact = Json.MAPPER.createObjectNode().put("exact", true);
        describe(call("POST", "/points/count", exact).path("count").asLong(), vectors.get("size").asInt(),
                vectors.path("distance").asText("Cosine"));
    }

    @Override
    protected void skipUnread(long n) throws IOException {
        long left = n;
        while (left > 0 && !exhausted) { // ids only: skipping reads no vectors or payloads
            JsonNode r = scroll((int) Math.min(left, 10_000), false);
            left -= r.path("points").size();
        }
    }

    @Override
    protected void fill() throws IOException {
        if (!exhausted) {
            for (JsonNode p : scroll(PAGE, true).path("points")) {
                page.add(row(p));
            }
        }
    }

    private Row row(JsonNode p) {
        JsonNode v = p.get("vector");
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException("point " + p.path("id") + " of '" + collection + "' has no unnamed vector");
        }
        float[] vector = new float[v.size()];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = v.get(i).floatValue();
        }
        JsonNode id = p.get("id");
        JsonNode payload = p.get("payload");
        return new Row(id.isTextual() ? id.asText() : id.asLong(), vector,
                payload == null || payload.isNull() || payload.isEmpty() ? null : payload);
    }

    private JsonNode scroll(int limit, boolean full) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("limit", limit).put("with_payload", full).put("with_vector", full);
        if (offset != null) {
            body.set("offset", offset);
        }
        JsonNode r = call("POST", "/points/scroll", body);
        JsonNode next = r.get("next_page_offset");
        offset = next == null || next.isNull() ? null : next;
        exhausted = offset == null;
        return r;
    }

    /** A point by id from the source, with vector and payload (null when absent), for verification. */
    @Override
    public JsonNode point(Row row) throws IOException {
        return point(row.id());
    }

    /** The point {@code id} with vector and payload, or null. */
    public JsonNode point(Object id) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("with_payload", true).put("with_vector", true);
        if (id instanceof Long l) {
            body.putArray("ids").add(l);
        } else {
            body.putArray("ids").add(id.toString());
        }
        JsonNode points = call("POST", "/points", body);
        return points.isEmpty() ? null : points.get(0);
    }

    private JsonNode call(String method, String path, JsonNode body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url.resolve("/collections/" + URLEncoder.encode(collection,
                StandardCharsets.UTF_8) + path)).timeout(Duration.ofMinutes(2)).header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
        if (apiKey != null) {
            b.header("api-key", apiKey);
        }
        HttpResponse<String> r = send(http, b.build());
        JsonNode root = Json.MAPPER.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IOException("the source " + url + " answered " + r.statusCode() + " for collection '" + collection + "': "
                    + (root == null ? r.body() : root.path("status").path("error").asText(r.body())));
        }
        return root.get("result");
    }

    @Override
    public void close() {
        http.close();
    }
}
