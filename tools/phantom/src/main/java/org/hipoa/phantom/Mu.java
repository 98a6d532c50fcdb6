package org.hipoa.phantom;

/**
 * Linear attenuation coefficients (1/mm) at an effective energy of about 60 keV. Bone values are the
 * EXCESS over the soft tissue they displace, because the soft-tissue cylinder is drawn everywhere.
 */
final class Mu {

    private Mu() {
    }

    static final double MUSCLE = 0.0205;
    static final double FAT = 0.0175;
    static final double TRABECULAR = 0.014;
    static final double CORTICAL = 0.050;
    /** Subchondral plate (sourcil): compact bone. */
    static final double SUBCHONDRAL = 0.032;
    /** Osteophytes: young dense bone, between trabecular and cortical. */
    static final double OSTEOPHYTE = 0.035;
    /** Gas displacing tissue. */
    static final double GAS = -0.0195;
    /**
     * Cyst fluid displacing subchondral bone. Twice the first value (-0.060): at that contrast about a third of the
     * cyst-positive hips showed no lucency a reader could point to (contact sheets of seed 1001), so the label said
     * more than the image did and no grader could pass ~0.94 accuracy. A radiologist calls a cyst only when it is seen.
     */
    static final double CYST = -0.120;
    static final double CYST_RIM = 0.050;
    /** Line integral added inside the lead marker glyph (essentially opaque). */
    static final double LEAD_LINE_INTEGRAL = 6.0;
    /** Line integral outside the collimated field (shutter leaves). */
    static final double SHUTTER_LINE_INTEGRAL = 5.5;

    /** Total attenuation of trabecular bone (tissue + excess): the reference for the sclerosis gain. */
    static final double TRABECULAR_TOTAL = MUSCLE + TRABECULAR;
}
