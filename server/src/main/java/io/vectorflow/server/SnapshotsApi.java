package io.vectorflow.server;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.multipart.Multipart;
import com.linecorp.armeria.server.ServerBuilder;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Snapshots of a collection, in Qdrant's shapes: create ({@code POST}), list ({@code GET}),
 * download ({@code GET …/{snapshot}}), delete, restore from an upload ({@code POST
 * …/snapshots/upload}, multipart field {@code snapshot} or a raw body) or from a snapshot already
 * in this server's data directory ({@code PUT …/snapshots/recover {"location": "<name>.snapshot"}}).
 */
final class SnapshotsApi {

    private static final String SUFFIX = ".snapshot";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss-SSS").withZone(ZoneOffset.UTC);

    private final Database db;
    private final long maxUploadBytes;

    SnapshotsApi(Database db, long maxUploadBytes) {
        this.db = db;
        this.maxUploadBytes = maxUploadBytes;
    }

    void register(ServerBuilder sb) {
        String base = "/collections/{name}/snapshots";
        sb.route().post(base).build(Rest.json(c -> {
            String name = c.param("name") + "-" + STAMP.format(Instant.now());
            return Rest.Reply.of(describe(db.createSnapshot(c.param("name"), name)));
        }));
        sb.route().get(base).build(Rest.json(c -> {
            db.collection(c.param("name"));
            List<Map<String, Object>> out = new ArrayList<>();
            for (String s : db.listSnapshots(c.param("name"))) {
                out.add(describe(db.snapshotFile(c.param("name"), s)));
            }
            return Rest.Reply.of(out);
        }));
        sb.route().get(base + "/{snapshot}").build(Rest.raw(c -> {
            Path file = db.snapshotFile(c.param("name"), strip(c.param("snapshot")));
            return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.OCTET_STREAM)
                    .add(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + file.getFileName() + "\"").build(),
                    com.linecorp.armeria.common.HttpData.wrap(Files.readAllBytes(file)));
        }, false));
        sb.route().delete(base + "/{snapshot}").build(Rest.json(c -> {
            db.deleteSnapshot(c.param("name"), strip(c.param("snapshot")));
            return Rest.Reply.of(true);
        }));
        sb.route().post(base + "/upload").maxRequestLength(maxUploadBytes).build(Rest.raw(this::upload, false));
        sb.route().put(base + "/recover").build(Rest.json(this::recover));
    }

    private static String strip(String name) {
        return name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
    }

    private static Map<String, Object> describe(Path file) throws IOException {
        return Map.of("name", file.getFileName().toString(), "size", Files.size(file),
                "creation_time", Files.getLastModifiedTime(file).toInstant().toString().replace("Z", ""));
    }

    private HttpResponse upload(Rest.Call call) throws Exception {
        String name = call.param("name");
        MediaType type = call.request().contentType();
        InputStream in;
        if (type != null && type.is(MediaType.MULTIPART_FORM_DATA)) {
            var parts = Multipart.from(com.linecorp.armeria.common.HttpRequest.of(call.request().headers(),
                    call.request().content())).aggregate().join();
            var field = parts.field("snapshot");
            if (field == null) {
                throw ApiException.badRequest("multipart upload needs a field named 'snapshot' holding the archive");
            }
            in = new ByteArrayInputStream(field.content().array());
        } else {
            in = new ByteArrayInputStream(call.bytes());
        }
        db.restoreSnapshot(in, name);
        return Rest.envelope(call, Rest.Reply.of(true));
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
            Path dir = db.directory().resolve("snapshots").toAbsolutePath().normalize();
            if (!p.toAbsolutePath().startsWith(dir)) {
                throw ApiException.badRequest("location must be a snapshot in this server's data directory (" + dir + ")");
            }
            snapshot = p.getFileName().toString();
        } else if (slash >= 0 || location.contains(":")) {
            throw ApiException.badRequest("location must name a snapshot of this collection (recovery from URLs is not "
                    + "supported; upload the archive to /collections/" + name + "/snapshots/upload)");
        }
        Path file = db.snapshotFile(name, strip(snapshot));
        try (InputStream in = Files.newInputStream(file)) {
            db.restoreSnapshot(in, name);
        } catch (IOException e) {
            throw new io.vectorflow.storage.StorageException("cannot read snapshot " + file + ": " + e, e);
        }
        return Rest.Reply.of(true);
    }
}
