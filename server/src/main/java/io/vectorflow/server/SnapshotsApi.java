package io.vectorflow.server;

import io.vectorflow.server.auth.Access;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.multipart.BodyPart;
import com.linecorp.armeria.common.multipart.Multipart;
import com.linecorp.armeria.common.stream.StreamMessages;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.file.HttpFile;
import io.vectorflow.engine.Database;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Snapshots of a collection, in Qdrant's shapes: create ({@code POST}), list ({@code GET}),
 * download ({@code GET …/{snapshot}}), delete, restore from an upload ({@code POST
 * …/snapshots/upload}, multipart field {@code snapshot} or a raw body) or from a snapshot already
 * in this server's data directory ({@code PUT …/snapshots/recover {"location": "<name>.snapshot"}}).
 *
 * <p>Archives never pass through the heap: a download streams the file, an upload streams into a
 * hidden file in the data directory (up to {@code maxUploadBytes}) before it is checked and
 * restored, and is deleted after.
 */
final class SnapshotsApi {

    private static final String SUFFIX = ".snapshot";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss-SSS").withZone(ZoneOffset.UTC);
    /** Uploads, downloads and snapshots of large collections take long: their own request timeout. */
    private static final Duration LONG_REQUEST = Duration.ofHours(2);

    private final Database db;
    private final Rest rest;
    private final long maxUploadBytes;

    SnapshotsApi(Database db, Rest rest, long maxUploadBytes) {
        this.db = db;
        this.rest = rest;
        this.maxUploadBytes = maxUploadBytes;
    }

    void register(ServerBuilder sb) {
        String base = "/collections/{name}/snapshots";
        sb.route().post(base).requestTimeout(LONG_REQUEST).build(rest.manage(c ->
                Rest.Reply.of(describe(db().createSnapshot(c.param("name"), newName(c.param("name")))))));
        sb.route().get(base).build(rest.read(c -> {
            db().collection(c.param("name"));
            List<Map<String, Object>> out = new ArrayList<>();
            for (String s : db().listSnapshots(c.param("name"))) {
                out.add(describe(db().snapshotFile(c.param("name"), s)));
            }
            return Rest.Reply.of(out);
        }));
        sb.route().get(base + "/{snapshot}").requestTimeout(LONG_REQUEST).build(rest.raw(Access.READ, Admission.Lane.READ, c -> {
            Path file = db().snapshotFile(c.param("name"), strip(c.param("snapshot")));
            return HttpFile.builder(file).contentType(MediaType.OCTET_STREAM)
                    .addHeader(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + file.getFileName() + "\"")
                    .build().asService().serve(c.ctx(), c.ctx().request());
        }, false));
        sb.route().delete(base + "/{snapshot}").build(rest.manage(c -> {
            db().deleteSnapshot(c.param("name"), strip(c.param("snapshot")));
            return Rest.Reply.of(true);
        }));
        sb.route().post(base + "/upload").maxRequestLength(maxUploadBytes).requestTimeout(LONG_REQUEST).build(Guarded.of(Access.MANAGE, upload()));
        sb.route().put(base + "/recover").requestTimeout(LONG_REQUEST).build(rest.manage(this::recover));
    }

    /** The name of a snapshot taken now: the collection's name and the time. */
    static String newName(String collection) {
        return collection + "-" + STAMP.format(Instant.now());
    }

    static String strip(String name) {
        return name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
    }

    private static Map<String, Object> describe(Path file) throws IOException {
        return Map.of("name", file.getFileName().toString(), "size", Files.size(file),
                "creation_time", Files.getLastModifiedTime(file).toInstant().toString().replace("Z", ""));
    }

