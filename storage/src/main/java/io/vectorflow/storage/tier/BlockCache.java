package io.vectorflow.storage.tier;

import io.vectorflow.core.store.NativeMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded local cache of byte ranges fetched from object storage: fixed ranges ("blocks") of
 * cold segments' files, held off-heap, shared by every collection of a database. It holds what
 * searches fetched, up to {@code capacityBytes} (allocated block by block as ranges arrive, never
 * up front), and evicts by LRU-2: the block whose second most recent use is oldest goes first,
 * so a block touched once by a scan leaves before one that queries keep coming back to (plain
 * LRU would let one large scan flush the whole working set). Eviction runs when an insert
 * overflows the capacity and brings the cache down to 90% of it in one pass over the entries,
 * so its cost is spread over a tenth of the capacity's blocks.
 *
 * <p>Concurrent requests for the same block wait for one fetch. An evicted block that a search
 * still reads stays valid until that search drops it (the garbage collector frees it).
 */
public final class BlockCache {

    /** Fetches a block's bytes from the store. */
    @FunctionalInterface
    public interface Fetch {
        ByteBuffer fetch() throws IOException;
    }

    private record Key(String object, long block) {}

    private static final class Entry {
        final MemorySegment data;
        volatile long last;
        volatile long previous; // 0: used once so far

        Entry(MemorySegment data, long now) {
            this.data = data;
            this.last = now;
        }

        void touch(long now) {
            previous = last;
            last = now;
        }
    }

    private final long capacityBytes;
    private final ConcurrentHashMap<Key, CompletableFuture<Entry>> blocks = new ConcurrentHashMap<>();
    private final AtomicLong clock = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong fetchedBytes = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final Object evicting = new Object();
    /** The last fetch's failure, null once one succeeds again: whether the store answers now. */
    private volatile String lastFailure;

    /** A cache holding at most {@code capacityBytes} (at least one block is always kept). */
    public BlockCache(long capacityBytes) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("cache capacity must not be negative: " + capacityBytes);
        }
        this.capacityBytes = capacityBytes;
    }

    /**
     * The block {@code block} of {@code object}, from the cache or fetched (once, however many
     * ask at the same moment); {@code trace} counts the hit or the fetch.
     *
     * @throws UncheckedIOException when the fetch fails (the store is unreachable, say)
     */
    public MemorySegment get(String object, long block, Fetch fetch, TierTrace trace) {
        Key key = new Key(object, block);
        long now = clock.incrementAndGet();
        CompletableFuture<Entry> mine = new CompletableFuture<>();
        CompletableFuture<Entry> found = blocks.putIfAbsent(key, mine);
        if (found != null) {
            try {
                Entry e = found.get();
                e.touch(now);
                hits.incrementAndGet();
                if (trace != null) {
                    trace.hit();
                }
                return e.data;
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted waiting for " + object));
            } catch (ExecutionException ee) {
                // the fetch someone else started failed: it removed its entry; fetch again below
                return get(object, block, fetch, trace);
            }
        }
        long started = System.nanoTime();
        try {
            ByteBuffer got = fetch.fetch();
            MemorySegment data = NativeMemory.allocate(Math.max(1, got.remaining()), 64);
            data.asByteBuffer().put(got);
            Entry e = new Entry(data, now);
            mine.complete(e);
            lastFailure = null;
            misses.incrementAndGet();
            fetchedBytes.addAndGet(data.byteSize());
            if (trace != null) {
                trace.fetched(data.byteSize(), System.nanoTime() - started);
            }
            if (bytes.addAndGet(data.byteSize()) > capacityBytes) {
                evict();
            }
            return data;
        } catch (IOException | RuntimeException ex) {
            lastFailure = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            blocks.remove(key, mine);
            mine.completeExceptionally(ex);
            throw ex instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) ex;
        }
    }

    /** Drops blocks (worst LRU-2 rank first) until the cache holds 90% of its capacity. */
    private void evict() {
        synchronized (evicting) {
            if (bytes.get() <= capacityBytes) {
                return;
            }
            record Ranked(Key key, CompletableFuture<Entry> future, long previous, long last) {}
            List<Ranked> ranked = new ArrayList<>(blocks.size());
            blocks.forEach((k, f) -> {
                Entry e = f.getNow(null);
                if (e != null) {
                    ranked.add(new Ranked(k, f, e.previous, e.last));
                }
            });
            ranked.sort(Comparator.comparingLong(Ranked::previous).thenComparingLong(Ranked::last));
            long target = capacityBytes - capacityBytes / 10;
            for (int i = 0; i < ranked.size() - 1 && bytes.get() > target; i++) {
                Ranked r = ranked.get(i);
                if (blocks.remove(r.key(), r.future())) {
                    bytes.addAndGet(-r.future().join().data.byteSize());
                    evictions.incrementAndGet();
                }
            }
        }
    }

    /** Why the last fetch from the store failed, or null when the last one succeeded. */
    public String lastFailure() {
        return lastFailure;
    }

    /** Records that the store could not be reached by some other call (a listing, say). */
    public void failed(String why) {
        lastFailure = why;
    }

    /** Drops every block of {@code object} (its segment was promoted or deleted). */
    public void forget(String object) {
        blocks.forEach((k, f) -> {
            if (k.object().equals(object) && blocks.remove(k, f)) {
                Entry e = f.getNow(null);
                if (e != null) {
                    bytes.addAndGet(-e.data.byteSize());
                }
            }
        });
    }

    /** What the cache holds and has done since it was made. */
    public record Stats(long capacityBytes, long bytes, long blocks, long hits, long misses, long fetchedBytes,
                        long evictions) {
        /** Share of block requests answered from the cache; 1 before any. */
        public double hitRate() {
            long all = hits + misses;
            return all == 0 ? 1 : (double) hits / all;
        }
    }

    public Stats stats() {
        return new Stats(capacityBytes, bytes.get(), blocks.size(), hits.get(), misses.get(), fetchedBytes.get(),
                evictions.get());
    }
}
