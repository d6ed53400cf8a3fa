package io.vectorflow.storage.tier;

/**
 * What one search did in the tiers below local disk: segments searched there, cache hits, blocks
 * fetched from object storage with their bytes and the time spent waiting for them, and segments
 * it could not search because the store was unreachable. Filled by the threads fetching for one
 * search, so the counters are synchronized.
 */
public final class TierTrace {

    private int segments;
    private long hits;
    private long fetches;
    private long fetchedBytes;
    private long fetchNanos;
    private long waitNanos;
    private int unavailable;

    /** A cold segment was searched. */
    public synchronized void segment() {
        segments++;
    }

    synchronized void hit() {
        hits++;
    }

    synchronized void fetched(long bytes, long nanos) {
        fetches++;
        fetchedBytes += bytes;
        fetchNanos += nanos;
    }

    /** The search waited this long, wall-clock, for one round of fetches. */
    public synchronized void waited(long nanos) {
        waitNanos += nanos;
    }

    /** A cold segment was left out: its store could not be reached. */
    public synchronized void unavailable() {
        unavailable++;
    }

    public synchronized int segments() {
        return segments;
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long fetches() {
        return fetches;
    }

    public synchronized long fetchedBytes() {
        return fetchedBytes;
    }

    /** Wall-clock time the search waited on object storage. */
    public synchronized long waitNanos() {
        return waitNanos;
    }

    /** Sum of the fetches' own times (they overlap; see {@link #waitNanos()} for the wait). */
    public synchronized long fetchNanos() {
        return fetchNanos;
    }

    public synchronized int unavailableSegments() {
        return unavailable;
    }
}
