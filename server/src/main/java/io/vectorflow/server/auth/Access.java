package io.vectorflow.server.auth;

/**
 * What a route or gRPC method does, as the access rules see it. Every REST route and every gRPC
 * method of the server has exactly one; a route without one is refused (403), whatever the key.
 */
public enum Access {
    /** Answers anyone, with or without a key, and tells nothing about the data: {@code GET /}, health and readiness. */
    PUBLIC,
    /** Any valid key (the answer for a path that does not exist). */
    KEYED,
    /** Reads points or a collection's description: searches, get, scroll, count, collection info, listings. */
    READ,
    /** Changes points: upsert, delete, payload and vector updates, payload indexes. */
    WRITE,
    /** Creates, changes or drops collections and aliases; makes, restores and deletes snapshots. */
    MANAGE,
    /** The server's metrics ({@code /metrics}), whose labels name collections. */
    METRICS,
    /** API keys and other server-wide administration. */
    ADMIN
}
