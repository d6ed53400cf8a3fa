package io.vectorflow.engine;

/**
 * A tenant's limits; 0 means none. Points and bytes are checked before each write (a batch that
 * would pass the point limit is refused whole), collections when one is created, requests per
 * second by the server before a request is read.
 *
 * @param maxCollections       collections the tenant may hold
 * @param maxPoints            points in all its collections together
 * @param maxDiskBytes         bytes of its collections' files (checked against a figure at most a second old)
 * @param maxRequestsPerSecond requests per second over both protocols, with a burst of one second's worth
 */
public record TenantQuotas(long maxCollections, long maxPoints, long maxDiskBytes, long maxRequestsPerSecond) {

    /** What a tenant holds now, against its quotas. */
    public record Usage(long collections, long points, long diskBytes) {}

    /** No limits. */
    public static final TenantQuotas NONE = new TenantQuotas(0, 0, 0, 0);

    public TenantQuotas {
        check("max_collections", maxCollections);
        check("max_points", maxPoints);
        check("max_disk_bytes", maxDiskBytes);
        check("max_requests_per_second", maxRequestsPerSecond);
    }

    private static void check(String field, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(field + " must be 0 (no limit) or more, got " + v);
        }
    }

    /** Whether any limit is set. */
    public boolean any() {
        return maxCollections > 0 || maxPoints > 0 || maxDiskBytes > 0 || maxRequestsPerSecond > 0;
    }
}
