package org.hipoa.domain;

/**
 * Every reason code HipOA records, in one place: why a radiograph was turned away (CLI output, stored failure
 * records, API responses) and why its report could not be exported (the item's {@code export.reason}). The codes are
 * part of the public contract, so rename none of them. The export's codes are the last group; the export's own
 * SOURCE_MISSING, SOURCE_UNREADABLE, INTERNAL and DEAD_LETTERED are the pipeline's.
 */
public enum Reason {
    /** The bytes are not a DICOM data set (no preamble/"DICM" and no plausible first element). */
    NOT_DICOM,
    /** The file ends before an element, item or the pixel data it declares. */
    TRUNCATED,
    /** A DICOM object without an image: no Pixel Data, or no Rows/Columns. */
    NO_PIXEL_DATA,
    /** Encoded in a transfer syntax we cannot decode (JPEG-LS, MPEG, 12-bit lossy JPEG, ...). */
    UNSUPPORTED_TRANSFER_SYNTAX,
    /** Not a single-sample grayscale image (RGB, YBR, PALETTE COLOR, ...). */
    UNSUPPORTED_PHOTOMETRIC,
    /** More than one frame: a pelvis radiograph is one frame. */
    MULTIFRAME,
    /** Over the configured byte or pixel budget; checked before any pixel is decoded. */
    TOO_LARGE,
    /** The localiser did not find two femoral heads of plausible size and position. */
    HIPS_NOT_FOUND,
    /** The image is not an AP pelvis radiograph (by its attributes, or no pelvis on the film). */
    NOT_AP_PELVIS,
    /**
     * A decodable image whose size attributes no radiograph has (pixels far from square, a film side over 2 m):
     * the Pixel Spacing or Rows/Columns are wrong, so nothing measured on it in millimetres would be right.
     */
    IMPLAUSIBLE_GEOMETRY,
    /** Broken structure that is not a plain truncation, or pixel data that is inconsistent or undecodable. */
    CORRUPT,
    /**
     * The object key is not {@code incoming/{provider}/...} or {@code backfill/{provider}/...} with a valid provider
     * name (pipeline).
     */
    BAD_KEY,
    /** The uploaded object was gone (deleted or overwritten by a newer version) before it could be read (pipeline). */
    SOURCE_MISSING,
    /**
     * The uploaded object is there but stored so that HipOA cannot read it: access denied, encrypted with a KMS key
     * HipOA may not use or with a customer-provided key (SSE-C), or in an archive storage class (pipeline).
     */
    SOURCE_UNREADABLE,
    /** The work bucket's crops for an upload are missing, expired or not the float32 array the contract says. */
    CROPS_UNREADABLE,
    /**
     * Something unexpected went wrong while processing an otherwise accepted upload (a fault in our code or a model
     * on this input); retrying would fail the same way. The details are in the operators' logs only (pipeline).
     */
    INTERNAL,
    /** Inference gave up on the upload's claim check after the queue's last receive (pipeline). */
    DEAD_LETTERED,
    /** The upload stayed unfinished longer than the pipeline's bound and was ended by the sweeper (pipeline). */
    TIMED_OUT,

    // Export: why a GRADED upload's SR did not reach the provider (functions/export; retried where
    // ExportFailure says so).
    /** The source header lacks what the SR must copy (Study/Series/SOP Instance UID, Rows/Columns), or is no DICOM. */
    SR_SOURCE_INCOMPLETE,
    /** The provider's DICOMweb endpoint refused the connection, reset it or could not be found. */
    DICOMWEB_UNREACHABLE,
    /** The provider's DICOMweb endpoint did not answer within the timeout. */
    DICOMWEB_TIMEOUT,
    /** The provider's DICOMweb endpoint answered 5xx, 408 or 429. */
    DICOMWEB_UNAVAILABLE,
    /** 401/403, or a provider secret without credentials. */
    DICOMWEB_CREDENTIALS,
    /** Any other 4xx, or a 202 with failures: the PACS will not take this SR. */
    DICOMWEB_REJECTED,
    /** The registered URL is malformed, not http(s), or carries credentials, a query or a fragment. */
    DICOMWEB_ENDPOINT_INVALID,
    /** The registered URL is plain http to a host other than a loopback address: nothing is sent. */
    DICOMWEB_NOT_HTTPS,
    /** The registered secretName is not {@code hipoa/dicomweb/{provider}} or under it: no secret is read. */
    DICOMWEB_SECRET_NOT_PROVIDERS,
    /** The result item (or its export record) does not read as one: nothing to build the SR from. */
    ITEM_UNREADABLE;

    /** The export's reasons: they end an SR's delivery, never an upload (the upload stays GRADED). */
    public static final java.util.Set<Reason> EXPORT =
            java.util.Collections.unmodifiableSet(java.util.EnumSet.range(SR_SOURCE_INCOMPLETE, ITEM_UNREADABLE));
}
