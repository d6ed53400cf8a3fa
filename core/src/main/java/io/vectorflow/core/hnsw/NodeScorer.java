package io.vectorflow.core.hnsw;

/**
 * One query's distances to graph nodes computed from something other than the graph's float
 * vectors, such as quantized codes ({@link io.vectorflow.core.quant.QuantizedVectors}): a search
 * given one walks the same graph and scores every node it visits through it. Distances follow the
 * graph metric's convention (smaller is closer) and are approximations of it.
 *
 * <p>Made for one query on one thread; {@link #distances} is the hot loop of the walk.
 */
public interface NodeScorer {

    /** The distance from the query to node {@code node}. */
    float distance(int node);

    /** The distances from the query to {@code nodes[0..n)}, into {@code out[0..n)}. */
    void distances(int[] nodes, int n, float[] out);
}
