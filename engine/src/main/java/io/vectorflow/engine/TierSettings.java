package io.vectorflow.engine;

import io.vectorflow.storage.object.ObjectStore;

/**
 * Where a database's cold segments go and how they move: the object store (the database closes
 * it), the bound on the local cache of ranges fetched from it, the transfer budget of background
 * placement, and how often placement looks at the collections.
 *
 * @param store          object storage for sealed segments' float vectors
 * @param cacheBytes     most bytes of fetched vector blocks kept in memory (allocated as they arrive)
 * @param ioMbPerSecond  uploads and downloads by placement, in MB/s over time; 0 for no limit
 * @param intervalMillis pause between placement rounds
 */
public record TierSettings(ObjectStore store, long cacheBytes, double ioMbPerSecond, long intervalMillis) {

    public static final long DEFAULT_CACHE_BYTES = 256L << 20;
    public static final double DEFAULT_IO_MB_PER_SECOND = 50;
    public static final long DEFAULT_INTERVAL_MILLIS = 10_000;

    public TierSettings {
        java.util.Objects.requireNonNull(store, "store");
        if (cacheBytes < 0 || !(ioMbPerSecond >= 0) || intervalMillis < 1) {
            throw new IllegalArgumentException("tier cache, I/O budget and interval must be positive");
        }
    }

    /** The defaults over {@code store}. */
    public static TierSettings of(ObjectStore store) {
        return new TierSettings(store, DEFAULT_CACHE_BYTES, DEFAULT_IO_MB_PER_SECOND, DEFAULT_INTERVAL_MILLIS);
    }
}
