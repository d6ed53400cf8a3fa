package io.vectorflow.core.eval;

import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;

/**
 * An approximate-nearest-neighbour index under measurement: VectorFlow's own HNSW, or a peer
 * engine run in the same JVM for comparison. {@link AnnBenchmark} builds it once, then measures
 * it through one {@link Searcher} per thread, so every engine is timed by the same loop.
 */
public interface AnnEngine extends AutoCloseable {

    /** Short engine name used in reports ("vectorflow", "lucene-hnsw", ...). */
    String name();

    /**
     * Builds the index over {@code base}; ordinal {@code i} is {@code base[i]}. Called once.
     *
     * @param params  links per node, build beam width and seed; engines map them onto their own
     *                parameters and say how in {@link #describeParams}
     * @param threads worker threads for the build
     */
    void build(float[][] base, Metric metric, HnswParams params, int threads) throws Exception;

    /** Nodes inserted so far; read by another thread to report build progress. */
    int nodesBuilt();

    /** Memory of the built index (vectors plus graph) divided by the number of vectors. */
    double bytesPerVector();

    /** The SIMD implementation the engine's distance code uses, as the engine reports it. */
    String kernels();

    /** How the shared parameters were mapped onto this engine's own, for reports. */
    default String describeParams(HnswParams params) {
        return "M=" + params.m() + " efConstruction=" + params.efConstruction();
    }

    /** A searcher owned by one thread; it may keep scratch space between queries. */
    Searcher newSearcher();

    @Override
    default void close() {}

    /** Searches one query at a time on the thread that created it. */
    interface Searcher {

        /**
         * Writes the ordinals of the (approximately) {@code k} nearest vectors to {@code query},
         * closest first, into {@code out} and returns how many were written.
         *
         * @param ef beam width (at least {@code k}); what the engine calls it varies
         */
        int search(float[] query, int k, int ef, int[] out) throws Exception;

        /** Distance computations of the last search, as the engine counts them. */
        long distanceEvaluations();
    }
}
