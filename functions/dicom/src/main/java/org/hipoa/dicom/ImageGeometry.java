package org.hipoa.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.domain.Reason;
import org.hipoa.dicom.internal.DicomStructureScan;
import org.hipoa.dicom.internal.NativePixels;
import org.hipoa.dicom.internal.RejectedException;

/**
 * The Image Pixel module attributes, checked against what HipOA accepts and against the budgets, before any pixel
 * is decoded. Each refusal names the attribute at fault.
 */
record ImageGeometry(int rows, int columns, int bitsAllocated, int bitsStored, boolean signed, String photometric)
        implements NativePixels.Geometry {

    static ImageGeometry check(AttributeList header, DicomStructureScan.Result structure, String syntax,
                               DecodeLimits limits) {
        int rows = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.Rows, 0);
        int columns = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.Columns, 0);
        if (!structure.hasPixelData()) {
            throw new RejectedException(Reason.NO_PIXEL_DATA, "The DICOM object has no Pixel Data (7FE0,0010).");
        }
        if (rows <= 0 || columns <= 0) {
            throw new RejectedException(Reason.NO_PIXEL_DATA, "Rows or Columns is missing or zero.");
        }
        long pixels = (long) rows * columns;
        if (pixels > limits.maxPixels()) {
            throw new RejectedException(Reason.TOO_LARGE, String.format(java.util.Locale.ROOT,
                    "%d x %d = %,d pixels exceeds the budget of %,d.", rows, columns, pixels, limits.maxPixels()));
        }
        int frames = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.NumberOfFrames, 1);
        if (frames > 1) {
            throw new RejectedException(Reason.MULTIFRAME,
                    "Number of Frames is " + frames + "; a pelvis radiograph is a single frame.");
        }
        int samples = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.SamplesPerPixel, 1);
        String photometric = RadiographDecoder.string(header, TagFromName.PhotometricInterpretation);
        if (samples != 1 || !(photometric.equals("MONOCHROME1") || photometric.equals("MONOCHROME2"))) {
            throw new RejectedException(Reason.UNSUPPORTED_PHOTOMETRIC, "Photometric Interpretation "
                    + QuotedValue.codeString(photometric) + " with " + samples
                    + " sample(s) per pixel; only grayscale MONOCHROME1/2 radiographs are graded.");
        }
        int bitsAllocated = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.BitsAllocated, 0);
        int bitsStored = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.BitsStored, bitsAllocated);
        if (bitsAllocated == 1) {
            throw new RejectedException(Reason.UNSUPPORTED_PHOTOMETRIC, "Bits Allocated is 1: a black-and-white bitmap"
                    + " (a scanned document or a mask), not a grayscale radiograph.");
        }
        if (bitsAllocated != 8 && bitsAllocated != 16 && bitsAllocated != 32) {
            throw new RejectedException(Reason.CORRUPT, "Bits Allocated is " + bitsAllocated
                    + "; grayscale images use 8, 16 or 32.");
        }
        if (bitsStored < 1 || bitsStored > bitsAllocated) {
            throw new RejectedException(Reason.CORRUPT,
                    "Bits Stored " + bitsStored + " does not fit Bits Allocated " + bitsAllocated + ".");
        }
        if (syntax.equals(TransferSyntaxes.JPEG_EXTENDED) && bitsStored > 8) {
            // Java's JPEG codec reads 8-bit lossy JPEG only; no maintained pure-Java 12-bit lossy decoder exists.
            throw new RejectedException(Reason.UNSUPPORTED_TRANSFER_SYNTAX, "12-bit lossy JPEG (Process 4, "
                    + syntax + ") is not supported; send uncompressed, JPEG lossless or JPEG 2000.");
        }
        if (bitsAllocated == 32 && structure.encapsulated()) {
            throw new RejectedException(Reason.UNSUPPORTED_TRANSFER_SYNTAX, "32-bit pixels are read uncompressed "
                    + "only; send this image in explicit or implicit VR little endian.");
        }
        boolean signed = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.PixelRepresentation, 0) == 1;
        if (!structure.encapsulated()) {
            // At least the image. Bytes after a complete image are trailing padding that other toolkits read past
            // (pydicom's MR_small_padded.dcm); less than the image, or a second image's worth more (an undeclared
            // frame), means the size attributes do not describe this pixel data, and guessing would shear the film.
            long need = pixels * (bitsAllocated / 8);
            long have = structure.pixelDataLength();
            if (have >= 0 && (have < need || have >= 2 * need)) {
                throw new RejectedException(Reason.CORRUPT, String.format(java.util.Locale.ROOT,
                        "Pixel Data holds %,d bytes but %d x %d pixels at %d bits need %,d: the image size "
                                + "attributes do not describe this pixel data.",
                        have, rows, columns, bitsAllocated, need));
            }
        } else if (structure.fragments() < 2) { // the first item is the (possibly empty) basic offset table
            throw new RejectedException(Reason.CORRUPT, "Encapsulated Pixel Data holds no compressed fragment.");
        }
        return new ImageGeometry(rows, columns, bitsAllocated, bitsStored, signed, photometric);
    }
}
