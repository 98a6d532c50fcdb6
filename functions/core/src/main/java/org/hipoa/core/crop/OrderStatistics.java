package org.hipoa.core.crop;

import java.util.Arrays;

/**
 * The values at two ranks of an array as {@link Arrays#sort(float[])} would order it, without sorting it all:
 * the normaliser needs only the p01 and p99 elements, and a full sort of every crop and canvas cost more than the
 * resampling itself. Floats are compared through their order-preserving integer keys, so -0.0 sorts before 0.0 and
 * NaN after +∞ exactly as the sort does.
 */
final class OrderStatistics {
    private OrderStatistics() {}

    /** {@code sorted(values[0..n))[low]} and {@code [high]}, {@code 0 <= low <= high < n}; {@code values} is kept. */
    static float[] select(float[] values, int n, int low, int high) {
        if (n <= 0 || low < 0 || low > high || high >= n) throw new IllegalArgumentException("ranks out of range");
        int[] keys = new int[n];
        for (int i = 0; i < n; i++) keys[i] = key(values[i]);
        nth(keys, 0, n - 1, high);
        // After selecting `high`, everything left of it is <= it: the low rank lies in that part.
        nth(keys, 0, high, low);
        return new float[] {value(keys[low]), value(keys[high])};
    }

    /** floatToIntBits (one NaN) with the magnitude bits of negatives flipped: signed int order = float order. */
    static int key(float v) {
        int bits = Float.floatToIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    static float value(int key) {
        return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7fffffff));
    }

    /** Moves the element of rank {@code k} (within [from, to]) to index k; quickselect, sort as the fallback. */
    private static void nth(int[] a, int from, int to, int k) {
        int budget = 64; // rounds of partitioning before a pathological input falls back to the O(n log n) sort
        while (to > from) {
            if (--budget == 0 || to - from < 16) {
                Arrays.sort(a, from, to + 1);
                return;
            }
            int mid = (from + to) >>> 1;
            int pivot = median(a[from], a[mid], a[to]);
            int i = from, j = to;
            while (i <= j) {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) {
                    int t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            // [from, j] <= pivot <= [i, to], and (j, i) equals the pivot.
            if (k <= j) to = j;
            else if (k >= i) from = i;
            else return;
        }
    }

    private static int median(int a, int b, int c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}
