package io.vectorflow.cli.load;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections;
import io.qdrant.client.grpc.Common;
import io.qdrant.client.grpc.JsonWithInt;
import io.qdrant.client.grpc.Points;
import io.vectorflow.server.QdrantAnswers;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Qdrant's gRPC API ({@code qdrant.Points/Upsert} with {@code wait}) through Qdrant's own Java
 * client, so the same command loads a Qdrant server or VectorFlow's Qdrant-compatible port.
 * Batches refused as {@code UNAVAILABLE} (overload) are retried with backoff.
 */
final class QdrantGrpcTarget implements Target {

    private static final int RETRIES = 5;
    private final QdrantClient client;
    private final String collection;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    QdrantGrpcTarget(URI url, String collection, String apiKey) {
        this.collection = collection;
        int port = url.getPort() < 0 ? 6334 : url.getPort();
        QdrantGrpcClient.Builder b = QdrantGrpcClient.newBuilder(url.getHost(), port, url.getScheme().endsWith("s"))
                .withTimeout(Duration.ofMinutes(5));
        if (apiKey != null) {
            b.withApiKey(apiKey);
        }
        this.client = new QdrantClient(b.build());
    }

    @Override
    public void ensure(int dimension, String distance) throws InterruptedException, IOException {
        if (await(client.collectionExistsAsync(collection))) {
            return;
        }
        if (dimension < 1) {
            throw Target.noDimension(collection);
        }
        await(client.createCollectionAsync(collection, Collections.VectorParams.newBuilder().setSize(dimension)
                .setDistance(Collections.Distance.valueOf(distance)).build()));
    }

    private static <T> T await(com.google.common.util.concurrent.ListenableFuture<T> f) throws InterruptedException, IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw new IOException("the server refused: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public CompletableFuture<Void> upsert(List<VectorSource.Row> rows) {
        List<Points.PointStruct> points = new ArrayList<>(rows.size());
        for (VectorSource.Row r : rows) {
            Points.PointStruct.Builder p = Points.PointStruct.newBuilder()
                    .setId(r.id() instanceof Long l ? Common.PointId.newBuilder().setNum(l).build()
                            : Common.PointId.newBuilder().setUuid(r.id().toString()).build());
            Points.DenseVector.Builder dense = Points.DenseVector.newBuilder();
            for (float x : r.vector()) {
                dense.addData(x);
            }
            p.setVectors(Points.Vectors.newBuilder().setVector(Points.Vector.newBuilder().setDense(dense)));
            if (r.payload() != null) {
                Map<String, JsonWithInt.Value> payload = QdrantAnswers.value(r.payload()).getStructValue().getFieldsMap();
                p.putAllPayload(payload);
            }
            points.add(p.build());
        }
        return CompletableFuture.runAsync(() -> send(points), threads);
    }

    private void send(List<Points.PointStruct> points) {
        for (int attempt = 0; ; attempt++) {
            try {
                client.upsertAsync(collection, points).get();
                return;
            } catch (ExecutionException e) {
                boolean busy = e.getCause() instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNAVAILABLE;
                if (!busy || attempt >= RETRIES) {
                    throw new CompletionException(new IOException("the server refused a batch: " + e.getCause().getMessage(), e.getCause()));
                }
                try {
                    Thread.sleep(200L << attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException(ie);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        }
    }

    @Override
    public void close() {
        threads.close();
        client.close();
    }
}
