package org.hipoa.domain;

import org.hipoa.domain.result.NotGradable;

import java.util.Map;

/**
 * The one table of codes for the graded findings, shared by every clinical output (the DICOM SR in functions/core,
 * the FHIR bundle here): no standard code exists for the OARSI features or their grades, so they live in the private
 * scheme {@code 99HIPOA} (docs/SR.md); present/absent and the anatomy are SNOMED CT. Each output wraps a code in its
 * own format (SR: value + designator; FHIR: system + code), never re-types it.
 */
public final class GradingCodes {
    private GradingCodes() {}

    /** A code value and its meaning, in {@link #PRIVATE} or SNOMED CT. */
    public record Concept(boolean snomed, String value, String meaning) {}

    /** Coding scheme designator of the private codes (PS3.3 8.1: "99" designators are private). */
    public static final String PRIVATE = "99HIPOA";

    public static final Concept HIP_JOINT = new Concept(true, "24136001", "Hip joint");
    public static final Concept LATERALITY = new Concept(true, "272741003", "Laterality");
    public static final Concept RIGHT = new Concept(true, "24028007", "Right");
    public static final Concept LEFT = new Concept(true, "7771000", "Left");
    public static final Concept PRESENT = new Concept(true, "52101004", "Present");
    public static final Concept ABSENT = new Concept(true, "2667000", "Absent");
    /**
     * A hip not graded: the concept (private: no standard code says "not assessed, because") and one value per
     * {@link NotGradable} (DICOM code values are at most 16 characters, hence the short ones).
     */
    public static final Concept NOT_ASSESSED = new Concept(false, "NOTASSESSED", "Hip not assessed");
    private static final Map<NotGradable, Concept> NOT_GRADABLE = Map.of(
            NotGradable.ARTHROPLASTY, new Concept(false, "ARTHROPLASTY", "Joint replacement or resurfacing"),
            NotGradable.HARDWARE, new Concept(false, "HARDWARE", "Fixation hardware over the joint"),
            NotGradable.OUT_OF_DISTRIBUTION, new Concept(false, "OOD", "Unlike the model's training films"),
            NotGradable.NOT_VISIBLE, new Concept(false, "NOTVISIBLE", "Hip cut off at the film's edge"));

    private static final Map<Feature, Concept> FEATURES = Map.of(
            Feature.FO, new Concept(false, "FO", "Femoral osteophytes (OARSI grade)"),
            Feature.AO, new Concept(false, "AO", "Acetabular osteophytes (OARSI grade)"),
            Feature.JSN, new Concept(false, "JSN", "Joint space narrowing (OARSI grade)"),
            Feature.SCLEROSIS, new Concept(false, "SCL", "Subchondral sclerosis"),
            Feature.CYSTS, new Concept(false, "CYST", "Subchondral cysts"));
    private static final Concept[] GRADES = {
            new Concept(false, "G0", "OARSI grade 0 (none)"), new Concept(false, "G1", "OARSI grade 1 (mild)"),
            new Concept(false, "G2", "OARSI grade 2 (moderate)"), new Concept(false, "G3", "OARSI grade 3 (severe)")};

    /** Why a hip was not assessed: the value of {@link #NOT_ASSESSED}. */
    public static Concept notGradable(NotGradable why) {
        return NOT_GRADABLE.get(why);
    }

    /** The concept name of a feature's evaluation. */
    public static Concept feature(Feature f) {
        return FEATURES.get(f);
    }

    /** The coded value of a grade: OARSI 0–3 for FO/AO/JSN, SNOMED present/absent for sclerosis and cysts. */
    public static Concept grade(Feature f, int grade) {
        if (grade < 0 || grade >= f.classes()) throw new IllegalArgumentException(f + " has no grade " + grade);
        if (f.isBinary()) return grade == 1 ? PRESENT : ABSENT;
        return GRADES[grade];
    }

    public static Concept laterality(Side side) {
        return side == Side.RIGHT ? RIGHT : LEFT;
    }
}
