/**
 * A Java client for VectorFlow's {@code vectorflow.v1} gRPC API.
 *
 * <pre>{@code
 * try (VectorFlowClient client = VectorFlowClient.builder().target("localhost:6334").apiKey(key).build()) {
 *     client.createCollection("documents", 384, Distance.COSINE);
 *     client.upsert("documents", List.of(Point.of(1, embedding, Map.of("lang", "en"))));
 *     SearchResults hits = client.search("documents", Search.of(query).limit(10).filter(Map.of("must", List.of(
 *             Map.of("key", "lang", "match", Map.of("value", "en"))))));
 *     System.out.println(hits.points() + " in " + hits.performance().latencyMs() + " ms");
 * }
 * }</pre>
 *
 * <p>Point ids are non-negative {@code long}s or {@link java.util.UUID}s; payloads and filters are
 * JSON objects in the REST API's shapes (docs/api.md), given as maps or as JSON text. Failures are
 * {@link io.vectorflow.client.VectorFlowException}s carrying the gRPC status and the server's
 * message, which names the field at fault.
 */
package io.vectorflow.client;
