package org.hipoa.phantom;

import org.hipoa.domain.Feature;

import java.util.SplittableRandom;

/**
 * Phantom v2's disease: one continuous severity per feature and hip, indexed by {@link Feature#ordinal()}. A hip's
 * latent OA L = 0.7 patient part + 0.3 hip part (both hips share the patient part); each feature's severity is
 * L + N(0, 0.10²) of its own plus a pattern shift that lets findings part ways (narrowing with small spurs, cysts
 * without sclerosis, spurs ahead of narrowing). The reference grade is a cut of the severity ({@link #CUTS}); the
 * rendered finding is a monotone map of it ({@link #spurMm}, {@link #jsnRatio}, {@link #sclerosis}, {@link #cystMm}),
 * so neighbouring grades touch and a little disease below the first cut shows without being graded.
 */
final class Disease {

    private Disease() {
    }

    /** Feature-specific spread about the shared latent severity. */
    static final double FEATURE_SD = 0.10;

    /**
     * Cut points per feature (grade = number of cuts the severity exceeds): the internal population's quantiles for
     * the v1 marginals (FO 50/25/15/10 %, AO 35/40/17/8 %, JSN 45/30/15/10 %, sclerosis 15 %, cysts 8 %), measured on
     * 400,000 simulated internal hips by {@code DiseaseCalibration}.
     */
    static final double[][] CUTS = {
        {0.3578, 0.5626, 0.7331},   // FO
        {0.2535, 0.5631, 0.7640},   // AO
        {0.3254, 0.5651, 0.7319},   // JSN
        {0.6628},                   // sclerosis
        {0.7756},                   // cysts
    };

    /** Per-hip pattern shifts, {FO, AO, JSN, sclerosis, cysts}; drawn with the probabilities in {@link #PATTERN_P}. */
    private static final double[][] PATTERNS = {
        {-0.15, -0.15, 0.05, 0, 0},       // atrophic: narrowing with small spurs
        {0, 0, 0, -0.12, 0.12},           // cystic: cysts without sclerosis
        {0.10, 0.10, -0.10, 0, 0},        // hypertrophic: spurs ahead of narrowing
    };
    private static final double[] PATTERN_P = {0.10, 0.08, 0.08};

    /** Patient part of the latent severity; the external site's referrals are more severe. */
    static double patientLatent(SplittableRandom r, PhantomSpec.Site site) {
        return Math.pow(r.nextDouble(), site == PhantomSpec.Site.EXTERNAL ? 1.0 : 1.6);
    }

    static double hipLatent(SplittableRandom r, double patient) {
        return 0.7 * patient + 0.3 * Math.pow(r.nextDouble(), 1.6);
    }

    /** Severity of each feature, in {@link Feature} order; always draws the same count of numbers. */
    static double[] severities(SplittableRandom r, double latent) {
        double u = r.nextDouble();
        double[] shift = new double[5];
        double acc = 0;
        for (int k = 0; k < PATTERNS.length; k++) {
            if (u >= acc && u < acc + PATTERN_P[k]) shift = PATTERNS[k];
            acc += PATTERN_P[k];
        }
        double[] s = new double[5];
        for (int f = 0; f < 5; f++) s[f] = latent + FEATURE_SD * r.nextGaussian() + shift[f];
        return s;
    }

    /** The reference (noise-free) grade: the number of cuts the severity exceeds. */
    static int cut(int feature, double severity) {
        int g = 0;
        for (double t : CUTS[feature]) if (severity > t) g++;
        return g;
    }

    /**
     * Osteophyte protrusion (mm) for FO or AO: nothing until 0.12 below the first cut, 1.2 mm at the first cut,
     * 3.0 at the second, 5.75 at the third, 9 mm 0.2 beyond it (piecewise linear, so strictly rising where not 0).
     */
    static double spurMm(int feature, double s) {
        double[] c = CUTS[feature];
        return piecewise(s, new double[] {c[0] - 0.12, c[0], c[1], c[2], c[2] + 0.2},
                new double[] {0, 1.2, 3.0, 5.75, 9.0});
    }

    /** Minimum superior joint space / normal width: 1 until 0.15 below the first cut, 0.80, 0.56, 0.25 at the cuts. */
    static double jsnRatio(double s) {
        double[] c = CUTS[Feature.JSN.ordinal()];
        return piecewise(s, new double[] {c[0] - 0.15, c[0], c[1], c[2], c[2] + 0.2},
                new double[] {1.0, 0.80, 0.56, 0.25, 0.0});
    }

    /**
     * The JSN severity a film shows when its joint space is {@code ratio} of normal: the inverse of {@link #jsnRatio}
     * where that map is strictly falling. A joint at or above normal width (ratio 1) shows no narrowing, so it can
     * only say "at most the start of the map": {@code loaded} is kept when it already lies there.
     */
    static double jsnSeverityShown(double ratio, double loaded) {
        double[] c = CUTS[Feature.JSN.ordinal()];
        double[] xs = {c[0] - 0.15, c[0], c[1], c[2], c[2] + 0.2};
        double[] ys = {1.0, 0.80, 0.56, 0.25, 0.0};
        if (ratio >= ys[0]) return Math.min(loaded, xs[0]);
        for (int k = 1; k < xs.length; k++) {
            if (ratio >= ys[k]) return xs[k - 1] + (xs[k] - xs[k - 1]) * (ys[k - 1] - ratio) / (ys[k - 1] - ys[k]);
        }
        return xs[xs.length - 1];
    }

    /**
     * Sclerosis {thickness mm, gain over trabecular bone}: none until 0.10 below the cut, then rising with severity
     * (2.8 mm and +34 % at the cut, 6 mm and +80 % at 0.25 beyond it).
     */
    static double[] sclerosis(double s) {
        double t = (s - (CUTS[Feature.SCLEROSIS.ordinal()][0] - 0.10)) / 0.35;
        if (t <= 0) return new double[] {0, 0};
        t = Math.min(1, t);
        return new double[] {1.5 + 4.5 * t, 0.15 + 0.65 * t};
    }

    /** Largest cyst's diameter (mm): none until 0.08 below the cut, 3.2 mm at the cut, 8 mm at 0.22 beyond. */
    static double cystMm(double s) {
        double t = s - (CUTS[Feature.CYSTS.ordinal()][0] - 0.08);
        return t <= 0 ? 0 : Math.min(8.0, 1.5 + t * 6.5 / 0.30);
    }

    /** How many cysts a hip of this cyst severity has (0 when {@link #cystMm} is 0). */
    static int cystCount(double s) {
        double c = CUTS[Feature.CYSTS.ordinal()][0];
        return cystMm(s) <= 0 ? 0 : 1 + (s > c + 0.10 ? 1 : 0) + (s > c + 0.20 ? 1 : 0);
    }

    private static double piecewise(double x, double[] xs, double[] ys) {
        if (x <= xs[0]) return ys[0];
        for (int k = 1; k < xs.length; k++) {
            if (x <= xs[k]) return ys[k - 1] + (ys[k] - ys[k - 1]) * (x - xs[k - 1]) / (xs[k] - xs[k - 1]);
        }
        return ys[ys.length - 1];
    }
}
