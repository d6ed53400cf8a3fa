package io.vectorflow.engine;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How searches use a collection's sealed segments, for placement: per segment number, when a
 * search last touched it and a decayed count of searches (each search adds 1; the count halves
 * every {@link TieringConfig#HALF_LIFE_SECONDS} seconds), so recent and frequent use both count.
 * A segment placement has not seen searched counts as last used when placement first saw it,
 * so a freshly sealed segment is not taken for an idle one. Kept in memory: after a restart
 * every segment starts afresh.
 */
final class SegmentAccess {

    private static final double DECAY_PER_NANO = Math.log(2) / (TieringConfig.HALF_LIFE_SECONDS * 1e9);

    private static final class Use {
        long lastNanos;
        long warmedNanos = Long.MIN_VALUE;
        double count;
        long countedAtNanos;

        Use(long now) {
            lastNanos = now;
            countedAtNanos = now;
        }

        synchronized void touch(long now) {
            count = countAt(now) + 1;
            countedAtNanos = now;
            lastNanos = now;
        }

        synchronized double countAt(long now) {
            return count * Math.exp(-DECAY_PER_NANO * Math.max(0, now - countedAtNanos));
        }

        synchronized long last() {
            return lastNanos;
        }
    }

    private final ConcurrentHashMap<Long, Use> uses = new ConcurrentHashMap<>();

    /** A search touched segment {@code number}. */
    void touched(long number) {
        long now = System.nanoTime();
        uses.computeIfAbsent(number, n -> new Use(now)).touch(now);
    }

    /** Nanoseconds since segment {@code number} was last touched (or first seen). */
    long idleNanos(long number, long now) {
        return Math.max(0, now - uses.computeIfAbsent(number, n -> new Use(now)).last());
    }

    /** Segment {@code number}'s decayed search count now. */
    double count(long number, long now) {
        Use u = uses.get(number);
        return u == null ? 0 : u.countAt(now);
    }

    /**
     * Whether segment {@code number} was searched since it was last pre-warmed and not pre-warmed
     * within {@code everyNanos}; if so, records that it is being pre-warmed now.
     */
    boolean claimPrewarm(long number, long now, long everyNanos) {
        Use u = uses.get(number);
        if (u == null) {
            return false;
        }
        synchronized (u) {
            if (u.lastNanos <= u.warmedNanos || u.warmedNanos != Long.MIN_VALUE && now - u.warmedNanos < everyNanos) {
                return false;
            }
            u.warmedNanos = now;
            return true;
        }
    }

    /** Forgets segments no longer in the collection. */
    void retain(java.util.Set<Long> numbers) {
        uses.keySet().retainAll(numbers);
    }
}
