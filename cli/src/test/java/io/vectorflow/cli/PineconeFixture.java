package io.vectorflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vectorflow.engine.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback stand-in for one Pinecone index's data plane, for tests: {@code POST /vectors/upsert},
 * {@code GET /vectors/list}, {@code GET /vectors/fetch} and {@code POST /describe_index_stats}
 * in the shapes of Pinecone's published API (the tests first drive it with Pinecone's own
 * client), records in memory, every call checked for its {@code Api-Key}. The default namespace
 * is reported as {@code __default__}, as Pinecone does.
 */
final class PineconeFixture implements AutoCloseable {

    private final HttpServer server;
    private final String apiKey;
    private final int dimension;
    private final Map<String, NavigableMap<String, ObjectNode>> namespaces = new ConcurrentHashMap<>();

    PineconeFixture(String apiKey, int dimension) throws IOException {
        this.apiKey = apiKey;
        this.dimension = dimension;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI host() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static String ns(String name) {
        return name == null || name.isEmpty() ? "__default__" : name;
    }

    private NavigableMap<String, ObjectNode> records(String namespace) {
        return namespaces.computeIfAbsent(ns(namespace), k -> java.util.Collections.synchronizedNavigableMap(new TreeMap<>()));
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!apiKey.equals(x.getRequestHeaders().getFirst("Api-Key"))) {
                reply(x, 401, Json.MAPPER.createObjectNode().put("status", 401).set("error",
                        Json.MAPPER.createObjectNode().put("code", "UNAUTHENTICATED").put("message", "Invalid API Key")));
                return;
            }
            Map<String, List<String>> q = query(x.getRequestURI());
            String path = x.getRequestURI().getPath();
            switch (x.getRequestMethod() + " " + path) {
                case "POST /vectors/upsert" -> {
                    JsonNode body = Json.MAPPER.readTree(x.getRequestBody());
                    var target = records(body.path("namespace").asText(""));
                    for (JsonNode v : body.path("vectors")) {
                        target.put(v.path("id").asText(), (ObjectNode) v);
                    }
                    reply(x, 200, Json.MAPPER.createObjectNode().put("upsertedCount", body.path("vectors").size()));
                }
                case "GET /vectors/list" -> {
                    var all = records(first(q, "namespace"));
                    int limit = Integer.parseInt(q.getOrDefault("limit", List.of("100")).getFirst());
                    String token = first(q, "paginationToken");
                    String prefix = first(q, "prefix");
                    var from = token.isEmpty() ? all : all.tailMap(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8), false);
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    ArrayNode ids = out.putArray("vectors");
                    List<String> page = new ArrayList<>();
                    synchronized (all) {
                        for (String id : from.keySet()) {
                            if (id.startsWith(prefix) && page.size() < limit + 1) {
                                page.add(id);
                            }
                        }
                    }
                    page.stream().limit(limit).forEach(id -> ids.addObject().put("id", id));
                    if (page.size() > limit) {
                        out.putObject("pagination").put("next", Base64.getUrlEncoder().encodeToString(
                                page.get(limit - 1).getBytes(StandardCharsets.UTF_8)));
                    }
                    out.put("namespace", first(q, "namespace"));
                    out.putObject("usage").put("readUnits", 1);
                    reply(x, 200, out);
                }
                case "GET /vectors/fetch" -> {
                    var all = records(first(q, "namespace"));
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    ObjectNode vectors = out.putObject("vectors");
                    for (String id : q.getOrDefault("ids", List.of())) {
                        ObjectNode r = all.get(id);
                        if (r != null) {
                            vectors.set(id, r);
                        }
                    }
                    out.put("namespace", first(q, "namespace"));
                    out.putObject("usage").put("readUnits", 1);
                    reply(x, 200, out);
                }
                case "POST /describe_index_stats", "GET /describe_index_stats" -> {
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    ObjectNode summary = out.putObject("namespaces");
                    long total = 0;
                    for (var e : namespaces.entrySet()) {
                        summary.putObject(e.getKey()).put("vectorCount", e.getValue().size());
                        total += e.getValue().size();
                    }
                    out.put("dimension", dimension).put("indexFullness", 0.0).put("totalVectorCount", total)
                            .put("metric", "euclidean").put("vectorType", "dense");
                    reply(x, 200, out);
                }
                default -> reply(x, 404, Json.MAPPER.createObjectNode().put("status", 404).put("message", "no route " + path));
            }
        }
    }

    private static String first(Map<String, List<String>> q, String key) {
        return q.getOrDefault(key, List.of("")).getFirst();
    }

    private static Map<String, List<String>> query(URI uri) {
        Map<String, List<String>> out = new TreeMap<>();
        String raw = uri.getRawQuery();
        if (raw != null) {
            for (String part : raw.split("&")) {
                int eq = part.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                out.computeIfAbsent(k, key -> new ArrayList<>()).add(v);
            }
        }
        return out;
    }

    private static void reply(HttpExchange x, int status, JsonNode body) throws IOException {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        x.getResponseHeaders().set("content-type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
