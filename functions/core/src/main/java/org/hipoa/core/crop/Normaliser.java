package org.hipoa.core.crop;

/** The contract's intensity normalisation: robust percentile scaling, then a fixed standardisation. */
final class Normaliser {
    private Normaliser() {}

    /**
     * Scales {@code values} in place from nearest-rank percentiles of {@code reference} (index floor(q·(n−1)) of the
     * sorted values, the same rule as the Python side), then standardises with the contract's centre and scale.
     */
    static void apply(float[] values, float[] reference, CropContract c) {
        float[] p = percentiles(reference, reference.length, c);
        apply(values, p[0], p[1], c);
    }

    /** The low and high contract percentiles of the first {@code n} values of {@code reference}. */
    static float[] percentiles(float[] reference, int n, CropContract c) {
        int low = (int) Math.floor(c.lowQuantile() * (n - 1)), high = (int) Math.floor(c.highQuantile() * (n - 1));
        return OrderStatistics.select(reference, n, low, high);
    }

    static void apply(float[] values, double lo, double hi, CropContract c) {
        double range = Math.max(hi - lo, 1e-6);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (((values[i] - lo) / range - c.centre()) / c.scale());
        }
    }
}
