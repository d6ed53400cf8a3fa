package io.vectorflow.core.sparse;

import java.util.Arrays;

/**
 * A sparse vector: strictly increasing dimension indices and their finite values, as Qdrant's
 * {@code {"indices": [...], "values": [...]}} carries them (the constructor sorts them, and
 * refuses duplicates, negatives, non-finite values and mismatched lengths, naming the field).
 *
 * @param indices dimension ids, strictly increasing, each at least 0
 * @param values  the value at each index
 */
public record SparseVector(int[] indices, float[] values) {

    /** Most non-zero entries one vector may hold. */
    public static final int MAX_NON_ZEROS = 65_536;

    public SparseVector {
        if (indices.length != values.length) {
            throw new IllegalArgumentException("indices and values must have the same length, got " + indices.length + " and "
                    + values.length);
        }
        if (indices.length > MAX_NON_ZEROS) {
            throw new IllegalArgumentException("a sparse vector may hold at most " + MAX_NON_ZEROS + " entries, got " + indices.length);
        }
        boolean sorted = true;
        for (int i = 1; i < indices.length; i++) {
            sorted &= indices[i - 1] < indices[i];
        }
        if (!sorted) { // sort by index, keeping each value with its index
            Integer[] order = new Integer[indices.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            int[] idx = indices;
            Arrays.sort(order, (a, b) -> Integer.compare(idx[a], idx[b]));
            int[] si = new int[idx.length];
            float[] sv = new float[idx.length];
            for (int i = 0; i < order.length; i++) {
                si[i] = idx[order[i]];
                sv[i] = values[order[i]];
            }
            indices = si;
            values = sv;
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0) {
                throw new IllegalArgumentException("indices[" + i + "] is negative: " + indices[i]);
            }
            if (i > 0 && indices[i] == indices[i - 1]) {
                throw new IllegalArgumentException("indices holds " + indices[i] + " twice");
            }
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("values[" + i + "] is not a finite number");
            }
        }
    }

    /** Non-zero entries. */
    public int size() {
        return indices.length;
    }

    /** The dot product with {@code other}: a merge of the two sorted index lists. */
    public float dot(SparseVector other) {
        int[] a = indices;
        int[] b = other.indices;
        float sum = 0;
        for (int i = 0, j = 0; i < a.length && j < b.length; ) {
            if (a[i] == b[j]) {
                sum += values[i++] * other.values[j++];
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return sum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseVector s && Arrays.equals(indices, s.indices) && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(indices) * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "SparseVector[" + indices.length + " entries]";
    }
}
