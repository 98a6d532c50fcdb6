package org.hipoa.phantom;

import org.hipoa.domain.Feature;

import java.util.SplittableRandom;

/**
 * A simulated radiologist: for each feature a fixed bias and a noise SD on the severity scale. One read gives
 * grade = cut(severity + bias + fresh N(0, sd²)) at the reference cuts, so readers disagree most near the grade
 * boundaries and mostly by one grade. {@link #probabilities} is the exact distribution of that grade, which makes the
 * best score any model can reach against this reader's labels exact (the ceiling, {@link Ceiling}).
 *
 * <p>Reader A labels the training and internal sets; its noise was calibrated so that each feature's internal ceiling
 * lies between the paper's internal accuracy and 5 points above it. Reader B labels the external site: other habits
 * (bias) and less consistency. The numbers come from {@code DiseaseCalibration} (tools/phantom/README.md).
 */
public record Reader(String name, double[] bias, double[] sd) {

    public static final Reader A = new Reader("A",
            new double[] {0, 0, 0, 0, 0},
            new double[] {0.0433, 0.1166, 0.0623, 0.0342, 0.0296});
    public static final Reader B = new Reader("B",
            new double[] {0.020, -0.030, 0.020, -0.020, 0.020},
            new double[] {0.0500, 0.1340, 0.0720, 0.1100, 0.1040});

    public Reader {
        if (bias.length != 5 || sd.length != 5) throw new IllegalArgumentException("one bias and sd per feature");
        for (double v : sd) if (!(v > 0)) throw new IllegalArgumentException("reader noise must be > 0");
        bias = bias.clone();
        sd = sd.clone();
    }

    public static Reader of(PhantomSpec.Site site) {
        return site == PhantomSpec.Site.EXTERNAL ? B : A;
    }

    /** One read: a fresh noise draw each call. */
    int grade(Feature f, double severity, SplittableRandom r) {
        return Disease.cut(f.ordinal(), severity + bias[f.ordinal()] + sd[f.ordinal()] * r.nextGaussian());
    }

    /** P(grade = g | severity) for g = 0..classes-1. */
    public double[] probabilities(Feature f, double severity) {
        double[] cuts = Disease.CUTS[f.ordinal()];
        double[] p = new double[cuts.length + 1];
        double below = 0;
        for (int g = 0; g < cuts.length; g++) {
            double upTo = phi((cuts[g] - severity - bias[f.ordinal()]) / sd[f.ordinal()]);
            p[g] = upTo - below;
            below = upTo;
        }
        p[cuts.length] = 1 - below;
        return p;
    }

    /** Standard normal CDF via erfc (Numerical Recipes' Chebyshev fit, fractional error below 1.2e-7). */
    static double phi(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    private static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
