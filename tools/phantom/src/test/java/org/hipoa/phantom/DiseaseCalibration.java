package org.hipoa.phantom;

import org.hipoa.domain.Feature;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Derives phantom v2's constants from simulated hips (no rendering): the cut points that give the internal marginals,
 * reader A's noise per feature for an internal ceiling in the middle of [paper, paper + 5 points] (capped at 0.995),
 * and reader B's noise for an external ceiling the paper's internal-to-external gap below reader A's. Prints them and
 * the expected weighted κ between readers. Run: {@code java -cp ... org.hipoa.phantom.DiseaseCalibration [hips]}.
 */
public final class DiseaseCalibration {

    static final double[] PAPER_INTERNAL = {0.867, 0.699, 0.817, 0.958, 0.976};
    static final double[] PAPER_EXTERNAL = {0.827, 0.654, 0.808, 0.885, 0.913};

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
        double[][] internal = hips(n, PhantomSpec.Site.INTERNAL, 1);
        double[][] external = hips(n, PhantomSpec.Site.EXTERNAL, 2);
        double[][] targets = {{0.50, 0.25, 0.15, 0.10}, {0.35, 0.40, 0.17, 0.08}, {0.45, 0.30, 0.15, 0.10},
            {0.85, 0.15}, {0.92, 0.08}};
        System.out.println("cuts for the internal marginals:");
        for (Feature f : Feature.values()) {
            double[] s = column(internal, f.ordinal());
            Arrays.sort(s);
            StringBuilder b = new StringBuilder();
            double acc = 0;
            for (int g = 0; g < targets[f.ordinal()].length - 1; g++) {
                acc += targets[f.ordinal()][g];
                b.append(String.format(" %.4f", s[(int) (acc * s.length)]));
            }
            System.out.println("  " + f.key() + b);
        }
        for (Feature f : Feature.values()) {
            int k = f.ordinal();
            double lo = PAPER_INTERNAL[k], hi = Math.min(0.995, PAPER_INTERNAL[k] + 0.05);
            double target = (lo + hi) / 2;
            double sdA = solve(internal, k, 0, target);
            double extTarget = target - (PAPER_INTERNAL[k] - PAPER_EXTERNAL[k]);
            double sdB = solve(external, k, Reader.B.bias()[k], extTarget);
            System.out.printf("%-9s A sd %.4f (internal ceiling target %.4f)  B sd %.4f (external target %.4f)%n",
                    f.key(), sdA, target, sdB, extTarget);
        }
        System.out.println("with the Reader constants as they are:");
        for (Feature f : Feature.values()) {
            int k = f.ordinal();
            double cInt = ceiling(internal, k, Reader.A), cExt = ceiling(external, k, Reader.B);
            double[] kAB = kappa(internal, f, Reader.A, Reader.B), kAA = kappa(internal, f, Reader.A, Reader.A);
            System.out.printf("%-9s ceiling internal %.4f [%.3f, %.3f]  external %.4f (<= %.4f)  "
                            + "kappa A-B lin %.3f quad %.3f  A-A lin %.3f quad %.3f%n", f.key(), cInt,
                    PAPER_INTERNAL[k], Math.min(0.995, PAPER_INTERNAL[k] + 0.05), cExt,
                    cInt - (PAPER_INTERNAL[k] - PAPER_EXTERNAL[k]) / 2, kAB[0], kAB[1], kAA[0], kAA[1]);
        }
    }

    static double[][] hips(int n, PhantomSpec.Site site, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] out = new double[n][];
        for (int i = 0; i < n; i += 2) {
            double patient = Disease.patientLatent(r, site);
            out[i] = shown(Disease.severities(r, Disease.hipLatent(r, patient)), site, r);
            if (i + 1 < n) out[i + 1] = shown(Disease.severities(r, Disease.hipLatent(r, patient)), site, r);
        }
        return out;
    }

    /** What the reader sees: on the external site's supine films, the opened joint's JSN (as the sampler labels it). */
    static double[] shown(double[] sev, PhantomSpec.Site site, SplittableRandom r) {
        if (site != PhantomSpec.Site.EXTERNAL) return sev;
        int j = Feature.JSN.ordinal();
        double w0 = GradeRules.W0_MIN + (GradeRules.W0_MAX - GradeRules.W0_MIN) * r.nextDouble();
        double supine = 0.2 + 0.3 * r.nextDouble();
        sev[j] = Disease.jsnSeverityShown(Math.min(1.0, Disease.jsnRatio(sev[j]) + supine / w0), sev[j]);
        return sev;
    }

    static double[] column(double[][] s, int k) {
        double[] c = new double[s.length];
        for (int i = 0; i < s.length; i++) c[i] = s[i][k];
        return c;
    }

    static double ceiling(double[][] hips, int k, Reader reader) {
        Feature f = Feature.values()[k];
        double sum = 0;
        for (double[] h : hips) sum += Arrays.stream(reader.probabilities(f, h[k])).max().orElseThrow();
        return sum / hips.length;
    }

    /** The noise SD at which a reader with this bias reaches the target ceiling (the ceiling falls as SD rises). */
    static double solve(double[][] hips, int k, double bias, double target) {
        double lo = 0.001, hi = 0.5;
        for (int it = 0; it < 30; it++) {
            double mid = (lo + hi) / 2;
            double[] sd = {1, 1, 1, 1, 1};
            sd[k] = mid;
            double[] b = new double[5];
            b[k] = bias;
            if (ceiling(hips, k, new Reader("x", b, sd)) > target) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /** Expected {linear, quadratic} weighted κ between two independent reads, from the exact joint distribution. */
    static double[] kappa(double[][] hips, Feature f, Reader a, Reader b) {
        int c = f.classes();
        double[][] joint = new double[c][c];
        for (double[] h : hips) {
            double[] pa = a.probabilities(f, h[f.ordinal()]), pb = b.probabilities(f, h[f.ordinal()]);
            for (int i = 0; i < c; i++) for (int j = 0; j < c; j++) joint[i][j] += pa[i] * pb[j];
        }
        return new double[] {Kappa.weighted(joint, false), Kappa.weighted(joint, true)};
    }
}
