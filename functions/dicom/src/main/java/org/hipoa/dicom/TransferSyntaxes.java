package org.hipoa.dicom;

import java.util.Map;

/**
 * The transfer syntaxes HipOA decodes, with the names people know them by. Everything else is refused with
 * {@code UNSUPPORTED_TRANSFER_SYNTAX} before any pixel is touched.
 */
public final class TransferSyntaxes {
    private TransferSyntaxes() {}

    public static final String IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2";
    public static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
    public static final String DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1.99";
    /** Retired; refused (named so the structure scan can say what it saw). */
    public static final String EXPLICIT_VR_BIG_ENDIAN = "1.2.840.10008.1.2.2";
    public static final String RLE_LOSSLESS = "1.2.840.10008.1.2.5";
    public static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    public static final String JPEG_EXTENDED = "1.2.840.10008.1.2.4.51";
    public static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
    public static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
    public static final String JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90";
    public static final String JPEG_2000 = "1.2.840.10008.1.2.4.91";

    private static final Map<String, String> SUPPORTED = Map.of(
            IMPLICIT_VR_LITTLE_ENDIAN, "implicit-vr-le",
            EXPLICIT_VR_LITTLE_ENDIAN, "explicit-vr-le",
            DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, "deflated-explicit-vr-le",
            RLE_LOSSLESS, "rle",
            JPEG_BASELINE, "jpeg-baseline",
            JPEG_EXTENDED, "jpeg-extended",
            JPEG_LOSSLESS, "jpeg-lossless",
            JPEG_LOSSLESS_SV1, "jpeg-lossless-sv1",
            JPEG_2000_LOSSLESS, "jpeg2000-lossless",
            JPEG_2000, "jpeg2000");

    /** Syntaxes people upload that we know by name, to say clearly what was refused. */
    private static final Map<String, String> KNOWN_UNSUPPORTED = Map.of(
            EXPLICIT_VR_BIG_ENDIAN, "explicit VR big endian (retired)",
            "1.2.840.10008.1.2.4.80", "JPEG-LS lossless",
            "1.2.840.10008.1.2.4.81", "JPEG-LS near-lossless",
            "1.2.840.10008.1.2.4.100", "MPEG-2",
            "1.2.840.10008.1.2.4.102", "MPEG-4",
            "1.2.840.10008.1.2.4.201", "HTJ2K lossless",
            "1.2.840.10008.1.2.4.203", "HTJ2K");

    public static boolean isSupported(String uid) {
        return SUPPORTED.containsKey(uid);
    }

    public static boolean isLossy(String uid) {
        return uid.equals(JPEG_BASELINE) || uid.equals(JPEG_EXTENDED) || uid.equals(JPEG_2000);
    }

    /** Short name for a supported syntax, the known name of an unsupported one, else the UID itself. */
    public static String name(String uid) {
        return SUPPORTED.getOrDefault(uid, KNOWN_UNSUPPORTED.getOrDefault(uid, uid));
    }

    /** UID for a short name as {@link #name} gives it; for the CLI's {@code --transfer-syntax}. */
    public static String uidForName(String name) {
        return SUPPORTED.entrySet().stream().filter(e -> e.getValue().equals(name)).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown transfer syntax name " + name
                        + "; known: " + String.join(", ", SUPPORTED.values())));
    }
}
