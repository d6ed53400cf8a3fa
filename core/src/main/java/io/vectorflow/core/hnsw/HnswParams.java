package io.vectorflow.core.hnsw;

/**
 * How an HNSW graph is built.
 *
 * @param m              links per node on upper levels (2m on level 0); 16 suits most data,
 *                       more helps high-dimensional or hard data at the cost of memory and build time
 * @param efConstruction beam width while inserting; higher builds a better graph, slower
 * @param seed           seeds the level of each node (a hash of seed and ordinal)
 */
public record HnswParams(int m, int efConstruction, long seed) {

    public HnswParams {
        if (m < 2 || m > 512) {
            throw new IllegalArgumentException("m must be between 2 and 512: " + m);
        }
        if (efConstruction < 4 || efConstruction > 4096) {
            throw new IllegalArgumentException("ef_construction must be between 4 and 4096: " + efConstruction);
        }
    }

    public HnswParams(int m, int efConstruction) {
        this(m, efConstruction, 42L);
    }

    public static HnswParams defaults() {
        return new HnswParams(HnswIndex.DEFAULT_M, HnswIndex.DEFAULT_EF_CONSTRUCTION);
    }
}
