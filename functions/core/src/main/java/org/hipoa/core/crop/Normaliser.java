package org.hipoa.core.crop;

import java.util.Arrays;

/** The contract's intensity normalisation: robust percentile scaling, then a fixed standardisation. */
final class Normaliser {
    private Normaliser() {}

    /**
     * Scales {@code values} in place from nearest-rank percentiles of {@code reference} (index floor(q·(n−1)) of the
     * sorted values, the same rule as the Python side), then standardises with the contract's centre and scale.
     */
    static void apply(float[] values, float[] reference, CropContract c) {
        float[] sorted = reference.clone();
        Arrays.sort(sorted);
        double lo = sorted[(int) Math.floor(c.lowQuantile() * (sorted.length - 1))];
        double hi = sorted[(int) Math.floor(c.highQuantile() * (sorted.length - 1))];
        double range = Math.max(hi - lo, 1e-6);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (((values[i] - lo) / range - c.centre()) / c.scale());
        }
    }
}
