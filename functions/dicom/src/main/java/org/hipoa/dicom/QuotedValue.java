package org.hipoa.dicom;

import com.pixelmed.anatproc.ProjectionXRayAnatomy;

import java.util.regex.Pattern;

/**
 * A file's value as a rejection message may quote it: only when it has its VR's form (PS3.5 6.2, 9.1), else a
 * phrase that says it had not. Messages are stored in the results table and returned to partners, so a value is
 * never echoed unchecked: an unbounded one would grow the item past DynamoDB's 400 KB, and a free-text one could
 * carry patient data.
 */
public final class QuotedValue {
    /** UI: components of digits without leading zeros, separated by dots, at most 64 characters. */
    private static final Pattern UID = Pattern.compile("(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*");
    private static final int UID_MAX = 64;
    /** CS: upper-case letters, digits, space and underscore, at most 16 characters. */
    private static final Pattern CODE_STRING = Pattern.compile("[A-Z0-9 _]{1,16}");

    private QuotedValue() {}

    /** The UID, or "(not a valid UID)". */
    public static String uid(String value) {
        String v = value == null ? "" : value.strip();
        return v.length() <= UID_MAX && UID.matcher(v).matches() ? v : "(not a valid UID)";
    }

    /** The code string, or "(not a valid code string)". */
    public static String codeString(String value) {
        String v = value == null ? "" : value.strip();
        return CODE_STRING.matcher(v).matches() ? v : "(not a valid code string)";
    }

    /**
     * Body Part Examined, only when it is one of the defined terms PixelMed's projection X-ray anatomy knows (PS3.16
     * Annex L), else "(not a defined body part term)": devices fill it with free text often enough that a value of
     * code-string form alone is no proof it names no one.
     */
    public static String bodyPart(String value) {
        String v = codeString(value);
        return v.equals(value == null ? null : value.strip())
                && ProjectionXRayAnatomy.getAnatomyConcepts().findCodeStringExact(v) != null
                ? v : "(not a defined body part term)";
    }
}
