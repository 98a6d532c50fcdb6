package org.hipoa.report;

import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.DicomException;
import org.hipoa.domain.Side;
import org.hipoa.domain.Feature;
import org.hipoa.domain.result.NotGradable;
import org.hipoa.domain.GradingCodes;


/**
 * Every code HipOA's structured reports use, in one place (documented in docs/SR.md). Standard codes wherever DICOM,
 * SNOMED CT or LOINC have one; the OARSI features and their 0–3 grades have none, so they live in HipOA's own coding
 * scheme {@value #SCHEME} (a "99" designator is private by PS3.3 8.1, and the SR declares it in its Coding Scheme
 * Identification Sequence).
 */
public final class SrCodes {
    private SrCodes() {}

    /** Value and meaning of one code; {@link #item()} makes the PixelMed form. */
    public record Code(String value, String scheme, String meaning) {
        public CodedSequenceItem item() {
            try {
                return new CodedSequenceItem(value, scheme, meaning);
            } catch (DicomException e) {
                throw new IllegalStateException("a constant code could not be encoded: " + this, e);
            }
        }

        public boolean matches(CodedSequenceItem c) {
            return c != null && value.equals(c.getCodeValue()) && scheme.equals(c.getCodingSchemeDesignator());
        }
    }

    /** HipOA's private coding scheme. */
    public static final String SCHEME = GradingCodes.PRIVATE;
    public static final String SCHEME_NAME = "HipOA demonstration hip osteoarthritis grading";
    public static final String SCHEME_ORGANISATION = "HipOA project";

    // Document structure (PS3.16 TID 1500, 1001, 1204, 1600, 1410, 4108, 4019).
    public static final Code MEASUREMENT_REPORT = new Code("126000", "DCM", "Imaging Measurement Report");
    public static final Code LANGUAGE = new Code("121049", "DCM", "Language of Content Item and Descendants");
    public static final Code ENGLISH_US = new Code("en-US", "RFC5646", "English (United States)");
    public static final Code OBSERVER_TYPE = new Code("121005", "DCM", "Observer Type");
    public static final Code DEVICE = new Code("121007", "DCM", "Device");
    public static final Code DEVICE_OBSERVER_UID = new Code("121012", "DCM", "Device Observer UID");
    public static final Code DEVICE_OBSERVER_NAME = new Code("121013", "DCM", "Device Observer Name");
    public static final Code DEVICE_OBSERVER_MANUFACTURER = new Code("121014", "DCM", "Device Observer Manufacturer");
    public static final Code DEVICE_OBSERVER_MODEL_NAME = new Code("121015", "DCM", "Device Observer Model Name");
    public static final Code PROCEDURE_REPORTED = new Code("121058", "DCM", "Procedure reported");
    /** CID 100 has no radiography code; its generic member is what PixelMed's TID 1500 rules accept. */
    public static final Code IMAGING_PROCEDURE = new Code("363679005", "SCT", "Imaging procedure");
    public static final Code IMAGE_LIBRARY = new Code("111028", "DCM", "Image Library");
    public static final Code IMAGE_LIBRARY_GROUP = new Code("126200", "DCM", "Image Library Group");
    public static final Code IMAGING_MEASUREMENTS = new Code("126010", "DCM", "Imaging Measurements");
    public static final Code MEASUREMENT_GROUP = new Code("125007", "DCM", "Measurement Group");
    public static final Code TRACKING_IDENTIFIER = new Code("112039", "DCM", "Tracking Identifier");
    public static final Code TRACKING_UID = new Code("112040", "DCM", "Tracking Unique Identifier");
    public static final Code FINDING_SITE = new Code("363698007", "SCT", "Finding Site");
    public static final Code HIP_JOINT = of(GradingCodes.HIP_JOINT);
    public static final Code LATERALITY = of(GradingCodes.LATERALITY);
    public static final Code RIGHT = of(GradingCodes.RIGHT);
    public static final Code LEFT = of(GradingCodes.LEFT);
    public static final Code ALGORITHM_NAME = new Code("111001", "DCM", "Algorithm Name");
    public static final Code ALGORITHM_VERSION = new Code("111003", "DCM", "Algorithm Version");
    /** The caption a viewer shows beside the hip ({@link HipCaption}). */
    public static final Code COMMENT = new Code("121106", "DCM", "Comment");
    public static final Code QUALITATIVE_EVALUATIONS = new Code("C0034375", "UMLS", "Qualitative Evaluations");
    public static final Code PRESENT = of(GradingCodes.PRESENT);
    public static final Code ABSENT = of(GradingCodes.ABSENT);
    public static final Code NOT_ASSESSED = of(GradingCodes.NOT_ASSESSED);
    /** Contributing Equipment's purpose (CID 7005). */
    public static final Code PROCESSING_EQUIPMENT = new Code("109102", "DCM", "Processing Equipment");

    // HipOA's own codes.
    public static final Code MACHINE_GRADING_NOTICE = new Code("NOTICE", SCHEME, "Machine grading notice");
    /** How many of the five OARSI features were graded on this hip: 5, or 0 when it was not gradable (a NUM). */
    public static final Code FEATURES_GRADED = new Code("NGRADED", SCHEME, "OARSI features graded");
    /** UCUM's way to count things: a dimensionless unit with an annotation. */
    public static final Code FEATURES_UNIT = new Code("{feature}", "UCUM", "feature");
    /** A shared concept (functions/domain GradingCodes) as an SR code. */
    static Code of(GradingCodes.Concept c) {
        return new Code(c.value(), c.snomed() ? "SCT" : SCHEME, c.meaning());
    }

    /** The concept name of a feature's qualitative evaluation. */
    public static Code notGradable(NotGradable why) {
        return of(GradingCodes.notGradable(why));
    }

    public static Code feature(Feature f) {
        return of(GradingCodes.feature(f));
    }

    /** The coded value of a grade: OARSI 0–3 for FO/AO/JSN, SNOMED present/absent for sclerosis and cysts. */
    public static Code grade(Feature f, int grade) {
        return of(GradingCodes.grade(f, grade));
    }

    /** The grade a coded value stands for, or -1 where it is none of this feature's values. */
    public static int gradeOf(Feature f, CodedSequenceItem value) {
        for (int g = 0; g < f.classes(); g++) {
            if (grade(f, g).matches(value)) return g;
        }
        return -1;
    }

    public static Code laterality(Side side) {
        return of(GradingCodes.laterality(side));
    }
}
