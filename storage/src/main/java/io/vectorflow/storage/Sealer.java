package io.vectorflow.storage;

import io.vectorflow.storage.segment.SealedSegment;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Seals a collection's frozen segments, oldest first, on the shared maintenance threads
 * ({@link Background#MAINTENANCE}): waits until a segment is fully indexed, writes its files
 * ({@link SegmentFiles#write}) and publishes it ({@link CollectionStore#commitSeal}).
 *
 * <p>A seal that fails (most often a full disk) leaves the frozen segment where it is, in memory
 * and searchable, with its records still in the log; it is retried after a pause that doubles
 * from {@value #FIRST_RETRY_MILLIS} ms to {@value #MAX_RETRY_MILLIS} ms, so sealing resumes by
 * itself once the disk has room again.
 *
 * <p>One seal runs at a time per collection: {@link #lock()} is held while sealing, taken before
 * the collection's apply lock wherever both are needed.
 */
final class Sealer {

    private static final System.Logger LOG = System.getLogger(Sealer.class.getName());
    static final long FIRST_RETRY_MILLIS = 200;
    static final long MAX_RETRY_MILLIS = 30_000;

    private final CollectionStore store;
    private final ReentrantLock lock = new ReentrantLock();
    private final Pass pass = new Pass();
    private long retryMillis = FIRST_RETRY_MILLIS;
    private volatile String lastFailure;

    Sealer(CollectionStore store) {
        this.store = store;
    }

    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    /** Takes the lock unless it cannot be had by {@code deadlineNanos} (a background seal holds it). */
    boolean tryLock(long deadlineNanos) {
        try {
            long left = deadlineNanos - System.nanoTime();
            return deadlineNanos == Long.MAX_VALUE ? lockAndTrue() : lock.tryLock(Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean lockAndTrue() {
        lock.lock();
        return true;
    }

    /** Why the last seal failed, or null. */
    String lastFailure() {
        return lastFailure;
    }

    /** Starts a background pass unless one is scheduled or running. */
    void wake() {
        if (store.closedOrReadOnly() || !pass.begin()) {
            return;
        }
        Background.MAINTENANCE.execute(this::run);
    }

    private void run() {
        boolean retry = false;
        try {
            lock.lock();
            try {
                retry = !sealAllLocked(Long.MAX_VALUE) && lastFailure != null && !store.closedOrReadOnly();
            } finally {
                lock.unlock();
            }
        } catch (Error e) {
            LOG.log(System.Logger.Level.ERROR, "sealing in " + store.directory() + " stopped", e);
        } finally {
            pass.end();
        }
        if (retry) {
            long delay = retryMillis;
            retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
            Background.TIMER.schedule(this::wake, delay, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Seals every frozen segment, oldest first, on the calling thread ({@link #lock()} held);
     * returns whether none is left. Stops at the first failure (remembered in
     * {@link #lastFailure}) or once {@code deadlineNanos} passes while waiting for indexing.
     */
    boolean sealAllLocked(long deadlineNanos) {
        while (!store.closedOrReadOnly()) {
            CollectionStore.Frozen f = store.oldestFrozen();
            if (f == null) {
                return true;
            }
            if (!store.awaitIndexed(f.segment(), deadlineNanos)) {
                return false;
            }
            long number = store.files().reserveNumber();
            SealedSegment created = null;
            try {
                created = store.files().write(f.segment(), number);
                if (!store.commitSeal(f, created)) {
                    store.files().discard(created);
                    return false;
                }
                lastFailure = null;
                retryMillis = FIRST_RETRY_MILLIS;
            } catch (IOException | RuntimeException e) {
                if (created != null) {
                    store.files().discard(created); // written but not published: the next try writes it afresh
                }
                String why = DiskFullException.isDiskFull(e) ? "the disk is full" : e.toString();
                if (!why.equals(lastFailure)) {
                    LOG.log(System.Logger.Level.WARNING, "sealing segment " + number + " in " + store.directory()
                            + " failed (" + why + "); it stays in memory, its writes stay in the log, and sealing is retried");
                }
                lastFailure = why;
                return false;
            }
        }
        return false;
    }

    /** Waits until no background pass is running. */
    void awaitIdle() {
        pass.awaitIdle();
    }
}
