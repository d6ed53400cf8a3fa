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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The records of one namespace of a Pinecone index, through its data-plane REST API (the index's
 * host, {@code Api-Key} header): ids a page at a time from {@code GET /vectors/list} (in id
 * order, which Pinecone keeps stable, so a resumed run skips by listing ids only), then their
 * values and metadata from {@code GET /vectors/fetch}; the size, dimension and metric from
 * {@code POST /describe_index_stats}. Dense vectors only: a record with sparse values alone is
 * refused.
 *
 * <p>Ids: Pinecone's are strings. One of digits (a non-negative 64-bit integer without leading
 * zeros) becomes that number, a canonical UUID stays that UUID; any other becomes the UUID
 * {@code nameUUIDFromBytes("pinecone:" + id)} and the original is kept in the payload field
 * {@value #ID_FIELD}. Metadata becomes the payload.
 */
public final class PineconeSource extends PagedSource {

    /** The payload field holding a Pinecone id that is neither a number nor a UUID. */
    public static final String ID_FIELD = "pinecone_id";
    /** The data-plane API version asked for. */
    static final String API_VERSION = "2025-04";
    private static final int PAGE = 100;
    private static final Pattern NUMBER = Pattern.compile("0|[1-9][0-9]{0,17}");
    private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI host;
    private final String apiKey;
    private final String namespace;
    private final Deque<String> ids = new ArrayDeque<>();
    private String token;
    private boolean listed;

    /**
     * The namespace {@code namespace} ("" for the default) of the index served at {@code host}
     * (e.g. {@code https://docs-abc123.svc.aped-4627-b74a.pinecone.io}; without a scheme, as
     * Pinecone's console and {@code describe_index} show it, {@code https://} is meant).
     */
    public PineconeSource(URI host, String apiKey, String namespace) throws IOException {
        this.host = host.getScheme() == null ? URI.create("https://" + host) : host;
        this.apiKey = apiKey;
        this.namespace = namespace == null ? "" : namespace;
        JsonNode stats = call(HttpRequest.newBuilder(this.host.resolve("/describe_index_stats")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        JsonNode namespaces = stats.path("namespaces");
        JsonNode mine = this.namespace.isEmpty() && !namespaces.has("") ? namespaces.path("__default__") : namespaces.path(this.namespace);
        String distance = switch (stats.path("metric").asText("").toLowerCase(Locale.ROOT)) {
            case "euclidean" -> "Euclid";
            case "dotproduct" -> "Dot";
            case "cosine" -> "Cosine";
            default -> null;
        };
        describe(mine.path("vectorCount").asLong(0), stats.path("dimension").asInt(0), distance);
    }

    @Override
    protected void skipUnread(long n) throws IOException {
        for (long left = n; left > 0 && (!ids.isEmpty() || list()); left--) { // ids only: skipping fetches no values
            ids.poll();
        }
    }

    /** Lists the next page of ids; false at the end. */
    private boolean list() throws IOException {
        if (listed) {
            return false;
        }
        StringBuilder q = new StringBuilder("/vectors/list?limit=" + PAGE + "&namespace=" + encode(namespace));
        if (token != null) {
            q.append("&paginationToken=").append(encode(token));
        }
        JsonNode listing = call(HttpRequest.newBuilder(host.resolve(q.toString())).GET());
        listing.path("vectors").forEach(v -> ids.add(v.path("id").asText()));
        JsonNode next = listing.path("pagination").path("next");
        token = next.isTextual() && !next.asText().isEmpty() ? next.asText() : null;
        listed = token == null;
        return !ids.isEmpty();
    }

    @Override
    protected void fill() throws IOException {
        // on to the next ids when every record of a batch was deleted between list and fetch
        while (page.isEmpty() && (!ids.isEmpty() || list())) {
            List<String> batch = new ArrayList<>();
            while (!ids.isEmpty() && batch.size() < PAGE) {
                batch.add(ids.poll());
            }
            JsonNode found = fetch(batch);
            for (String id : batch) {
                JsonNode record = found.get(id);
                if (record == null) { // deleted between list and fetch
                    continue;
                }
                page.add(row(id, record));
            }
        }
    }

    private JsonNode fetch(List<String> batch) throws IOException {
        StringBuilder q = new StringBuilder("/vectors/fetch?namespace=" + encode(namespace));
        batch.forEach(id -> q.append("&ids=").append(encode(id)));
        return call(HttpRequest.newBuilder(host.resolve(q.toString())).GET()).path("vectors");
    }

    private static Row row(String id, JsonNode record) {
        JsonNode values = record.path("values");
        if (!values.isArray() || values.isEmpty()) {
            throw new IllegalArgumentException("record '" + id + "' has no dense values (sparse-only records are not migrated)");
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i).floatValue();
        }
        JsonNode metadata = record.path("metadata");
        ObjectNode payload = metadata.isObject() ? ((ObjectNode) metadata).deepCopy() : Json.MAPPER.createObjectNode();
        Object converted = id(id);
        if (converted instanceof UUID && !UUID_TEXT.matcher(id).matches()) {
            payload.put(ID_FIELD, id);
        }
        return new Row(converted instanceof UUID u ? u.toString() : converted, v, payload.isEmpty() ? null : payload);
    }

    /** A Pinecone id as a VectorFlow id: a number, the same UUID, or a UUID derived from the text. */
    static Object id(String id) {
        if (NUMBER.matcher(id).matches()) {
            return Long.parseLong(id);
        }
        if (UUID_TEXT.matcher(id).matches()) {
            return UUID.fromString(id);
        }
        return UUID.nameUUIDFromBytes(("pinecone:" + id).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The record behind {@code row} from the source, as {@code {"vector", "payload"}} the way it
     * was migrated, for verification.
     */
    @Override
    public JsonNode point(Row row) throws IOException {
        String original = row.payload() != null && row.payload().has(ID_FIELD) ? row.payload().get(ID_FIELD).asText() : row.id().toString();
        JsonNode record = fetch(List.of(original)).get(original);
        if (record == null) {
            return null;
        }
        Row again = row(original, record);
        ObjectNode out = Json.MAPPER.createObjectNode();
        var vector = out.putArray("vector");
        for (float x : again.vector()) {
            vector.add(x);
        }
        out.set("payload", again.payload() == null ? Json.MAPPER.createObjectNode() : again.payload());
        return out;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private JsonNode call(HttpRequest.Builder b) throws IOException {
        b.timeout(Duration.ofMinutes(2)).header("X-Pinecone-Api-Version", API_VERSION);
        if (apiKey != null) {
            b.header("Api-Key", apiKey);
        }
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> r = send(http, b.build());
            if ((r.statusCode() == 429 || r.statusCode() >= 500) && attempt < 5) {
                sleep(r.headers().firstValueAsLong("retry-after").orElse(0) * 1000 + (250L << attempt));
                continue;
            }
            if (r.statusCode() != 200) {
                throw new IOException("the Pinecone index " + host + " answered " + r.statusCode() + ": " + r.body());
            }
            return Json.MAPPER.readTree(r.body());
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
