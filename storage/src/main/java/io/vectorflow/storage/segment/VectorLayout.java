package io.vectorflow.storage.segment;

import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import java.util.List;

/**
 * The kinds of vector every point of a collection may carry, by slot: dense vectors (slot 0 is
 * the collection's first, or only, vector; each has its own store and HNSW graph in every
 * segment) and sparse vectors (each with its own inverted index). A point may lack any of them
 * (when the collection has more than one); a plain collection has one dense slot and no sparse.
 *
 * @param dense  the dense slots, at least one
 * @param sparse how many sparse slots
 */
public record VectorLayout(List<Dense> dense, int sparse) {

    /** Most dense or sparse slots one collection may have. */
    public static final int MAX_SLOTS = 64;

    /**
     * One dense slot: its dimension, metric and graph parameters, and whether sealed segments
     * search it in place in its mapped files ({@code onDisk}) rather than loaded into memory.
     */
    public record Dense(int dimension, Metric metric, HnswParams hnsw, boolean onDisk) {
        public Dense {
            if (dimension < 1 || dimension > 65_536) {
                throw new IllegalArgumentException("dimension must be between 1 and 65536: " + dimension);
            }
        }

        public Dense(int dimension, Metric metric, HnswParams hnsw) {
            this(dimension, metric, hnsw, false);
        }
    }

    public VectorLayout {
        dense = List.copyOf(dense);
        if (dense.isEmpty() || dense.size() > MAX_SLOTS || sparse < 0 || sparse > MAX_SLOTS) {
            throw new IllegalArgumentException("a collection has 1 to " + MAX_SLOTS + " dense and 0 to " + MAX_SLOTS
                    + " sparse vectors, got " + dense.size() + " and " + sparse);
        }
    }

    /** One dense vector and no sparse one: every point has exactly that vector. */
    public static VectorLayout single(int dimension, Metric metric, HnswParams hnsw) {
        return new VectorLayout(List.of(new Dense(dimension, metric, hnsw)), 0);
    }

    /** Whether this is the single-vector layout, where no point lacks its vector. */
    public boolean single() {
        return dense.size() == 1 && sparse == 0;
    }
}
