package io.vectorflow.core.search;

import java.util.Arrays;

/**
 * The k nearest ordinals of one search, closest first, with their distances and what the search
 * cost. Meant to be reused: a searcher fills it in place, so a query loop allocates nothing.
 */
public final class SearchResults {

    private int[] ordinals;
    private float[] distances;
    private int size;
    private long distanceEvaluations;
    private long visitedNodes;
    private ReadProbe probe;

    public SearchResults(int capacity) {
        ordinals = new int[Math.max(1, capacity)];
        distances = new float[Math.max(1, capacity)];
    }

    /**
     * Something to tell, now and then, which stored vector a search is about to read (null, the
     * default, for nothing): the engine samples page residency through it. Kept across
     * {@link #reset}.
     */
    public void probe(ReadProbe p) {
        this.probe = p;
    }

    public ReadProbe probe() {
        return probe;
    }

    /** Told the ordinal of a stored vector just before a search reads it; see {@link #probe(ReadProbe)}. */
    @FunctionalInterface
    public interface ReadProbe {
        void beforeRead(int ordinal);
    }

    /** Empties the results and makes room for {@code k} entries. */
    public void reset(int k) {
        if (ordinals.length < k) {
            ordinals = new int[k];
            distances = new float[k];
        }
        size = 0;
        distanceEvaluations = 0;
        visitedNodes = 0;
    }

    /** Sets entry {@code i}; callers fill entries in order, closest first. */
    public void set(int i, int ordinal, float distance) {
        ordinals[i] = ordinal;
        distances[i] = distance;
        if (i >= size) {
            size = i + 1;
        }
    }

    public void setCost(long distanceEvaluations, long visitedNodes) {
        this.distanceEvaluations = distanceEvaluations;
        this.visitedNodes = visitedNodes;
    }

    public int size() {
        return size;
    }

    public int ordinal(int i) {
        return ordinals[i];
    }

    public float distance(int i) {
        return distances[i];
    }

    /** Distance computations this search made (the work it did, independent of CPU speed). */
    public long distanceEvaluations() {
        return distanceEvaluations;
    }

    /** Nodes whose neighbour lists were read. */
    public long visitedNodes() {
        return visitedNodes;
    }

    /** The ordinals as a new array, closest first. */
    public int[] ordinals() {
        return Arrays.copyOf(ordinals, size);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SearchResults[");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : ", ").append(ordinals[i]).append(':').append(distances[i]);
        }
        return sb.append(']').toString();
    }
}
