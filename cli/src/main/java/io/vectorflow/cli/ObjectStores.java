package io.vectorflow.cli;

import io.vectorflow.storage.object.LocalObjectStore;
import io.vectorflow.storage.object.ObjectStore;
import io.vectorflow.tier.s3.S3ObjectStore;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The object store {@code --object-store} names:
 * <ul>
 *   <li>{@code file:///srv/vectorflow-cold} or an absolute path: a local directory (another disk,
 *       a network file system);
 *   <li>{@code s3://bucket/prefix/?endpoint=http://127.0.0.1:9000&region=us-east-1&path_style=true&timeout_s=10}:
 *       an S3-compatible bucket (AWS S3, MinIO, Ceph, s3proxy...). Credentials come from
 *       {@code VECTORFLOW_S3_ACCESS_KEY} and {@code VECTORFLOW_S3_SECRET_KEY}, else from the AWS
 *       SDK's default chain ({@code AWS_ACCESS_KEY_ID}, profiles, instance roles). Without an
 *       endpoint, AWS's for the region; {@code path_style} defaults to true with an endpoint.
 * </ul>
 */
final class ObjectStores {

    private static final Set<String> S3_PARAMETERS = Set.of("endpoint", "region", "path_style", "timeout_s");

    private ObjectStores() {}

    static ObjectStore open(String url) throws IOException {
        if (url.startsWith("/")) {
            return new LocalObjectStore(Path.of(url));
        }
        URI uri = URI.create(url);
        switch (uri.getScheme() == null ? "" : uri.getScheme()) {
            case "file" -> {
                return new LocalObjectStore(Path.of(uri));
            }
            case "s3" -> {
                Map<String, String> q = query(uri.getRawQuery());
                for (String k : q.keySet()) {
                    if (!S3_PARAMETERS.contains(k)) {
                        throw new IllegalArgumentException("object-store: unknown parameter '" + k + "'; known: " + S3_PARAMETERS);
                    }
                }
                String prefix = uri.getPath() == null || uri.getPath().length() <= 1 ? "" : uri.getPath().substring(1);
                if (!prefix.isEmpty() && !prefix.endsWith("/")) {
                    prefix += "/";
                }
                URI endpoint = q.containsKey("endpoint") ? URI.create(q.get("endpoint")) : null;
                String access = System.getenv("VECTORFLOW_S3_ACCESS_KEY");
                String secret = System.getenv("VECTORFLOW_S3_SECRET_KEY");
                if ((access == null) != (secret == null)) {
                    throw new IllegalArgumentException("object-store: set both VECTORFLOW_S3_ACCESS_KEY and VECTORFLOW_S3_SECRET_KEY, or neither");
                }
                long timeout = Long.parseLong(q.getOrDefault("timeout_s", "10"));
                if (timeout < 1 || timeout > 600) {
                    throw new IllegalArgumentException("object-store: timeout_s must be between 1 and 600, got " + timeout);
                }
                return new S3ObjectStore(new S3ObjectStore.Settings(endpoint, q.getOrDefault("region", "us-east-1"), uri.getHost(),
                        prefix, access, secret, Boolean.parseBoolean(q.getOrDefault("path_style", String.valueOf(endpoint != null))),
                        Duration.ofSeconds(timeout)));
            }
            default -> throw new IllegalArgumentException("object-store must be file:///dir, an absolute path or"
                    + " s3://bucket/prefix?endpoint=..., got '" + url + "'");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            out.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
