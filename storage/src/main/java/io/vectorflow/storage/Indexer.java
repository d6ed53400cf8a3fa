package io.vectorflow.storage;

import io.vectorflow.storage.segment.MutableSegment;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Links stored points into their segments' graphs on the shared index threads
 * ({@link Background#INDEX}). A collection runs at most {@code maxTasks} tasks at a time; each
 * claims points (oldest frozen segment first, then the one taking writes) and links them for a
 * time slice of {@value #SLICE_MILLIS} ms, then goes to the back of the queue, so collections share
 * the cores fairly and an idle collection holds no thread at all.
 */
final class Indexer {

    private static final System.Logger LOG = System.getLogger(Indexer.class.getName());
    static final long SLICE_MILLIS = 20;

    /** Where the work comes from: the segment with points to claim next, or null. */
    private final Supplier<MutableSegment> work;
    private final int maxTasks;
    private final String name;
    private int running;
    private volatile boolean stopped;
    /** The first failure, which makes the collection read-only (a bug, or memory exhausted). */
    private volatile Throwable failure;

    Indexer(Supplier<MutableSegment> work, int maxTasks, String name) {
        this.work = work;
        this.maxTasks = maxTasks;
        this.name = name;
    }

    /**
     * Starts tasks up to the bound while there is work (writes and freezes call it). It wakes no
     * waiter: new work brings none of them closer to done, and waiters call it themselves, so a
     * notification here would have two waiters wake each other in turn and take a core from the
     * index threads.
     */
    synchronized void wake() {
        while (!stopped && running < maxTasks && work.get() != null) {
            running++;
            Background.INDEX.execute(this::run);
        }
    }

    private void run() {
        long until = System.nanoTime() + SLICE_MILLIS * 1_000_000;
        try {
            while (!stopped && System.nanoTime() < until) {
                MutableSegment m = work.get();
                int ord = m == null ? -1 : m.claimForIndexing();
                if (ord < 0) {
                    if (m == null) {
                        break;
                    }
                    continue; // claimed out from under us: look again
                }
                m.index(ord);
                if ((ord & 63) == 0) {
                    progress();
                }
            }
        } catch (RuntimeException | Error e) {
            if (failure == null) {
                failure = e;
            }
            LOG.log(System.Logger.Level.ERROR, "indexing failed in " + name, e);
        } finally {
            synchronized (this) {
                running--;
                notifyAll();
            }
            if (failure == null) {
                wake(); // more work, or a fresh slice behind other collections' tasks
            }
        }
    }

    private synchronized void progress() {
        notifyAll();
    }

    /** The failure that stopped indexing, or null. */
    Throwable failure() {
        return failure;
    }

    /**
     * Waits until {@code done} holds (re-checked as indexing progresses), at most until
     * {@code deadlineNanos}; returns whether it holds.
     */
    synchronized boolean await(BooleanSupplier done, long deadlineNanos) {
        while (!done.getAsBoolean()) {
            if (failure != null || stopped) {
                return false;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wake();
            try {
                wait(Math.max(1, Math.min(50, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return done.getAsBoolean();
            }
        }
        return true;
    }

    /** Stops starting tasks; running ones end at their next point. */
    synchronized void stop() {
        stopped = true;
        notifyAll();
    }

    /**
     * Links every point of a segment no collection writes to (a compaction's merge) on up to
     * {@code threads} index threads, and waits for them; returns early when {@code stop} holds.
     */
    static void indexAll(MutableSegment m, int threads, BooleanSupplier stop) {
        Indexer once = new Indexer(() -> stop.getAsBoolean() || !m.hasUnclaimed() ? null : m, threads, "compaction");
        once.wake();
        once.await(() -> stop.getAsBoolean() || m.unindexed() == 0, Long.MAX_VALUE);
        synchronized (once) {
            while (once.running > 0) {
                try {
                    once.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException("interrupted while indexing a merged segment", e);
                }
            }
        }
        if (once.failure != null) {
            throw new StorageException("indexing a merged segment failed: " + once.failure, once.failure);
        }
    }
}
