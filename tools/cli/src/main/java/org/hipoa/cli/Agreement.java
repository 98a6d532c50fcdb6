package org.hipoa.cli;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Agreement between true and predicted grades of one feature, as OA grading papers report it: accuracy with a
 * bootstrap 95 % CI, linear- and quadratic-weighted Cohen's κ, and the confusion matrix (rows true, columns
 * predicted). Written out because the formulas are short and the CLI must not depend on a statistics stack.
 */
record Agreement(int n, double accuracy, double[] accuracyCi95, double kappaLinear, double kappaQuadratic,
                 long[][] confusion) {

    static Agreement of(List<int[]> pairs, int classes) {
        long[][] confusion = new long[classes][classes];
        for (int[] p : pairs) confusion[p[0]][p[1]]++;
        return new Agreement(pairs.size(), accuracy(pairs), bootstrap(pairs, 1000),
                kappa(confusion, false), kappa(confusion, true), confusion);
    }

    static double accuracy(List<int[]> pairs) {
        if (pairs.isEmpty()) return Double.NaN;
        long hits = pairs.stream().filter(p -> p[0] == p[1]).count();
        return (double) hits / pairs.size();
    }

    /** Weighted κ = 1 − Σ w·O / Σ w·E, with w = |i−j|/(K−1) (linear) or its square (quadratic). */
    static double kappa(long[][] o, boolean quadratic) {
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

    /** Percentile bootstrap over hips, fixed seed so the same evaluation prints the same interval. */
    static double[] bootstrap(List<int[]> pairs, int rounds) {
        if (pairs.isEmpty()) return new double[] {Double.NaN, Double.NaN};
        SplittableRandom random = new SplittableRandom(20200925L);
        double[] stats = new double[rounds];
        int n = pairs.size();
        for (int b = 0; b < rounds; b++) {
            int hits = 0;
            for (int i = 0; i < n; i++) {
                int[] p = pairs.get(random.nextInt(n));
                if (p[0] == p[1]) hits++;
            }
            stats[b] = (double) hits / n;
        }
        java.util.Arrays.sort(stats);
        return new double[] {stats[(int) (0.025 * (rounds - 1))], stats[(int) Math.ceil(0.975 * (rounds - 1))]};
    }
}
