package io.vectorflow.storage.tier;

import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.storage.object.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * One dense slot's float vectors of a segment in the object tier: the segment's vectors file
 * ({@link VectorStore} documents its layout) as an object, read in blocks of whole vectors
 * through the database's {@link BlockCache}. A search asks for the vectors of its rescoring
 * candidates at once; the blocks missing from the cache are fetched concurrently (at most
 * {@value #MAX_IN_FLIGHT} fetches in flight over the whole process), so a query waits about one
 * round trip to the store, not one per candidate.
 */
public final class ColdVectors {

    /** Target bytes per fetched block: whole vectors, at least one. */
    public static final int BLOCK_BYTES = 8192;
    static final int MAX_IN_FLIGHT = 256;
    private static final Semaphore IN_FLIGHT = new Semaphore(MAX_IN_FLIGHT);
    private static final ExecutorService FETCHERS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("vectorflow-fetch-", 0).factory());
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ObjectStore store;
    private final BlockCache cache;
    private final String key;
    private final int dim;
    private final int size;
    private final long stride;
    private final int perBlock;

    public ColdVectors(ObjectStore store, BlockCache cache, String key, int dim, int size) {
        this.store = store;
        this.cache = cache;
        this.key = key;
        this.dim = dim;
        this.size = size;
        this.stride = 4L * dim;
        this.perBlock = (int) Math.max(1, BLOCK_BYTES / stride);
    }

    /** The object holding the vectors. */
    public String key() {
        return key;
    }

    public int dimension() {
        return dim;
    }

    public int size() {
        return size;
    }

    /** Bytes of the vectors object (header, vectors, checksum). */
    public long objectBytes() {
        return VectorStore.HEADER_BYTES + size * stride + 4;
    }

    private MemorySegment block(int b, TierTrace trace) {
        long first = (long) b * perBlock;
        int count = (int) Math.min(perBlock, size - first);
        long offset = VectorStore.HEADER_BYTES + first * stride;
        int length = (int) (count * stride);
        return cache.get(key, b, () -> {
            IN_FLIGHT.acquireUninterruptibly();
            try {
                var got = store.read(key, offset, length);
                if (got.remaining() != length) {
                    throw new IOException(store.describe() + ": " + key + " is shorter than its segment says ("
                            + got.remaining() + " of " + length + " bytes at " + offset + ")");
                }
                return got;
            } finally {
                IN_FLIGHT.release();
            }
        }, trace);
    }

    /**
     * The blocks holding {@code ordinals}, fetched concurrently where missing: entry i is the
     * block of {@code ordinals[i]}.
     */
    private MemorySegment[] blocks(int[] ordinals, int count, TierTrace trace) {
        try {
            return fetchBlocks(ordinals, count, trace);
        } catch (UncheckedIOException e) {
            throw new TierUnavailableException("the vectors of a cold segment could not be read from " + this + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private MemorySegment[] fetchBlocks(int[] ordinals, int count, TierTrace trace) {
        MemorySegment[] out = new MemorySegment[count];
        java.util.Map<Integer, List<Integer>> byBlock = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            if (ordinals[i] < 0 || ordinals[i] >= size) {
                throw new IndexOutOfBoundsException("ordinal " + ordinals[i] + " of " + size);
            }
            byBlock.computeIfAbsent(ordinals[i] / perBlock, b -> new ArrayList<>()).add(i);
        }
        long started = System.nanoTime();
        if (byBlock.size() == 1) {
            var e = byBlock.entrySet().iterator().next();
            MemorySegment data = block(e.getKey(), trace);
            e.getValue().forEach(i -> out[i] = data);
        } else {
            List<Future<?>> pending = new ArrayList<>(byBlock.size());
            for (var e : byBlock.entrySet()) {
                pending.add(FETCHERS.submit(() -> {
                    MemorySegment data = block(e.getKey(), trace);
                    e.getValue().forEach(i -> out[i] = data);
                }));
            }
            try {
                for (Future<?> f : pending) {
                    f.get();
                }
            } catch (InterruptedException ie) {
                pending.forEach(f -> f.cancel(true));
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted fetching " + key));
            } catch (java.util.concurrent.ExecutionException ee) {
                pending.forEach(f -> f.cancel(true));
                throw ee.getCause() instanceof RuntimeException re ? re : new UncheckedIOException(
                        new IOException(ee.getCause()));
            }
        }
        if (trace != null) {
            trace.waited(System.nanoTime() - started);
        }
        return out;
    }

    private long offsetInBlock(int ordinal) {
        return (ordinal % perBlock) * stride;
    }

    /**
     * Exact distances from {@code preparedQuery} to the vectors of {@code ordinals[0..count)},
     * into {@code out}.
     *
     * @throws TierUnavailableException when the store cannot be read
     */
    public void distances(float[] preparedQuery, Metric metric, int[] ordinals, int count, float[] out, TierTrace trace) {
        MemorySegment[] blocks = blocks(ordinals, count, trace);
        for (int i = 0; i < count; i++) {
            out[i] = metric.distance(preparedQuery, blocks[i], offsetInBlock(ordinals[i]), dim);
        }
    }

    /** The float vector of one ordinal. */
    public float[] get(int ordinal, TierTrace trace) {
        MemorySegment block = blocks(new int[] {ordinal}, 1, trace)[0];
        float[] v = new float[dim];
        MemorySegment.copy(block, F32, offsetInBlock(ordinal), v, 0, dim);
        return v;
    }

    /** Whether the store answers for this object now (for a segment's degraded status). */
    public boolean reachable() {
        try {
            return store.stat(key).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return store.describe() + "/" + key;
    }
}
