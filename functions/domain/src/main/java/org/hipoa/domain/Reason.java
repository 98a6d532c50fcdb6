package org.hipoa.domain;

/**
 * Every reason a radiograph can be turned away, in one place. The codes are part of the public contract: they
 * appear in CLI output, stored failure records and API responses, so rename none of them.
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
    TIMED_OUT
}
