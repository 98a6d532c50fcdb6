package org.hipoa.phantom;

import java.util.SplittableRandom;

/**
 * Latent OA severity model. Each hip has a severity L in [0,1] = a patient-level part shared by both
 * hips plus a hip-level part; every finding is L plus independent noise, cut at thresholds. Shared L
 * makes findings co-occur as in OA populations (severe JSN rarely without osteophytes), the noise
 * keeps every combination possible. Thresholds are the target marginals' quantiles of L + noise,
 * estimated from 400,000 simulated hips (README.md lists the frequencies measured on 5,000 cases).
 */
final class Severity {

    private Severity() {
    }

    static final int JSN = 0;
    static final int FO = 1;
    static final int AO = 2;
    static final int SCLEROSIS = 3;
    static final int CYSTS = 4;

    /** Noise SD added to L per finding. */
    static final double NOISE = 0.10;

    /** Cut points on L + noise per finding (grade = number of cut points exceeded). */
    static final double[][] THRESHOLDS = {
        {0.328, 0.567, 0.734},   // JSN   target 45/30/15/10 %
        {0.363, 0.567, 0.734},   // FO    target 50/25/15/10 %
        {0.261, 0.567, 0.763},   // AO    target 35/40/17/8 %
        {0.671},              // sclerosis 15 %
        {0.763},              // cysts 8 %
    };

    static double patientLatent(SplittableRandom r) {
        return Math.pow(r.nextDouble(), 1.6);
    }

    static double hipLatent(SplittableRandom r, double patient) {
        return 0.7 * patient + 0.3 * Math.pow(r.nextDouble(), 1.6);
    }

    static int grade(int finding, double latent, SplittableRandom r) {
        double score = latent + NOISE * r.nextGaussian();
        int g = 0;
        for (double t : THRESHOLDS[finding]) {
            if (score > t) {
                g++;
            }
        }
        return g;
    }
}
