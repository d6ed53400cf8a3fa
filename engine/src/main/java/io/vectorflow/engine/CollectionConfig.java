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
 * @param vectors         the named vectors (the first one's size and distance are
 *                        {@code dimension} and {@code metric}); null for one unnamed vector
 * @param quantization    the quantized codes searches walk on; null for none
 * @param tiering         where sealed segments' vectors may live ({@link TieringConfig}); null: on local disk
 */
public record CollectionConfig(String name, int dimension, String metric, int m, int efConstruction,
                               int segmentCapacity, Durability durability, boolean onDisk, int indexingThresholdKb,
                               Double compactionMbPerSecond, VectorsConfig vectors,
                               io.vectorflow.core.quant.QuantizationSpec quantization, TieringConfig tiering) {

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
        if (vectors != null && (vectors.dense().getFirst().size() != dimension
                || !vectors.dense().getFirst().distance().equals(metric))) {
            throw new IllegalArgumentException("the first named vector must have the collection's dimension and metric");
        }
        if (quantization != null && quantization.scheme() == io.vectorflow.core.quant.QuantizationSpec.Scheme.BINARY
                && (metric.equals(Metrics.MANHATTAN.name())
                    || vectors != null && vectors.dense().stream().anyMatch(d -> Metrics.byName(d.distance()) == Metrics.MANHATTAN))) {
            throw new IllegalArgumentException("quantization_config.binary: binary codes do not support the manhattan distance;"
                    + " use scalar");
        }
        if (tiering != null && tiering.mayDemote() && quantization == null) {
            throw new IllegalArgumentException("tiering_config: segments move to the object tier only in a collection with"
                    + " quantization_config (their graphs are walked on the codes); set one, or pin the tier to \"disk\"");
        }
    }

    /** A config without a tiering policy. */
    public CollectionConfig(String name, int dimension, String metric, int m, int efConstruction, int segmentCapacity,
                            Durability durability, boolean onDisk, int indexingThresholdKb, Double compactionMbPerSecond,
                            VectorsConfig vectors, io.vectorflow.core.quant.QuantizationSpec quantization) {
        this(name, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk, indexingThresholdKb,
                compactionMbPerSecond, vectors, quantization, null);
    }

    /** A config without quantization. */
    public CollectionConfig(String name, int dimension, String metric, int m, int efConstruction, int segmentCapacity,
                            Durability durability, boolean onDisk, int indexingThresholdKb, Double compactionMbPerSecond,
                            VectorsConfig vectors) {
        this(name, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk, indexingThresholdKb,
                compactionMbPerSecond, vectors, null);
    }

    /** The same settings with this tiering policy (null: none). */
    public CollectionConfig withTiering(TieringConfig t) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk,
                indexingThresholdKb, compactionMbPerSecond, vectors, quantization, t);
    }

    /** The same settings with this quantization (null: none). */
    public CollectionConfig withQuantization(io.vectorflow.core.quant.QuantizationSpec q) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk,
                indexingThresholdKb, compactionMbPerSecond, vectors, q, tiering);
    }

    /** A config without named vectors. */
    public CollectionConfig(String name, int dimension, String metric, int m, int efConstruction, int segmentCapacity,
                            Durability durability, boolean onDisk, int indexingThresholdKb, Double compactionMbPerSecond) {
        this(name, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk, indexingThresholdKb,
                compactionMbPerSecond, null);
    }

    /**
     * Defaults for a collection of named vectors (the segment capacity sized by the first, and
     * by the sum of their sizes).
     */
    public static CollectionConfig of(String name, VectorsConfig vectors) {
        int total = vectors.dense().stream().mapToInt(VectorsConfig.Dense::size).sum();
        VectorsConfig.Dense first = vectors.dense().getFirst();
        CollectionConfig c = of(name, Math.min(65_536, total), first.distance());
        return new CollectionConfig(name, first.size(), first.distance(), c.m, c.efConstruction, c.segmentCapacity, null,
                false, 0, null, vectors, null);
    }

    /** The same settings with these named vectors (their first gives dimension and metric). */
    public CollectionConfig withVectors(VectorsConfig v) {
        return new CollectionConfig(name, v.dense().getFirst().size(), v.dense().getFirst().distance(), m, efConstruction,
                segmentCapacity, durability, onDisk, indexingThresholdKb, compactionMbPerSecond, v, quantization, tiering);
    }

    /** These settings as a collection's {@code collection.json} holds them: how other nodes of a cluster receive them. */
    public byte[] toJson() {
        try {
            return ConfigFiles.json(this);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Settings as {@link #toJson} writes them. */
    public static CollectionConfig fromJson(byte[] json) {
        try {
            return ConfigFiles.read(Json.MAPPER.readTree(json), "collection settings");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("collection settings are not JSON: " + e.getMessage(), e);
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
        return new CollectionConfig(name, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk, indexingThresholdKb, compactionMbPerSecond, vectors, quantization, tiering);
    }

    public CollectionConfig withSegmentCapacity(int capacity) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, capacity, durability, onDisk, indexingThresholdKb, compactionMbPerSecond, vectors, quantization, tiering);
    }

    public CollectionConfig withDurability(Durability d) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, segmentCapacity, d, onDisk, indexingThresholdKb, compactionMbPerSecond, vectors, quantization, tiering);
    }

    public CollectionConfig withOnDisk(boolean inPlace) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, segmentCapacity, durability, inPlace, indexingThresholdKb, compactionMbPerSecond, vectors, quantization, tiering);
    }

    public CollectionConfig withName(String n) {
        return new CollectionConfig(n, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk,
                indexingThresholdKb, compactionMbPerSecond, vectors, quantization, tiering);
    }

    public CollectionConfig withIndexingThreshold(int kb) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk, kb,
                compactionMbPerSecond, vectors, quantization, tiering);
    }

    public CollectionConfig withCompactionLimit(Double mbPerSecond) {
        return new CollectionConfig(name, dimension, metric, m, efConstruction, segmentCapacity, durability, onDisk,
                indexingThresholdKb, mbPerSecond, vectors, quantization, tiering);
    }

    public Metric metricImpl() {
        return Metrics.byName(metric);
    }

    /**
     * The storage slots of the dense vectors after the first (none without named vectors), each
     * with its own graph and storage settings or the collection's.
     */
    public java.util.List<io.vectorflow.storage.segment.VectorLayout.Dense> moreVectorSlots() {
        if (vectors == null) {
            return java.util.List.of();
        }
        java.util.List<io.vectorflow.storage.segment.VectorLayout.Dense> out = new java.util.ArrayList<>();
        for (int slot = 1; slot < vectors.dense().size(); slot++) {
            VectorsConfig.Dense d = vectors.dense().get(slot);
            out.add(new io.vectorflow.storage.segment.VectorLayout.Dense(d.size(), Metrics.byName(d.distance()), hnswOf(slot),
                    onDiskOf(slot)));
        }
        return out;
    }

    /** The graph parameters of dense slot {@code slot}: its vector's own, or the collection's. */
    public HnswParams hnswOf(int slot) {
        VectorsConfig.Dense d = vectors == null ? null : vectors.dense().get(slot);
        return new HnswParams(d != null && d.m() != null ? d.m() : m,
                d != null && d.efConstruct() != null ? d.efConstruct() : efConstruction);
    }

    /** Whether dense slot {@code slot} is searched in place on disk: its vector's own setting, or the collection's. */
    public boolean onDiskOf(int slot) {
        VectorsConfig.Dense d = vectors == null ? null : vectors.dense().get(slot);
        return d != null && d.onDisk() != null ? d.onDisk() : onDisk;
    }

    /** Components of a point's dense vectors together: the dimension, or the named vectors' sizes summed. */
    public int vectorDimensions() {
        return vectors == null ? dimension : vectors.dense().stream().mapToInt(VectorsConfig.Dense::size).sum();
    }

    /** Sparse vector slots. */
    public int sparseSlots() {
        return vectors == null ? 0 : vectors.sparse().size();
    }
}
