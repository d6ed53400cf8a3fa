package io.vectorflow.engine;

import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.storage.Durability;
import io.vectorflow.storage.Names;

/**
 * A collection's settings, fixed at creation and stored in its {@code collection.json}.
 *
 * @param name            validated by {@link Names}
 * @param dimension       vector length, 1 to 65536
 * @param metric          "cosine", "dot", "euclidean" or "manhattan" (aliases accepted by {@link Metrics#byName})
 * @param m               HNSW links per node (level 0 keeps 2m)
 * @param efConstruction  HNSW build beam width
 * @param segmentCapacity points per segment before it is sealed
 * @param durability      when writes are acknowledged; null to use the database default
 * @param onDisk          search sealed segments in place in their memory-mapped files, so the
 *                        collection can outgrow RAM (Qdrant's {@code on_disk}); by default they are
 *                        loaded into memory at open, on huge pages, which searches faster
 * @param indexingThresholdKb segments whose vectors take fewer kilobytes than this are scanned
 *                        exactly rather than through their graph (Qdrant's
 *                        {@code optimizers_config.indexing_threshold}); 0 to always use the graph
 * @param compactionMbPerSecond limit on this collection's compaction write rate in MB/s, 0 for
 *                        none; null to use the database default
 */
public record CollectionConfig(String name, int dimension, String metric, int m, int efConstruction,
                               int segmentCapacity, Durability durability, boolean onDisk, int indexingThresholdKb,
                               Double compactionMbPerSecond) {

    /** Largest segment a collection may ask for. */
    public static final int MAX_SEGMENT_CAPACITY = 50_000_000;

    public CollectionConfig {
        Names.collection(name);
        if (dimension < 1 || dimension > 65_536) {
            throw new IllegalArgumentException("dimension must be between 1 and 65536, got " + dimension);
        }
        metric = Metrics.byName(metric).name();
        new HnswParams(m, efConstruction); // validates m and ef_construction
        if (segmentCapacity < 1 || segmentCapacity > MAX_SEGMENT_CAPACITY) {
            throw new IllegalArgumentException("segment capacity must be between 1 and " + MAX_SEGMENT_CAPACITY
                    + ", got " + segmentCapacity);
        }
        if (indexingThresholdKb < 0) {
            throw new IllegalArgumentException("indexing_threshold must not be negative, got " + indexingThresholdKb);
        }
        if (compactionMbPerSecond != null && !(compactionMbPerSecond >= 0 && compactionMbPerSecond < 1e6)) {
            throw new IllegalArgumentException("compaction_mb_per_second must be between 0 and 1000000, got " + compactionMbPerSecond);
        }
    }

    /**
     * Defaults for everything but name, dimension and metric; segments hold about 256 MiB of
     * vectors (at most a million points, and fewer where this process's memory asks for it).
     */
    public static CollectionConfig of(String name, int dimension, String metric) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be between 1 and 65536, got " + dimension);
        }
        long fits = MemoryLimits.maxSegmentPoints(dimension, HnswIndex.DEFAULT_M);
        int capacity = (int) Math.max(1_000, Math.min(Math.min(1_000_000, fits), (256L << 20) / (4L * dimension)));
        return new CollectionConfig(name, dimension, metric, HnswIndex.DEFAULT_M, HnswIndex.DEFAULT_EF_CONSTRUCTION,
                capacity, null, false, 0, null);
    }

    public CollectionConfig withHnsw(int m, int efConstruction) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk, indexingThresholdKb, compactionMbPerSecond);
    }

    public CollectionConfig withSegmentCapacity(int capacity) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, capacity, durability, onDisk, indexingThresholdKb, compactionMbPerSecond);
    }

    public CollectionConfig withDurability(Durability d) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, segmentCapacity, d, onDisk, indexingThresholdKb, compactionMbPerSecond);
    }

    public CollectionConfig withOnDisk(boolean inPlace) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, segmentCapacity, durability, inPlace, indexingThresholdKb, compactionMbPerSecond);
    }

    public CollectionConfig withName(String n) {
        return new CollectionConfig(n, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk,
                indexingThresholdKb, compactionMbPerSecond);
    }

    public CollectionConfig withIndexingThreshold(int kb) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk, kb,
                compactionMbPerSecond);
    }

    public CollectionConfig withCompactionLimit(Double mbPerSecond) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk,
                indexingThresholdKb, mbPerSecond);
    }

    public Metric metricImpl() {
        return Metrics.byName(metric);
    }
}
