package io.vectorflow.core.sparse;

import io.vectorflow.core.search.Budget;
import io.vectorflow.core.search.OrdinalFilter;
import io.vectorflow.core.util.LongHeap;
import java.util.Arrays;

/**
 * Term-at-a-time scoring shared by the sparse indexes: one float per ordinal of the largest
 * index a thread searched (reused across queries and indexes, with an epoch stamp per slot
 * instead of clearing it), the ordinals touched, and a k-sized heap that ranks them at the end.
 * Per thread; {@link #begin} starts a query.
 */
final class SparseAccumulator {

    private static final ThreadLocal<SparseAccumulator> CURRENT = ThreadLocal.withInitial(SparseAccumulator::new);
    private static final int BUDGET_EVERY = 4096;

    private float[] acc = new float[0];
    private int[] stamp = new int[0];
    private int[] touched = new int[64];
    private final LongHeap heap = new LongHeap(16);
    private int epoch;
    private int count;
    private long visited;
    private long sinceCheck;
    private Budget budget;

    /** This thread's accumulator, emptied, with room for ordinals below {@code documents}. */
    static SparseAccumulator begin(int documents) {
        SparseAccumulator s = CURRENT.get();
        if (s.acc.length < documents) {
            int size = Math.max(documents, s.acc.length + (s.acc.length >> 1));
            s.acc = new float[size];
            s.stamp = new int[size];
            s.epoch = 0;
        }
        if (++s.epoch == Integer.MAX_VALUE) { // wrapped: forget every stamp
            Arrays.fill(s.stamp, 0);
            s.epoch = 1;
        }
        s.count = 0;
        s.visited = 0;
        s.sinceCheck = 0;
        s.budget = Budget.current();
        return s;
    }

    /**
     * Adds {@code q × values[p]} to the score of {@code ordinals[p]} for every posting {@code p}
     * in {@code [from, to)}: the hot loop, one multiply-add per posting.
     */
    void add(int[] ordinals, float[] values, int from, int to, float q) {
        int[] st = stamp;
        float[] a = acc;
        int e = epoch;
        for (int p = from; p < to; p++) {
            int o = ordinals[p];
            if (st[o] != e) {
                st[o] = e;
                a[o] = 0;
                if (count == touched.length) {
                    touched = Arrays.copyOf(touched, Math.max(16, 2 * count));
                }
                touched[count++] = o;
            }
            a[o] += q * values[p];
        }
        visited += to - from;
        sinceCheck += to - from;
        if (sinceCheck >= BUDGET_EVERY) {
            sinceCheck = 0;
            budget.check();
        }
    }

    /**
     * The {@code k} best accepted ordinals scored so far, best first (ties to the smaller ordinal).
     * The filter is asked only about ordinals that would enter the heap, so a broad query's
     * many low scorers cost a comparison each, not a filter test.
     */
    SparseIndex.Hits top(int k, OrdinalFilter accept) {
        heap.clear();
        for (int i = 0; i < count; i++) {
            int o = touched[i];
            long packed = LongHeap.pack(-acc[o], o); // the heap keeps its largest (worst) on top through ~
            boolean full = heap.size() >= k;
            if (full && ~heap.peek() <= packed) {
                continue; // not better than the k-th so far: no need to ask the filter
            }
            if (accept != null && !accept.accept(o)) {
                continue;
            }
            if (full) {
                heap.replaceTop(~packed);
            } else {
                heap.push(~packed);
            }
        }
        int size = heap.size();
        int[] outOrd = new int[size];
        float[] outScore = new float[size];
        for (int i = size - 1; i >= 0; i--) {
            long packed = ~heap.pop();
            outOrd[i] = LongHeap.ordinal(packed);
            outScore[i] = -LongHeap.distance(packed);
        }
        return new SparseIndex.Hits(outOrd, outScore, visited);
    }
}
