package org.hipoa.cli;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Agreement between reference and predicted grades of one feature, as OA grading papers report it: accuracy with a
 * Wilson 95 % interval and a percentile-bootstrap 95 % interval over films (a film's two hips are correlated, so
 * resampling hips would make the interval too narrow), linear- and quadratic-weighted Cohen's κ, and the confusion
 * matrix (rows reference, columns predicted). Written out because the formulas are short and the CLI must not depend
 * on a statistics stack.
 *
 * @param pairs each {reference, predicted, film}: the film index groups the hips for the bootstrap
 */
record Agreement(int n, double accuracy, double[] accuracyCi95, double[] wilson95, double kappaLinear,
                 double kappaQuadratic, long[][] confusion) {

    static Agreement of(List<int[]> pairs, int classes) {
        long[][] confusion = new long[classes][classes];
        for (int[] p : pairs) confusion[p[0]][p[1]]++;
        long hits = pairs.stream().filter(p -> p[0] == p[1]).count();
        return new Agreement(pairs.size(), accuracy(pairs), bootstrapOverFilms(pairs, 1000),
                wilson(hits, pairs.size()), kappa(confusion, false), kappa(confusion, true), confusion);
    }

    static double accuracy(List<int[]> pairs) {
        if (pairs.isEmpty()) return Double.NaN;
        long hits = pairs.stream().filter(p -> p[0] == p[1]).count();
        return (double) hits / pairs.size();
    }

    /** Weighted κ = 1 − Σ w·O / Σ w·E, with w = |i−j|/(K−1) (linear) or its square (quadratic). */
    static double kappa(long[][] o, boolean quadratic) {
        double[][] d = new double[o.length][o.length];
        for (int i = 0; i < o.length; i++) for (int j = 0; j < o.length; j++) d[i][j] = o[i][j];
        return org.hipoa.phantom.Kappa.weighted(d, quadratic);
    }

    /** Wilson score interval for hits out of n at 95 %: never the degenerate 1.000–1.000 of a bootstrap. */
    static double[] wilson(long hits, long n) {
        if (n == 0) return new double[] {Double.NaN, Double.NaN};
        double z = 1.959963984540054, p = (double) hits / n, z2n = z * z / n;
        double centre = (p + z2n / 2) / (1 + z2n);
        double half = z * Math.sqrt(p * (1 - p) / n + z2n / (4.0 * n)) / (1 + z2n);
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    /** Percentile bootstrap resampling films (pair[2]), fixed seed so the same evaluation prints the same interval. */
    static double[] bootstrapOverFilms(List<int[]> pairs, int rounds) {
        if (pairs.isEmpty()) return new double[] {Double.NaN, Double.NaN};
        java.util.Map<Integer, int[]> byFilm = new java.util.TreeMap<>();
        for (int[] p : pairs) {
            int[] hn = byFilm.computeIfAbsent(p[2], k -> new int[2]);
            hn[0] += p[0] == p[1] ? 1 : 0;
            hn[1]++;
        }
        int[][] films = byFilm.values().toArray(new int[0][]);
        SplittableRandom random = new SplittableRandom(20200925L);
        double[] stats = new double[rounds];
        for (int b = 0; b < rounds; b++) {
            long hits = 0, n = 0;
            for (int i = 0; i < films.length; i++) {
                int[] f = films[random.nextInt(films.length)];
                hits += f[0];
                n += f[1];
            }
            stats[b] = (double) hits / n;
        }
        java.util.Arrays.sort(stats);
        return new double[] {stats[(int) (0.025 * (rounds - 1))], stats[(int) Math.ceil(0.975 * (rounds - 1))]};
    }
}
