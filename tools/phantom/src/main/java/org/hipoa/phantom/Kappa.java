package org.hipoa.phantom;

/** Weighted Cohen's κ of a (possibly fractional) confusion matrix: 1 − Σ w·O / Σ w·E, w = |i−j|/(K−1) or its square. */
public final class Kappa {
    private Kappa() {}

    public static double weighted(double[][] o, boolean quadratic) {
        int k = o.length;
        double n = 0;
        double[] rows = new double[k], cols = new double[k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                n += o[i][j];
                rows[i] += o[i][j];
                cols[j] += o[i][j];
            }
        }
        double observed = 0, expected = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double w = Math.abs(i - j) / (double) (k - 1);
                if (quadratic) w *= w;
                observed += w * o[i][j];
                expected += w * rows[i] * cols[j] / n;
            }
        }
        return expected == 0 ? (observed == 0 ? 1.0 : Double.NaN) : 1 - observed / expected;
    }
}
