package io.vectorflow.cli.load;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Where imports and migrations write, chosen by the URL's scheme:
 * <ul>
 *   <li>{@code http://host:6333}, {@code https://…}: the REST API ({@link RestTarget});</li>
 *   <li>{@code grpc://host:6334}, {@code grpcs://…}: the {@code vectorflow.v1} gRPC API, through
 *       the Java client ({@link GrpcTarget});</li>
 *   <li>{@code qdrant+grpc://host:6334}, {@code qdrant+grpcs://…}: Qdrant's gRPC API, through
 *       Qdrant's own Java client ({@link QdrantGrpcTarget}); a Qdrant server works too.</li>
 * </ul>
 * Each batch is one upsert request, all-or-nothing on the server; calls the server turns away for
 * overload are retried with backoff.
 */
public interface Target extends AutoCloseable {

    /** Opens the target {@code url} names, writing into {@code collection}, with {@code apiKey} (or null). */
    static Target open(URI url, String collection, String apiKey) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "http", "https" -> new RestTarget(url, collection, apiKey);
            case "grpc", "grpcs" -> new GrpcTarget(url, collection, apiKey);
            case "qdrant+grpc", "qdrant+grpcs" -> new QdrantGrpcTarget(url, collection, apiKey);
            default -> throw new IllegalArgumentException("--url: expected http://, https://, grpc://, grpcs://, qdrant+grpc:// or"
                    + " qdrant+grpcs://, got " + url);
        };
    }

    /**
     * Creates the collection with vectors of {@code dimension} and {@code distance} (Qdrant's
     * spelling: Cosine, Euclid, Dot, Manhattan) unless it exists.
     *
     * @throws IllegalStateException with the server's answer when it cannot
     */
    void ensure(int dimension, String distance) throws IOException, InterruptedException;

    /** Upserts one batch; completes once the server acknowledged it as durable, or with an {@link IOException}. */
    CompletableFuture<Void> upsert(List<VectorSource.Row> rows);

    /** Closes connections. */
    @Override
    void close();

    /** The message for a collection that does not exist and cannot be created for want of a dimension. */
    static IllegalArgumentException noDimension(String collection) {
        return new IllegalArgumentException("collection '" + collection + "' does not exist and the source gives no dimension"
                + " to create it with");
    }
}