    /**
     * The upload endpoint: streams the archive (a raw body, or the multipart field
     * {@code snapshot}) into a hidden file, then restores from it on the write lane.
     */
    private HttpService upload() {
        return (ctx, req) -> {
            long start = System.nanoTime();
            Database db = db(); // the caller's tenant, resolved while its request is current
            try {
                db.collection(ctx.pathParam("name")); // a bad name is refused before a byte is read
            } catch (io.vectorflow.engine.NotFoundException absent) {
                // restoring into a new collection is fine
            } catch (RuntimeException e) {
                req.abort();
                return Rest.error(e, start);
            }
            Path file;
            try {
                file = db.newUploadFile();
            } catch (IOException | RuntimeException e) {
                req.abort();
                return Rest.error(e, start);
            }
            CompletableFuture<HttpResponse> answer = receive(ctx, req, file)
                    .thenCompose(v -> rest.onLane(ctx, Admission.Lane.WRITE, () -> {
                        try (InputStream in = Files.newInputStream(file)) {
                            db.restoreSnapshot(in, ctx.pathParam("name"));
                        }
                        return Rest.envelope(new Rest.Call(ctx, null, null, start), Rest.Reply.of(true));
                    }))
                    .exceptionally(t -> Rest.error(t, start));
            answer.whenComplete((r, t) -> {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // hidden; removed at the next open
                }
            });
            return HttpResponse.of(answer);
        };
    }

    /** Writes the uploaded archive into {@code file}: the whole raw body, or the multipart field {@code snapshot}. */
    private static CompletableFuture<Void> receive(ServiceRequestContext ctx, HttpRequest req, Path file) {
        MediaType type = req.contentType();
        if (type == null || !type.is(MediaType.MULTIPART_FORM_DATA)) {
            return StreamMessages.writeTo(req.filter(HttpData.class::isInstance).map(HttpData.class::cast), file);
        }
        AtomicBoolean found = new AtomicBoolean();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Multipart.from(req).bodyParts().subscribe(new org.reactivestreams.Subscriber<BodyPart>() {
            private org.reactivestreams.Subscription subscription;

            @Override
            public void onSubscribe(org.reactivestreams.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(BodyPart part) {
                if ("snapshot".equals(part.name()) && found.compareAndSet(false, true)) {
                    part.writeTo(file).whenComplete((v, t) -> {
                        if (t != null) {
                            done.completeExceptionally(t);
                            subscription.cancel();
                        } else {
                            subscription.request(1);
                        }
                    });
                } else {
                    part.content().abort(); // other fields are not kept
                    subscription.request(1);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                if (found.get()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(ApiException.badRequest(
                            "multipart upload needs a field named 'snapshot' holding the archive"));
                }
            }
        }, ctx.eventLoop());
        return done;
    }

    private Rest.Reply recover(Rest.Call call) {
        String name = call.param("name");
        Body body = call.body().check(Set.of("location"), Set.of("priority", "checksum", "api_key"), null);
        String location = body.string("location", null);
        if (location == null) {
            throw ApiException.badRequest("location is required: the name of a snapshot of this collection");
        }
        String snapshot = location;
        int slash = location.lastIndexOf('/');
        if (location.startsWith("file://")) {
            Path p = Path.of(location.substring("file://".length())).normalize();
            Path dir = db().directory().resolve("snapshots").toAbsolutePath().normalize();
            if (!p.toAbsolutePath().startsWith(dir)) {
                throw ApiException.badRequest("location must be a snapshot in this server's data directory (" + dir + ")");
            }
            snapshot = p.getFileName().toString();
        } else if (slash >= 0 || location.contains(":")) {
            throw ApiException.badRequest("location must name a snapshot of this collection (recovery from URLs is not "
                    + "supported; upload the archive to /collections/" + name + "/snapshots/upload)");
        }
        Path file = db().snapshotFile(name, strip(snapshot));
        try (InputStream in = Files.newInputStream(file)) {
            db().restoreSnapshot(in, name);
        } catch (IOException e) {
            throw new io.vectorflow.storage.StorageException("cannot read snapshot " + file + ": " + e, e);
        }
        return Rest.Reply.of(true);
    }

    /** The collections of the tenant the request being served acts for. */
    private Database db() {
        return Security.db(db);
    }
}
