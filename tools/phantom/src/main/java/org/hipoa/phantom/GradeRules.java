package org.hipoa.phantom;

import java.util.SplittableRandom;

/**
 * Anatomy and finding sizes both phantom versions share (README.md). How a grade follows from a finding differs:
 * v1 draws each grade inside a band ({@link GradeBandsV1}), v2 cuts a continuous severity ({@link Disease}).
 */
public final class GradeRules {

    private GradeRules() {
    }

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

    static double uniform(SplittableRandom r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }
}
