package io.vectorflow.tier.s3;

import io.vectorflow.storage.object.ObjectKey;
import io.vectorflow.storage.object.ObjectNotFoundException;
import io.vectorflow.storage.object.ObjectStore;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link ObjectStore} in a bucket of an S3-compatible service (AWS S3, MinIO, Ceph, s3proxy,
 * R2 …) through the AWS SDK v2 with the JDK's HTTP client. Objects live under an optional key
 * prefix; puts are single PUTs (S3 makes a whole object visible at once), reads are ranged GETs.
 * Every call is bounded by the settings' timeouts, and a failure names the bucket and the
 * operation.
 */
public final class S3ObjectStore implements ObjectStore {

    /**
     * Where and how to connect.
     *
     * @param endpoint      the service, e.g. {@code https://s3.eu-central-1.amazonaws.com} or
     *                      {@code http://127.0.0.1:9000}; null for AWS's default for the region
     * @param region        the region ({@code us-east-1} for most S3-compatible servers)
     * @param bucket        the bucket, which must exist
     * @param prefix        a key prefix inside the bucket ({@code ""} for none; else ending in {@code /})
     * @param accessKey     the access key, or null for the SDK's default credentials chain
     * @param secretKey     the secret key (with {@code accessKey})
     * @param pathStyle     {@code bucket} in the path rather than the host name (most servers but AWS want it)
     * @param callTimeout   bound on one call, retries included
     */
    public record Settings(URI endpoint, String region, String bucket, String prefix, String accessKey, String secretKey,
                           boolean pathStyle, Duration callTimeout) {
        /** Checks the bucket and prefix. */
        public Settings {
            if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                throw new IllegalArgumentException("bucket: 3 to 63 lower-case letters, digits, '.' and '-', got " + bucket);
            }
            prefix = prefix == null ? "" : ObjectKey.checkPrefix(prefix);
            if (!prefix.isEmpty() && !prefix.endsWith("/")) {
                throw new IllegalArgumentException("prefix must end with '/', got " + prefix);
            }
        }
    }

    private final Settings settings;
    private final S3Client s3;

    /** A store over {@code settings.bucket()}; connects on the first call. */
    public S3ObjectStore(Settings settings) {
        this.settings = settings;
        var builder = S3Client.builder()
                .region(Region.of(settings.region() == null ? "us-east-1" : settings.region()))
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(settings.callTimeout()))
                .overrideConfiguration(o -> o.apiCallTimeout(settings.callTimeout()))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build())
                // CRC trailers only where S3 requires them: many S3-compatible servers reject the
                // SDK's default aws-chunked uploads with trailing checksums
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(settings.accessKey() == null ? DefaultCredentialsProvider.builder().build()
                        : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        this.s3 = builder.build();
    }

    private String key(String key) {
        return settings.prefix() + ObjectKey.check(key);
    }

    /** What went wrong, naming the store and the operation; a missing object as {@link ObjectNotFoundException}. */
    private IOException failure(String op, String key, SdkException e) {
        if (e instanceof NoSuchKeyException || e instanceof S3Exception s && s.statusCode() == 404) {
            return new ObjectNotFoundException(describe(), key);
        }
        return new IOException(describe() + ": " + op + " '" + key + "' failed: " + e.getMessage(), e);
    }

    @Override
    public void put(String key, Path file) throws IOException {
        try {
            s3.putObject(b -> b.bucket(settings.bucket()).key(key(key)), RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw failure("put", key, e);
        }
    }

    @Override
    public void put(String key, byte[] bytes) throws IOException {
        try {
            s3.putObject(b -> b.bucket(settings.bucket()).key(key(key)), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw failure("put", key, e);
        }
    }

    @Override
    public ByteBuffer read(String key, long offset, int length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative, got " + offset + ", " + length);
        }
        if (length == 0) {
            stat(key).orElseThrow(() -> new ObjectNotFoundException(describe(), key));
            return ByteBuffer.allocate(0);
        }
        try {
            ResponseBytes<GetObjectResponse> r = s3.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(key(key))
                    .range("bytes=" + offset + "-" + (offset + length - 1)));
            return ByteBuffer.wrap(r.asByteArrayUnsafe());
        } catch (S3Exception e) {
            if (e.statusCode() == 416) { // the range starts at or past the end
                return ByteBuffer.allocate(0);
            }
            throw failure("read", key, e);
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public void download(String key, Path target) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
        try {
            s3.getObject(b -> b.bucket(settings.bucket()).key(key(key)), ResponseTransformer.toFile(tmp));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (SdkException e) {
            throw failure("download", key, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        try {
            HeadObjectResponse r = s3.headObject(b -> b.bucket(settings.bucket()).key(key(key)));
            return Optional.of(new ObjectInfo(key, r.contentLength()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("stat", key, e);
        } catch (SdkException e) {
            throw failure("stat", key, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        String p = settings.prefix() + ObjectKey.checkPrefix(prefix);
        List<ObjectInfo> out = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(p)).contents()) {
                if (!o.key().endsWith("/")) { // "folder" markers some servers and consoles make are not objects
                    out.add(new ObjectInfo(o.key().substring(settings.prefix().length()), o.size()));
                }
            }
        } catch (SdkException e) {
            throw failure("list", prefix, e);
        }
        out.sort(java.util.Comparator.comparing(ObjectInfo::key));
        return out;
    }

    @Override
    public boolean delete(String key) throws IOException {
        boolean existed = stat(key).isPresent();
        try {
            s3.deleteObject(b -> b.bucket(settings.bucket()).key(key(key)));
        } catch (SdkException e) {
            throw failure("delete", key, e);
        }
        return existed;
    }

    @Override
    public String describe() {
        return "the bucket s3://" + settings.bucket() + "/" + settings.prefix()
                + (settings.endpoint() == null ? "" : " at " + settings.endpoint());
    }

    @Override
    public void close() {
        s3.close();
    }
}
