package io.vectorflow.storage.segment;

/**
 * Sorts ordinals by id ({@link io.vectorflow.storage.PointId} order: numbers before UUIDs, each
 * unsigned) without boxing: a bottom-up merge sort of an {@code int[]} over the id columns, two
 * ints of scratch per point. Stable, so ordinals sharing an id (older, deleted versions of a
 * replaced point) stay in ordinal order.
 */
final class IdOrder {

    private IdOrder() {}

    /** The ordinals {@code 0..n-1} ordered by (kind, msb, lsb). */
    static int[] sort(byte[] kind, long[] msb, long[] lsb) {
        int n = kind.length;
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        int[] b = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo, j = mid, k = lo;
                while (i < mid && j < hi) {
                    b[k++] = compare(a[j], a[i], kind, msb, lsb) < 0 ? a[j++] : a[i++];
                }
                while (i < mid) {
                    b[k++] = a[i++];
                }
                while (j < hi) {
                    b[k++] = a[j++];
                }
            }
            int[] t = a;
            a = b;
            b = t;
        }
        return a;
    }

    private static int compare(int x, int y, byte[] kind, long[] msb, long[] lsb) {
        if (kind[x] != kind[y]) {
            return kind[x] - kind[y];
        }
        int c = Long.compareUnsigned(msb[x], msb[y]);
        return c != 0 ? c : Long.compareUnsigned(lsb[x], lsb[y]);
    }
}
