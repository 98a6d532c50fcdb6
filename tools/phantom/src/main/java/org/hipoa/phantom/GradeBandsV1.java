package org.hipoa.phantom;

import java.util.SplittableRandom;

/**
 * Phantom v1's grading bands, which leave gaps between adjacent grades (so each grade is recoverable from the pixels,
 * while adjacent grades still look alike). Only {@link PhantomSampler} (v1) uses them: v1 films must stay the same
 * files so the shipped models' figures can be reproduced, while v2 grades are cuts of a continuous severity.
 */
final class GradeBandsV1 {

    private GradeBandsV1() {
    }

    /** JSN bands on q = min superior JSW / normal JSW, indexed by grade: {lo, hi}. */
    static final double[][] JSN_RATIO = {{0.85, 1.0}, {0.62, 0.75}, {0.35, 0.50}, {0.0, 0.15}};

    /** Osteophyte protrusion bands in mm (FO and AO alike), indexed by grade: {lo, hi}. */
    static final double[][] OSTEOPHYTE_MM = {{0.0, 0.0}, {1.5, 2.5}, {3.5, 5.0}, {6.5, 9.0}};

    private static final double EPS = 1e-9;

    /** The JSN grade whose band contains q, or -1 when q falls in a gap (an invalid truth). */
    public static int jsnGradeOfRatio(double q) {
        for (int g = 0; g < 4; g++) {
            if (q >= JSN_RATIO[g][0] - EPS && q <= JSN_RATIO[g][1] + EPS) {
                return g;
            }
        }
        return -1;
    }

    /** The osteophyte grade whose band contains a protrusion of mm, or -1 in a gap. */
    public static int osteophyteGradeOfMm(double mm) {
        if (mm <= EPS) {
            return 0;
        }
        for (int g = 1; g < 4; g++) {
            if (mm >= OSTEOPHYTE_MM[g][0] - EPS && mm <= OSTEOPHYTE_MM[g][1] + EPS) {
                return g;
            }
        }
        return -1;
    }

    static double jsnRatio(int grade, SplittableRandom r) {
        return GradeRules.uniform(r, JSN_RATIO[grade][0], JSN_RATIO[grade][1]);
    }

    static double osteophyteMm(int grade, SplittableRandom r) {
        return grade == 0 ? 0.0 : GradeRules.uniform(r, OSTEOPHYTE_MM[grade][0], OSTEOPHYTE_MM[grade][1]);
    }


    /** A v1 truth whose JSN grade contradicts its width would contradict its pixels: refused. */
    static HipTruth requireAgrees(HipTruth h) {
        int implied = jsnGradeOfRatio(h.jswRatio());
        if (implied != h.jsn()) {
            throw new IllegalArgumentException("jsn " + h.jsn() + " contradicts jsw/w0 = " + h.jswRatio());
        }
        return h;
    }
}
