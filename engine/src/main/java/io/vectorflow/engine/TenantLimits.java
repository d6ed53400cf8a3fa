package io.vectorflow.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.storage.StorageException;
import io.vectorflow.storage.io.Disk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tenant's {@link TenantQuotas} and the checks against them.
 *
 * <h2>File format</h2>
 * {@code <dir>/tenants/<tenant>/tenant.json}, UTF-8 JSON written atomically:
 * {@code {"quotas": {"max_collections": 0, "max_points": 0, "max_disk_bytes": 0, "max_requests_per_second": 0}}}
 * (0: no limit). A tenant without the file has no limits.
 */
final class TenantLimits {

    private static final String FILE = "tenant.json";

    private final String tenant;
    private final Path dir;
    private final Disk disk;
    private volatile TenantQuotas quotas;
    /** Bytes of the tenant's files as last summed, and when (for {@link TenantQuotas#maxDiskBytes}). */
    private volatile long diskBytes;
    private volatile long diskBytesAtNanos = Long.MIN_VALUE;

    private TenantLimits(String tenant, Path dir, Disk disk, TenantQuotas quotas) {
        this.tenant = tenant;
        this.dir = dir;
        this.disk = disk;
        this.quotas = quotas;
    }

    static TenantLimits open(String tenant, Path dir, Disk disk) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return new TenantLimits(tenant, dir, disk, TenantQuotas.NONE);
        }
        try {
            JsonNode q = Json.MAPPER.readTree(Files.readAllBytes(file)).path("quotas");
            return new TenantLimits(tenant, dir, disk, new TenantQuotas(q.path("max_collections").asLong(0),
                    q.path("max_points").asLong(0), q.path("max_disk_bytes").asLong(0), q.path("max_requests_per_second").asLong(0)));
        } catch (IOException | IllegalArgumentException e) {
            throw new StorageException("cannot read tenant quotas " + file + ": " + e, e);
        }
    }

    TenantQuotas quotas() {
        return quotas;
    }

    void set(TenantQuotas q) throws IOException {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.putObject("quotas").put("max_collections", q.maxCollections()).put("max_points", q.maxPoints())
                .put("max_disk_bytes", q.maxDiskBytes()).put("max_requests_per_second", q.maxRequestsPerSecond());
        disk.createDirectories(dir);
        disk.writeAtomically(dir.resolve(FILE), ByteBuffer.wrap(Json.MAPPER.writeValueAsBytes(n)));
        quotas = q;
    }

    TenantQuotas.Usage usage(Iterable<Collection> collections, int failed) {
        long points = 0;
        long bytes = 0;
        int n = failed;
        for (Collection c : collections) {
            points += c.count(null);
            bytes += c.bytesOnDisk();
            n++;
        }
        return new TenantQuotas.Usage(n, points, bytes);
    }

    /** Refuses a new collection when the tenant holds {@code held} and may hold no more. */
    void admitCollection(int held) {
        long max = quotas.maxCollections();
        if (max > 0 && held >= max) {
            throw new QuotaExceededException("max_collections", "tenant '" + tenant + "' may hold at most " + max
                    + " collections (quota max_collections)");
        }
    }

    /** Refuses a write of up to {@code added} new points that would pass the tenant's point or disk quota. */
    void admitWrite(Iterable<Collection> collections, int added) {
        TenantQuotas q = quotas;
        if (q.maxPoints() > 0) {
            long points = 0;
            for (Collection c : collections) {
                points += c.count(null);
            }
            if (points + added > q.maxPoints()) {
                throw new QuotaExceededException("max_points", "tenant '" + tenant + "' may hold at most " + q.maxPoints()
                        + " points (quota max_points) and holds " + points + "; this write adds up to " + added);
            }
        }
        if (q.maxDiskBytes() > 0) {
            long now = System.nanoTime();
            if (now - diskBytesAtNanos > 1_000_000_000L) {
                long bytes = 0;
                for (Collection c : collections) {
                    bytes += c.bytesOnDisk();
                }
                diskBytes = bytes;
                diskBytesAtNanos = now;
            }
            if (diskBytes >= q.maxDiskBytes()) {
                throw new QuotaExceededException("max_disk_bytes", "tenant '" + tenant + "' may use at most " + q.maxDiskBytes()
                        + " bytes on disk (quota max_disk_bytes) and uses " + diskBytes + "; delete points or collections first");
            }
        }
    }
}
