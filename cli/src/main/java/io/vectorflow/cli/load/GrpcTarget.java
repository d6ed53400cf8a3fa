package io.vectorflow.cli.load;

import io.vectorflow.client.Distance;
import io.vectorflow.client.Point;
import io.vectorflow.client.VectorFlowClient;
import io.vectorflow.client.VectorFlowException;
import io.vectorflow.engine.Json;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A server's {@code vectorflow.v1} gRPC API through {@link VectorFlowClient}: vectors travel as
 * packed floats, payloads as JSON text. Each batch is sent on a virtual thread of its own.
 */
final class GrpcTarget implements Target {

    private final VectorFlowClient client;
    private final String collection;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    GrpcTarget(URI url, String collection, String apiKey) {
        this.collection = collection;
        this.client = VectorFlowClient.builder().target(url.getScheme() + "://" + url.getAuthority()).apiKey(apiKey)
                .timeout(Duration.ofMinutes(5)).retries(5, Duration.ofMillis(200)).build();
    }

    @Override
    public void ensure(int dimension, String distance) {
        if (client.collectionExists(collection)) {
            return;
        }
        if (dimension < 1) {
            throw Target.noDimension(collection);
        }
        client.createCollection(collection, dimension, Distance.valueOf(distance.toUpperCase(Locale.ROOT)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<Void> upsert(List<VectorSource.Row> rows) {
        List<Point> points = new ArrayList<>(rows.size());
        for (VectorSource.Row r : rows) {
            points.add(new Point(r.id(), r.vector(), r.payload() == null ? Map.of() : Json.MAPPER.convertValue(r.payload(), Map.class)));
        }
        return CompletableFuture.runAsync(() -> {
            try {
                client.upsert(collection, points);
            } catch (VectorFlowException e) {
                throw new CompletionException(new IOException("the server refused a batch: " + e.getMessage(), e));
            }
        }, threads);
    }

    @Override
    public void close() {
        threads.close();
        client.close();
    }
}
