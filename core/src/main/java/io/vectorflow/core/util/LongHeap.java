package io.vectorflow.core.util;

import java.util.Arrays;

/**
 * A binary min-heap of primitive longs, reused across queries: no boxing and no allocation once
 * it has grown to its working size.
 *
 * <p>Search code stores (distance, ordinal) pairs packed by {@link #pack}, so the smallest long is
 * the closest node (ties broken by the smaller ordinal). Storing {@code ~pack(...)} instead turns
 * it into a max-heap on distance, which is how result sets keep their worst entry on top.
 */
public final class LongHeap {

    private long[] heap;
    private int size;

    public LongHeap(int initialCapacity) {
        heap = new long[Math.max(1, initialCapacity) + 1];
    }

    /**
     * Packs a distance and an ordinal into one long whose signed order is the distance order.
     * The float's bits are made sortable as an int (flip the magnitude bits of negatives).
     */
    public static long pack(float distance, int ordinal) {
        int bits = Float.floatToRawIntBits(distance);
        bits ^= (bits >> 31) & 0x7fffffff;
        return ((long) bits << 32) | (ordinal & 0xffffffffL);
    }

    public static int ordinal(long packed) {
        return (int) packed;
    }

    public static float distance(long packed) {
        int bits = (int) (packed >>> 32);
        bits ^= (bits >> 31) & 0x7fffffff;
        return Float.intBitsToFloat(bits);
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void clear() {
        size = 0;
    }

    /** The smallest element; undefined when empty. */
    public long peek() {
        return heap[1];
    }

    public void push(long value) {
        if (++size == heap.length) {
            heap = Arrays.copyOf(heap, heap.length * 2);
        }
        int i = size;
        // sift up: move parents down until value's place is found
        while (i > 1) {
            int parent = i >>> 1;
            long p = heap[parent];
            if (p <= value) {
                break;
            }
            heap[i] = p;
            i = parent;
        }
        heap[i] = value;
    }

    /** Removes and returns the smallest element; undefined when empty. */
    public long pop() {
        long top = heap[1];
        long last = heap[size--];
        siftDown(last);
        return top;
    }

    /** Replaces the smallest element with {@code value} (one sift instead of pop + push). */
    public void replaceTop(long value) {
        siftDown(value);
    }

    private void siftDown(long value) {
        int i = 1;
        int half = size >>> 1;
        while (i <= half) {
            int child = i << 1;
            long c = heap[child];
            int right = child + 1;
            if (right <= size && heap[right] < c) {
                child = right;
                c = heap[right];
            }
            if (value <= c) {
                break;
            }
            heap[i] = c;
            i = child;
        }
        if (size > 0) {
            heap[i] = value;
        }
    }
}
