package io.vectorflow.core.hnsw;

import io.vectorflow.core.search.Budget;
import io.vectorflow.core.search.SearchResults;
import io.vectorflow.core.util.LongHeap;
import io.vectorflow.core.util.VisitedSet;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread search state, reused by every query and insert on that thread whatever graph it
 * is on: grown to the largest dimension, M, beam and graph seen, never shrunk.
 */
final class Scratch {
    final VisitedSet visited = new VisitedSet(0);
    final LongHeap candidates = new LongHeap(256);
    final LongHeap results = new LongHeap(128);
    float[] query = new float[0];
    int[] batch = new int[0];
    float[] batchDistances = new float[0];
    long[] sorted = new long[0];
    long[] selected = new long[0];
    long[] prune = new long[0];
    long[] selectedForPrune = new long[0];
    /** What the current search reads: the graph, the vector block, and the ordinals both cover. */
    Graph graph;
    MemorySegment data;
    int limit;
    Budget budget;
    long distanceEvaluations;
    SearchResults.ReadProbe probe;
    /** The current search's scorer, or null when it reads the graph's float vectors. */
    NodeScorer scorer;
    long expanded;
    float greedyDistance;

    /**
     * Starts a search or insert on {@code index} with a beam of {@code beam}: takes the graph,
     * then the vector block (so the block holds every node the graph links), sizes the buffers.
     */
    void begin(HnswIndex index, int beam) {
        graph = index.graph();
        data = index.vectors.segment();
        limit = Math.min(graph.capacity, index.vectors.capacityOf(data));
        if (query.length < index.dim) {
            query = new float[index.dim];
        }
        int links = index.m0 + 1;
        if (batch.length < links) {
            batch = new int[links];
            batchDistances = new float[links];
            selected = new long[links];
            prune = new long[links];
            selectedForPrune = new long[links];
        }
        if (sorted.length < Math.max(beam, links)) {
            sorted = new long[Math.max(beam, links)];
        }
        distanceEvaluations = 0;
        expanded = 0;
        scorer = null;
    }
}
