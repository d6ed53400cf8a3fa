package io.vectorflow.storage;

import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.segment.VectorLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * How a collection stores its points.
 *
 * @param segmentCapacity     points in the mutable segment that make it freeze
 * @param segmentPayloadBytes payload bytes in the mutable segment that make it freeze
 * @param asyncFlushMillis    how often the log is forced under {@link Durability#ASYNC}
 * @param indexThreads        most index tasks this collection runs at once
 * @param maxUnindexed        bound on points stored but not yet in the graph (see {@link CollectionStore}, Backpressure)
 * @param prefault            with {@code onDisk}, read sealed vectors into the page cache at open
 * @param onDisk              search sealed segments in place in their mapped files rather than
 *                            reading vectors and graph into memory at open (see {@link SealedSegment#open})
 * @param compactionMbPerSecond  limit on compaction's write rate, 0 for none ({@link Compactor})
 * @param autoCompact         compact in the background after seals and at open (otherwise only {@link CollectionStore#compact()})
 * @param encryption          encrypts the log's records (null: written plain; encrypted ones then cannot be read)
 * @param objectTier          where sealed segments' vectors go when they move to the object tier (null: nowhere)
 */
public record StoreOptions(int dimension, Metric metric, HnswParams hnsw, int segmentCapacity, long segmentPayloadBytes,
                      Durability durability, long asyncFlushMillis, int indexThreads, boolean prefault, boolean onDisk,
                      int maxUnindexed, double compactionMbPerSecond, boolean autoCompact,
                      List<VectorLayout.Dense> moreVectors, int sparseVectors, io.vectorflow.storage.crypto.Encryption encryption,
                      io.vectorflow.storage.tier.ObjectTier objectTier) {
    /** Payload bytes that freeze a mutable segment unless a collection says otherwise. */
    public static final long DEFAULT_SEGMENT_PAYLOAD_BYTES = 64L << 20;

    public StoreOptions {
        if (dimension < 1 || dimension > 65_536) {
            throw new IllegalArgumentException("dimension must be between 1 and 65536: " + dimension);
        }
        if (segmentCapacity < 1) {
            throw new IllegalArgumentException("segment capacity must be positive: " + segmentCapacity);
        }
        if (segmentPayloadBytes < 1) {
            throw new IllegalArgumentException("segment payload bytes must be positive: " + segmentPayloadBytes);
        }
        if (indexThreads < 1) {
            throw new IllegalArgumentException("index threads must be positive: " + indexThreads);
        }
        if (maxUnindexed < 2) {
            throw new IllegalArgumentException("the unindexed-points bound must be at least 2: " + maxUnindexed);
        }
        moreVectors = List.copyOf(moreVectors);
        new VectorLayout(List.of(new VectorLayout.Dense(dimension, metric, hnsw)), sparseVectors); // checks the counts
    }

    /** A collection of one dense vector per point. */
    public StoreOptions(int dimension, Metric metric, HnswParams hnsw, int segmentCapacity, long segmentPayloadBytes,
                   Durability durability, long asyncFlushMillis, int indexThreads, boolean prefault, boolean onDisk,
                   int maxUnindexed, double compactionMbPerSecond, boolean autoCompact) {
        this(dimension, metric, hnsw, segmentCapacity, segmentPayloadBytes, durability, asyncFlushMillis, indexThreads,
                prefault, onDisk, maxUnindexed, compactionMbPerSecond, autoCompact, List.of(), 0, null, null);
    }

    /** The same options for points carrying these further dense slots and this many sparse ones. */
    public StoreOptions withVectors(List<VectorLayout.Dense> more, int sparse) {
        return new StoreOptions(dimension, metric, hnsw, segmentCapacity, segmentPayloadBytes, durability, asyncFlushMillis,
                indexThreads, prefault, onDisk, maxUnindexed, compactionMbPerSecond, autoCompact, more, sparse, encryption,
                objectTier);
    }

    /** The same options with the log's records encrypted by {@code e} (null: plain). */
    public StoreOptions withEncryption(io.vectorflow.storage.crypto.Encryption e) {
        return new StoreOptions(dimension, metric, hnsw, segmentCapacity, segmentPayloadBytes, durability, asyncFlushMillis,
                indexThreads, prefault, onDisk, maxUnindexed, compactionMbPerSecond, autoCompact, moreVectors, sparseVectors, e,
                objectTier);
    }

    /** The same options with sealed segments' vectors able to move to {@code tier} (null: nowhere). */
    public StoreOptions withObjectTier(io.vectorflow.storage.tier.ObjectTier tier) {
        return new StoreOptions(dimension, metric, hnsw, segmentCapacity, segmentPayloadBytes, durability, asyncFlushMillis,
                indexThreads, prefault, onDisk, maxUnindexed, compactionMbPerSecond, autoCompact, moreVectors, sparseVectors,
                encryption, tier);
    }

    /** Every dense slot (this options' dimension, metric and graph first) and the sparse ones. */
    public VectorLayout layout() {
        List<VectorLayout.Dense> dense = new ArrayList<>(1 + moreVectors.size());
        dense.add(new VectorLayout.Dense(dimension, metric, hnsw, onDisk));
        dense.addAll(moreVectors);
        return new VectorLayout(dense, sparseVectors);
    }
}
