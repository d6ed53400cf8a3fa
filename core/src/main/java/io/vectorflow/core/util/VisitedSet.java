package io.vectorflow.core.util;

/**
 * Which nodes a query has visited, cleared in O(1): each slot holds the generation (query number)
 * that last visited it, and a new query just increments the generation. The array is only wiped
 * when the generation counter wraps, once every 2^31 queries.
 */
public final class VisitedSet {

    private int[] marks;
    private int generation = 1;

    public VisitedSet(int capacity) {
        marks = new int[capacity];
    }

    /** Starts a new query over at least {@code capacity} nodes. */
    public void reset(int capacity) {
        if (marks.length < capacity) {
            marks = new int[Math.max(capacity, marks.length + (marks.length >> 1))];
            generation = 1;
            return;
        }
        if (++generation == Integer.MAX_VALUE) {
            java.util.Arrays.fill(marks, 0);
            generation = 1;
        }
    }

    /** Marks {@code node}; returns true when it had not been visited in this query. */
    public boolean visit(int node) {
        if (marks[node] == generation) {
            return false;
        }
        marks[node] = generation;
        return true;
    }

    public boolean isVisited(int node) {
        return marks[node] == generation;
    }
}
