package org.hipoa.phantom;

import java.util.SplittableRandom;

/**
 * The measurable grading bands (the phantom's ground-truth definition, mirrored in README.md).
 * Bands leave gaps between adjacent grades so the grade is recoverable from pixels, while adjacent
 * grades still look alike.
 */
public final class GradeRules {

    private GradeRules() {
    }

    /** JSN bands on q = min superior JSW / normal JSW, indexed by grade: {lo, hi}. */
    static final double[][] JSN_RATIO = {{0.85, 1.0}, {0.62, 0.75}, {0.35, 0.50}, {0.0, 0.15}};

    /** Osteophyte protrusion bands in mm (FO and AO alike), indexed by grade: {lo, hi}. */
    static final double[][] OSTEOPHYTE_MM = {{0.0, 0.0}, {1.5, 2.5}, {3.5, 5.0}, {6.5, 9.0}};

    /** Normal (un-narrowed) superior joint-space width range, mm. */
    static final double W0_MIN = 3.5;
    static final double W0_MAX = 5.0;

    /** Sclerotic subchondral band thickness (mm) and density gain over trabecular bone. */
    static final double SCLEROSIS_MIN_MM = 3.0;
    static final double SCLEROSIS_MAX_MM = 6.0;
    static final double SCLEROSIS_GAIN_MIN = 0.4;
    static final double SCLEROSIS_GAIN_MAX = 0.8;

    /** Normal sourcil (subchondral plate) thickness, mm. */
    static final double SOURCIL_MIN_MM = 1.0;
    static final double SOURCIL_MAX_MM = 2.0;

    /** Cyst diameter range, mm, and count range when present. */
    static final double CYST_MIN_MM = 3.0;
    static final double CYST_MAX_MM = 8.0;
    static final int CYST_MAX_COUNT = 3;

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
        return uniform(r, JSN_RATIO[grade][0], JSN_RATIO[grade][1]);
    }

    static double osteophyteMm(int grade, SplittableRandom r) {
        return grade == 0 ? 0.0 : uniform(r, OSTEOPHYTE_MM[grade][0], OSTEOPHYTE_MM[grade][1]);
    }

    static double uniform(SplittableRandom r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }
}
