package io.vectorflow.server;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Admission control, shared by REST and gRPC: how many requests run at once, how many wait, and
 * how much working memory they may hold, so that overload is answered (503 with
 * {@code Retry-After}, gRPC {@code UNAVAILABLE}) instead of exhausting threads or the heap.
 *
 * <h2>Lanes</h2>
 * Reads (searches, gets, scrolls, counts, collection info) run on up to {@code 2 × cores}
 * threads: they are CPU-bound, and more threads would only share the cores. Writes run on up to
 * {@code 4 × cores}: they spend most of their time waiting for the log's group-committed force,
 * and more writers waiting means more of them share one force. Each lane queues at most
 * {@value #QUEUE} requests; a request that finds its lane's queue full is refused at once. Threads
 * start as requests arrive and stop after {@value #IDLE_SECONDS} idle seconds.
 *
 * <h2>Heap</h2>
 * While the heap is more than {@value #HEAP_TIGHT_PERCENT}% full after a collection, writes (which
 * would make it fuller) are refused with 503 and {@code /readyz} is unready; reads go on.
 *
 * <h2>Working memory</h2>
 * A request reserves {@value #BYTES_PER_BODY_BYTE} bytes of heap for every byte of its body
 * (measured: the body, its parsed JSON, the decoded vectors and payloads and the log record it
 * becomes) before it is read; together, requests in flight may reserve
 * {@value #HEAP_SHARE_PERCENT}% of the heap. A request that does not fit now is refused with 503;
 * one that could never fit is refused with 413, saying how large a request this server takes.
 */
final class Admission implements AutoCloseable {

    /** Requests that may wait in each lane. */
    static final int QUEUE = 256;
    static final int IDLE_SECONDS = 30;
    /** Heap reserved per byte of request body. */
    static final int BYTES_PER_BODY_BYTE = 8;
    /** Share of the heap that requests in flight may reserve. */
    static final int HEAP_SHARE_PERCENT = 40;
    /** What a request without a declared length reserves until its body has arrived. */
    static final long UNKNOWN_BODY_BYTES = 64 << 10;
    /** Heap use after a collection, in percent of the maximum, above which writes are refused. */
    static final int HEAP_TIGHT_PERCENT = 90;
    /** Seconds a refused client is told to wait. */
    static final int RETRY_AFTER_SECONDS = 1;

    /** Which pool a request runs on. */
    enum Lane { READ, WRITE }

    /** Refused because the server is busy right now: 503 with {@code Retry-After}, gRPC UNAVAILABLE. */
    static final class Busy extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Busy(String message) {
            super(message, null, false, false);
        }
    }

    private final int cores = Runtime.getRuntime().availableProcessors();
    private final ThreadPoolExecutor reads = pool("vectorflow-read", Math.max(4, 2 * cores));
    private final ThreadPoolExecutor writes = pool("vectorflow-write", Math.max(8, 4 * cores));
    private final long memoryBudget;
    private final AtomicLong reserved = new AtomicLong();
    private volatile boolean stopping;
    /** Heap in use after the last collection (any), as the collector reported it. */
    private static volatile long usedAfterGc;

    static {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((n, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                        long used = 0;
                        for (MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
                            used += u.getUsed();
                        }
                        usedAfterGc = used;
                    }
                }, null, null);
            }
        }
    }

    Admission() {
        this(Runtime.getRuntime().maxMemory() / 100 * HEAP_SHARE_PERCENT);
    }

    Admission(long memoryBudget) {
        this.memoryBudget = memoryBudget;
    }

    private static ThreadPoolExecutor pool(String name, int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), Thread.ofPlatform().daemon().name(name + "-", 0).factory());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Heap a request with a body of {@code bodyBytes} works with. */
    static long workingMemory(long bodyBytes) {
        return Math.max(bodyBytes, 0) * BYTES_PER_BODY_BYTE + (16 << 10);
    }

    /** Largest request body this server takes. */
    long maxBodyBytes() {
        return memoryBudget / BYTES_PER_BODY_BYTE;
    }

    /**
     * Reserves working memory for a body of {@code bodyBytes}; release it when the request is
     * answered.
     *
     * @throws Busy when other requests hold the memory now
     * @throws ApiException 413 when the body is larger than this server ever takes
     */
    Reservation reserve(long bodyBytes) {
        long want = workingMemory(bodyBytes);
        take(want, bodyBytes);
        return new Reservation(want);
    }

    /** Adds {@code bytes} to what is reserved, or throws as {@link #reserve} describes. */
    private void take(long bytes, long bodyBytes) {
        if (bytes > memoryBudget) {
            throw new ApiException(413, "a request body of " + bodyBytes + " bytes needs about " + (bytes >> 20)
                    + " MiB of working memory; this server (heap " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB) takes bodies of at most " + (maxBodyBytes() >> 20) + " MiB: send smaller batches");
        }
        while (true) {
            long now = reserved.get();
            if (now + bytes > memoryBudget) {
                throw new Busy("the server is busy: requests in flight hold its working memory (" + (now >> 20) + " of "
                        + (memoryBudget >> 20) + " MiB); retry shortly");
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return;
            }
        }
    }

    /** Memory held for one request; {@link #resize} once the body's real size is known. */
    final class Reservation implements AutoCloseable {
        private long bytes;

        private Reservation(long bytes) {
            this.bytes = bytes;
        }

        /** Grows or shrinks the reservation to fit a body of {@code bodyBytes}; throws as {@link #reserve} does. */
        void resize(long bodyBytes) {
            long want = workingMemory(bodyBytes);
            if (want > bytes) {
                if (want > memoryBudget) {
                    take(want, bodyBytes); // throws 413
                }
                take(want - bytes, bodyBytes);
            } else {
                reserved.addAndGet(want - bytes);
            }
            bytes = want;
        }

        @Override
        public void close() {
            reserved.addAndGet(-bytes);
            bytes = 0;
        }
    }

    /**
     * Runs {@code work} on its lane.
     *
     * @throws Busy when the lane's queue is full
     */
    <T> CompletableFuture<T> run(Lane lane, Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (stopping) {
            throw new Busy("the server is shutting down; retry on another server or once it is back");
        }
        if (lane == Lane.WRITE && heapTight()) {
            throw new Busy("the server's heap is nearly full after a collection (" + (usedAfterGc >> 20) + " of "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): writes wait until memory frees up; reads go on."
                    + " If this lasts, the data has outgrown the heap: restart with a larger -Xmx");
        }
        try {
            (lane == Lane.READ ? reads : writes).execute(() -> {
                try {
                    if (stopping) {
                        throw new Busy("the server is shutting down; retry on another server or once it is back");
                    }
                    result.complete(work.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new Busy("the server is busy: " + QUEUE + " " + (lane == Lane.READ ? "reads" : "writes")
                    + " are already waiting; retry shortly");
        }
        return result;
    }

    /**
     * Whether the server can take requests: neither lane's queue is nearly full, and the heap
     * after the last collection is not nearly exhausted. {@code /readyz} answers with it.
     */
    boolean ready() {
        if (reads.getQueue().size() > QUEUE * 9 / 10 || writes.getQueue().size() > QUEUE * 9 / 10) {
            return false;
        }
        return !heapTight();
    }

    /** Whether the heap was more than {@value #HEAP_TIGHT_PERCENT}% full after the last collection. */
    static boolean heapTight() {
        return usedAfterGc > Runtime.getRuntime().maxMemory() / 100 * HEAP_TIGHT_PERCENT;
    }

    /** Why {@link #ready} is false, for the answer of {@code /readyz}. */
    String whyNotReady() {
        return "the server is overloaded (request queues nearly full, or the heap nearly exhausted); retry shortly";
    }

    /** Threads running requests now, both lanes. */
    int activeThreads() {
        return reads.getPoolSize() + writes.getPoolSize();
    }

    /** Whether new work is taken (false once the server stops). */
    boolean taking() {
        return !stopping;
    }

    /** Threads of the read lane now. */
    int readThreads() {
        return reads.getPoolSize();
    }

    /** Refuses queued and new work from now on (running work goes on); the first step of a shutdown. */
    void stopTaking() {
        stopping = true;
    }

    @Override
    public void close() {
        stopping = true;
        reads.shutdown();
        writes.shutdown();
    }
}
