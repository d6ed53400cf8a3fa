package io.vectorflow.storage;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The process's background threads, shared by every collection: linking points into graphs,
 * sealing and compacting segments, log I/O and timed work (asynchronous log forces, retries).
 * Each pool starts threads as work arrives, up to its bound, and lets them go after a few idle
 * seconds, so the thread count follows the work being done, never the number of collections.
 */
public final class Background {

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    /** Graph building: CPU-bound, one thread per core. */
    static final ExecutorService INDEX = pool("vectorflow-index", CORES);
    /** Seals and compactions: mostly I/O and index waits, two at a time. */
    static final ExecutorService MAINTENANCE = pool("vectorflow-maintenance", 2);
    /**
     * Log writes and forces. They run here rather than on the caller's thread because an
     * interrupt of a thread inside {@code FileChannel} I/O closes the channel for everyone.
     */
    public static final ExecutorService IO = pool("vectorflow-wal-io", Math.max(4, 2 * CORES));
    /** Timed work: asynchronous log forces, seal retries, closing retired segments. */
    public static final ScheduledExecutorService TIMER = timer();

    private Background() {}

    private static ExecutorService pool(String name, int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().daemon().name(name + "-", 0).factory());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("vectorflow-timer").factory());
        timer.setKeepAliveTime(5, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
