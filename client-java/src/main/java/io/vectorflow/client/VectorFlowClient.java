package io.vectorflow.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.vectorflow.api.v1.CountRequest;
import io.vectorflow.api.v1.CreateCollectionRequest;
import io.vectorflow.api.v1.CreateSnapshotRequest;
import io.vectorflow.api.v1.DeleteCollectionRequest;
import io.vectorflow.api.v1.DeleteRequest;
import io.vectorflow.api.v1.DeleteSnapshotRequest;
import io.vectorflow.api.v1.DownloadSnapshotRequest;
import io.vectorflow.api.v1.GetCollectionRequest;
import io.vectorflow.api.v1.GetRequest;
import io.vectorflow.api.v1.ListCollectionsRequest;
import io.vectorflow.api.v1.ListSnapshotsRequest;
import io.vectorflow.api.v1.ScrollRequest;
import io.vectorflow.api.v1.ScrollResponse;
import io.vectorflow.api.v1.SearchBatchRequest;
import io.vectorflow.api.v1.SearchRequest;
import io.vectorflow.api.v1.SearchResponse;
import io.vectorflow.api.v1.UpsertRequest;
import io.vectorflow.api.v1.VectorFlowGrpc;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A client of one VectorFlow server over its {@code vectorflow.v1} gRPC API. Thread-safe; one
 * client (one HTTP/2 connection) serves a whole application. Every call has a deadline (the
 * builder's timeout unless the call says otherwise), which the server honours: work stops when
 * the deadline passes. Calls that may be repeated — reads, upserts, deletes by id — are retried
 * with backoff when the server answers {@code UNAVAILABLE}. Large upserts and search batches are
 * split into requests the server accepts and sent concurrently.
 */
public final class VectorFlowClient implements AutoCloseable {

    /** Points per upsert request; larger upserts are split. */
    public static final int MAX_POINTS_PER_REQUEST = 1_000;
    /** Estimated bytes per upsert request; larger upserts are split. */
    public static final long MAX_BYTES_PER_REQUEST = 4L << 20;
    /** Searches per batch request: the server's limit. */
    public static final int MAX_SEARCHES_PER_REQUEST = 1_000;

    private final ManagedChannel channel;
    private final VectorFlowGrpc.VectorFlowBlockingStub stub;
    private final Duration timeout;
    private final Calls calls;
    private final Parallel parallel;

    private VectorFlowClient(Builder b) {
        ChannelCredentials credentials = InsecureChannelCredentials.create();
        if (b.tls) {
            try {
                TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
                if (b.trustedCertificates != null) {
                    tls.trustManager(b.trustedCertificates.toFile());
                }
                if (b.clientCertificate != null) {
                    tls.keyManager(b.clientCertificate.toFile(), b.clientKey.toFile());
                }
                credentials = tls.build();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the TLS certificates: " + e.getMessage(), e);
            }
        }
        this.channel = Grpc.newChannelBuilder(b.target, credentials).maxInboundMessageSize(Integer.MAX_VALUE).build();
        VectorFlowGrpc.VectorFlowBlockingStub s = VectorFlowGrpc.newBlockingStub(channel);
        if (b.apiKey != null) {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER), b.apiKey);
            s = s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        this.stub = s;
        this.timeout = b.timeout;
        this.calls = new Calls(b.retries, b.backoff);
        this.parallel = new Parallel(b.parallel);
    }

    /** A builder for a client of {@code localhost:6334} without TLS or key. */
    public static Builder builder() {
        return new Builder();
    }

    private VectorFlowGrpc.VectorFlowBlockingStub stub(Duration deadline) {
        return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    private VectorFlowGrpc.VectorFlowBlockingStub stub() {
        return stub(timeout);
    }

    // ---- collections ---------------------------------------------------------------------------

    /** Creates a collection with the server's defaults for the index. */
    public void createCollection(String name, int dimension, Distance distance) {
        createCollection(CreateCollectionRequest.newBuilder().setName(name).setSize(dimension)
                .setDistance(io.vectorflow.api.v1.Distance.valueOf(distance.name())).build());
    }

    /** Creates a collection with every setting the API has (HNSW, on-disk, durability, quantization). */
    public void createCollection(CreateCollectionRequest request) {
        calls.run(false, () -> stub().createCollection(request));
    }

    /** The collection's configuration and state. */
    public CollectionInfo collectionInfo(String name) {
        var i = calls.run(true, () -> stub().getCollection(GetCollectionRequest.newBuilder().setName(name).build()));
        return new CollectionInfo(i.getName(), i.getSize(), Distance.valueOf(i.getDistance().name()), i.getOnDisk(), i.getM(),
                i.getEfConstruct(), i.getPointsCount(), i.getSegmentsCount(), i.getUnindexedPoints(),
                i.getReadOnlyReason().isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(i.getReadOnlyReason()));
    }

    /** Whether the collection exists (and this client's key may see it). */
    public boolean collectionExists(String name) {
        try {
            collectionInfo(name);
            return true;
        } catch (VectorFlowException e) {
            if (e.code() == Status.Code.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    /** The names of the collections this client's key may see. */
    public List<String> listCollections() {
        return calls.run(true, () -> stub().listCollections(ListCollectionsRequest.getDefaultInstance()).getNamesList());
    }

    /** Deletes the collection and its files; whether it existed. */
    public boolean deleteCollection(String name) {
        return calls.run(true, () -> stub().deleteCollection(DeleteCollectionRequest.newBuilder().setName(name).build()).getExisted());
    }

    // ---- points --------------------------------------------------------------------------------

    /**
     * Inserts or replaces points; the number written. Each request the upsert is split into (see
     * {@link #MAX_POINTS_PER_REQUEST}) is one durable, all-or-nothing write, answered once on
     * disk; when one fails, the exception is thrown after the requests in flight finish, and the
     * points of requests already answered stay written (upserting them again is harmless).
     */
    public long upsert(String collection, List<Point> points) {
        List<UpsertRequest> requests = new ArrayList<>();
        UpsertRequest.Builder request = UpsertRequest.newBuilder().setCollection(collection);
        long bytes = 0;
        for (Point p : points) {
            io.vectorflow.api.v1.Point proto = proto(p);
            long size = proto.getSerializedSize() + 8L;
            if (request.getPointsCount() > 0 && (request.getPointsCount() >= MAX_POINTS_PER_REQUEST || bytes + size > MAX_BYTES_PER_REQUEST)) {
                requests.add(request.build());
                request = UpsertRequest.newBuilder().setCollection(collection);
                bytes = 0;
            }
            request.addPoints(proto);
            bytes += size;
        }
        if (request.getPointsCount() > 0) {
            requests.add(request.build());
        }
        return parallel.map(requests, r -> calls.run(true, () -> stub().upsert(r)).getAffected()).stream()
                .mapToLong(Long::longValue).sum();
    }

    private static io.vectorflow.api.v1.Point proto(Point p) {
        var b = io.vectorflow.api.v1.Point.newBuilder().setId(Ids.proto(p.id()));
        float[] v = Objects.requireNonNull(p.vector(), () -> "point " + p.id() + ": vector missing");
        for (float x : v) {
            b.addVector(x);
        }
        if (!p.payload().isEmpty()) {
            b.setPayloadJson(Json.write(p.payload()));
        }
        return b.build();
    }

    /** The points with these ids that exist, with payloads and vectors. */
    public List<Point> get(String collection, Collection<?> ids) {
        return get(collection, ids, true, true);
    }

    /** The points with these ids that exist; payloads and vectors only where asked for. */
    public List<Point> get(String collection, Collection<?> ids, boolean withPayload, boolean withVector) {
        GetRequest.Builder r = GetRequest.newBuilder().setCollection(collection).setWithPayload(withPayload).setWithVector(withVector);
        ids.forEach(id -> r.addIds(Ids.proto(id)));
        return calls.run(true, () -> stub().get(r.build())).getPointsList().stream().map(VectorFlowClient::point).toList();
    }

    private static Point point(io.vectorflow.api.v1.Record r) {
        return new Point(Ids.of(r.getId()), r.getVectorCount() == 0 ? null : floats(r.getVectorList()), Json.object(r.getPayloadJson()));
    }

    private static float[] floats(List<Float> list) {
        float[] v = new float[list.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = list.get(i);
        }
        return v;
    }

    /** Deletes points by id; the number that existed. */
    public long delete(String collection, Collection<?> ids) {
        DeleteRequest.Builder r = DeleteRequest.newBuilder().setCollection(collection);
        ids.forEach(id -> r.addIds(Ids.proto(id)));
        return calls.run(true, () -> stub().delete(r.build())).getAffected();
    }

    /** Deletes the points a filter (JSON text in the REST API's shape) matches; the number deleted. */
    public long deleteWhere(String collection, String filterJson) {
        DeleteRequest r = DeleteRequest.newBuilder().setCollection(collection).setFilterJson(filterJson).build();
        return calls.run(true, () -> stub().delete(r)).getAffected();
    }

    /** Deletes the points a filter (as maps and lists) matches; the number deleted. */
    public long deleteWhere(String collection, Map<String, ?> filter) {
        return deleteWhere(collection, Json.write(filter));
    }

    /** Points in the collection. */
    public long count(String collection) {
        return count(collection, null);
    }

    /** Points a filter (JSON text, or {@code null} for all) matches. */
    public long count(String collection, String filterJson) {
        CountRequest.Builder r = CountRequest.newBuilder().setCollection(collection);
        if (filterJson != null) {
            r.setFilterJson(filterJson);
        }
        return calls.run(true, () -> stub().count(r.build())).getCount();
    }

    /** Every point, with payloads, without vectors, in id order, fetched 256 at a time as the stream is read. */
    public Stream<Point> scroll(String collection) {
        return scroll(collection, null, 256, true, false);
    }

    /**
     * The points a filter ({@code null} for all) matches, in id order (numbers, then UUIDs),
     * fetched a page at a time as the stream is read; points written meanwhile behind the
     * current position are not seen.
     */
    public Stream<Point> scroll(String collection, String filterJson, int pageSize, boolean withPayload, boolean withVector) {
        ScrollRequest.Builder first = ScrollRequest.newBuilder().setCollection(collection).setLimit(pageSize)
                .setWithPayload(withPayload).setWithVector(withVector);
        if (filterJson != null) {
            first.setFilterJson(filterJson);
        }
        Spliterator<Point> pages = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL) {
            private final ArrayDeque<Point> page = new ArrayDeque<>();
            private ScrollRequest next = first.build();

            @Override
            public boolean tryAdvance(Consumer<? super Point> action) {
                while (page.isEmpty() && next != null) {
                    ScrollRequest r = next;
                    ScrollResponse response = calls.run(true, () -> stub().scroll(r));
                    response.getPointsList().forEach(p -> page.add(point(p)));
                    next = response.hasNextPageOffset() ? r.toBuilder().setOffset(response.getNextPageOffset()).build() : null;
                }
                Point p = page.poll();
                if (p == null) {
                    return false;
                }
                action.accept(p);
                return true;
            }
        };
        return StreamSupport.stream(pages, false);
    }

    // ---- search --------------------------------------------------------------------------------

    /** The {@code k} nearest neighbours of {@code vector}, with payloads. */
    public SearchResults search(String collection, float[] vector, int k) {
        return search(collection, Search.of(vector).limit(k));
    }

    /** One search. */
    public SearchResults search(String collection, Search search) {
        SearchRequest r = request(collection, search);
        return results(calls.run(true, () -> stub(deadline(search)).search(r)));
    }

    /** The {@code k} nearest neighbours of each vector, in the vectors' order, sent as batches. */
    public List<SearchResults> searchBatch(String collection, float[][] vectors, int k) {
        List<Search> searches = new ArrayList<>(vectors.length);
        for (float[] v : vectors) {
            searches.add(Search.of(v).limit(k));
        }
        return searchBatch(collection, searches);
    }

    /**
     * Many searches in few requests (at most {@link #MAX_SEARCHES_PER_REQUEST} each, sent
     * concurrently); the results in the searches' order.
     */
    public List<SearchResults> searchBatch(String collection, List<Search> searches) {
        List<List<Search>> parts = new ArrayList<>();
        for (int i = 0; i < searches.size(); i += MAX_SEARCHES_PER_REQUEST) {
            parts.add(searches.subList(i, Math.min(searches.size(), i + MAX_SEARCHES_PER_REQUEST)));
        }
        return parallel.map(parts, part -> {
            SearchBatchRequest.Builder r = SearchBatchRequest.newBuilder();
            Duration deadline = timeout;
            for (Search s : part) {
                r.addSearches(request(collection, s));
                deadline = s.timeout() != null && s.timeout().compareTo(deadline) > 0 ? s.timeout() : deadline;
            }
            Duration d = deadline;
            return calls.run(true, () -> stub(d).searchBatch(r.build())).getResultsList().stream().map(VectorFlowClient::results).toList();
        }).stream().flatMap(List::stream).toList();
    }

    private Duration deadline(Search s) {
        return s.timeout() != null ? s.timeout() : timeout;
    }

    private static SearchRequest request(String collection, Search s) {
        SearchRequest.Builder b = SearchRequest.newBuilder().setCollection(collection).setLimit(s.limit()).setHnswEf(s.ef())
                .setExact(s.exact()).setWithPayload(s.withPayload()).setWithVector(s.withVector()).setOffset(s.offset());
        for (float x : s.vector()) {
            b.addVector(x);
        }
        if (s.filterJson() != null) {
            b.setFilterJson(s.filterJson());
        }
        if (s.scoreThreshold() != null) {
            b.setScoreThreshold(s.scoreThreshold());
        }
        return b.build();
    }

    private static SearchResults results(SearchResponse r) {
        List<ScoredPoint> hits = new ArrayList<>(r.getPointsCount());
        for (var p : r.getPointsList()) {
            hits.add(new ScoredPoint(Ids.of(p.getId()), p.getScore(), Json.object(p.getPayloadJson()),
                    p.getVectorCount() == 0 ? null : floats(p.getVectorList())));
        }
        var perf = r.getPerformance();
        return new SearchResults(List.copyOf(hits), new Performance(perf.getLatencyMs(), perf.getVectorsScanned(),
                perf.getSegmentsSearched(), perf.getStrategy(), perf.getCacheHitRate(), perf.getCostEstimate(),
                perf.hasEstimatedRecall() ? java.util.OptionalDouble.of(perf.getEstimatedRecall()) : java.util.OptionalDouble.empty(),
                perf.getEstimatedRecallSamples()));
    }

    // ---- snapshots -----------------------------------------------------------------------------

    /** Writes a snapshot of the collection into the server's data directory. */
    public SnapshotInfo createSnapshot(String collection) {
        return snapshot(calls.run(false, () -> stub(timeout.multipliedBy(10))
                .createSnapshot(CreateSnapshotRequest.newBuilder().setCollection(collection).build())));
    }

    /** The collection's snapshots. */
    public List<SnapshotInfo> listSnapshots(String collection) {
        return calls.run(true, () -> stub().listSnapshots(ListSnapshotsRequest.newBuilder().setCollection(collection).build()))
                .getSnapshotsList().stream().map(VectorFlowClient::snapshot).toList();
    }

    /** Deletes a snapshot. */
    public void deleteSnapshot(String collection, String name) {
        calls.run(true, () -> stub().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setCollection(collection).setName(name).build()));
    }

    /**
     * Downloads a snapshot into {@code target} (written beside it first, then moved into place,
     * so {@code target} is whole or absent); the bytes written. Bounded by ten times the client's
     * timeout.
     */
    public long downloadSnapshot(String collection, String name, Path target) {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        DownloadSnapshotRequest r = DownloadSnapshotRequest.newBuilder().setCollection(collection).setName(name).build();
        try {
            long bytes = 0;
            try (OutputStream out = Files.newOutputStream(partial)) {
                Iterator<io.vectorflow.api.v1.SnapshotChunk> chunks = stub(timeout.multipliedBy(10)).downloadSnapshot(r);
                while (chunks.hasNext()) {
                    var data = chunks.next().getData();
                    data.writeTo(out);
                    bytes += data.size();
                }
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return bytes;
        } catch (StatusRuntimeException e) {
            deleteQuietly(partial);
            throw Calls.failure(e);
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a partial file left behind is named as such
        }
    }

    private static SnapshotInfo snapshot(io.vectorflow.api.v1.SnapshotInfo s) {
        return new SnapshotInfo(s.getName(), s.getSize(), Instant.ofEpochMilli(s.getCreatedUnixMs()));
    }

    /** Closes the connection, waiting up to five seconds for calls in flight. */
    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Settings of a {@link VectorFlowClient}. */
    public static final class Builder {
        private String target = "localhost:6334";
        private String apiKey;
        private boolean tls;
        private Path trustedCertificates;
        private Path clientCertificate;
        private Path clientKey;
        private Duration timeout = Duration.ofSeconds(30);
        private int retries = 3;
        private Duration backoff = Duration.ofMillis(200);
        private int parallel = 4;

        private Builder() {
        }

        /**
         * The server's gRPC address: {@code host:port}, or {@code grpc://host:port}, or
         * {@code grpcs://host:port} (which turns TLS on). Default {@code localhost:6334}.
         */
        public Builder target(String target) {
            String t = Objects.requireNonNull(target, "target");
            if (t.startsWith("grpcs://")) {
                tls = true;
                t = t.substring("grpcs://".length());
            } else if (t.startsWith("grpc://")) {
                t = t.substring("grpc://".length());
            }
            this.target = t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
            return this;
        }

        /** The API key sent with every call (header {@code api-key}). */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** TLS, trusting the JDK's certificate authorities. */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** TLS, trusting the certificates in a PEM file (a private CA or a self-signed server certificate). */
        public Builder tls(Path trustedCertificatesPem) {
            this.tls = true;
            this.trustedCertificates = trustedCertificatesPem;
            return this;
        }

        /** A client certificate and its private key (PEM), for servers that ask for one; implies TLS. */
        public Builder clientCertificate(Path certificatePem, Path privateKeyPem) {
            this.tls = true;
            this.clientCertificate = Objects.requireNonNull(certificatePem, "certificatePem");
            this.clientKey = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
            return this;
        }

        /** How long a call may take before it is cancelled (client and server stop). Default 30 s. */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout: must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Further tries of a call that may be repeated, after {@code UNAVAILABLE}, with waits from {@code backoff} doubling. Default 3, 200 ms. */
        public Builder retries(int retries, Duration backoff) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries: must be 0 or more, got " + retries);
            }
            this.retries = retries;
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** Requests of one large upsert or search batch in flight at once. Default 4. */
        public Builder parallel(int parallel) {
            if (parallel < 1) {
                throw new IllegalArgumentException("parallel: must be 1 or more, got " + parallel);
            }
            this.parallel = parallel;
            return this;
        }

        /** Connects lazily: the first call opens the connection. */
        public VectorFlowClient build() {
            return new VectorFlowClient(this);
        }
    }
}
