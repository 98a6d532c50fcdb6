package org.hipoa.dicom;

/**
 * Size of one pixel in millimetres at the patient plane: {@code rowMm} is the distance between the centres of
 * adjacent rows (vertical), {@code columnMm} between adjacent columns (horizontal), DICOM's order.
 */
public record PixelSpacing(double rowMm, double columnMm, Source source) {

    /** Where the spacing came from, in the order the decoder tries them. */
    public enum Source {
        /** Pixel Spacing (0028,0030): already calibrated to the patient. */
        PIXEL_SPACING,
        /** Imager Pixel Spacing (0018,1164) divided by Estimated Radiographic Magnification Factor (0018,1114). */
        IMAGER_PIXEL_SPACING_MAGNIFICATION_CORRECTED,
        /** Imager Pixel Spacing at the detector, no magnification factor: objects measure ~10–20 % too large. */
        IMAGER_PIXEL_SPACING_UNCORRECTED,
        /** No spacing in the file at all: a configured default was assumed. */
        ASSUMED
    }

    public PixelSpacing {
        if (!(rowMm > 0 && rowMm < 10 && columnMm > 0 && columnMm < 10)) {
            throw new IllegalArgumentException("implausible pixel spacing " + rowMm + " x " + columnMm + " mm");
        }
        if (source == null) throw new IllegalArgumentException("source");
    }

    /** True when measurements in mm rest on an assumption rather than on calibration in the file. */
    public boolean isAssumption() {
        return source == Source.ASSUMED || source == Source.IMAGER_PIXEL_SPACING_UNCORRECTED;
    }
}
