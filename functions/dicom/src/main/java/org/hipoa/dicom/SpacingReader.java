package org.hipoa.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;

/**
 * Pixel spacing at the patient plane, in the order of trust PS3.3 C.8.11.7 suggests for projection radiographs:
 * calibrated Pixel Spacing; else Imager Pixel Spacing divided by the Estimated Radiographic Magnification Factor;
 * else Imager Pixel Spacing as it is (flagged); else a configured assumption (flagged).
 */
public final class SpacingReader {
    private SpacingReader() {}

    public static PixelSpacing read(AttributeList list, DecodeLimits limits) {
        double[] pixel = pair(list, TagFromName.PixelSpacing);
        if (pixel != null) return new PixelSpacing(pixel[0], pixel[1], PixelSpacing.Source.PIXEL_SPACING);
        double[] imager = pair(list, TagFromName.ImagerPixelSpacing);
        if (imager != null) {
            double m = Attribute.getSingleDoubleValueOrDefault(list,
                    TagFromName.EstimatedRadiographicMagnificationFactor, Double.NaN);
            if (m >= 1.0 && m < 3.0) {
                return new PixelSpacing(imager[0] / m, imager[1] / m,
                        PixelSpacing.Source.IMAGER_PIXEL_SPACING_MAGNIFICATION_CORRECTED);
            }
            return new PixelSpacing(imager[0], imager[1], PixelSpacing.Source.IMAGER_PIXEL_SPACING_UNCORRECTED);
        }
        double assumed = limits.assumedSpacingMm();
        return new PixelSpacing(assumed, assumed, PixelSpacing.Source.ASSUMED);
    }

    /** Both values, positive and plausible, or null: a malformed spacing is treated as absent, not trusted. */
    private static double[] pair(AttributeList list, AttributeTag tag) {
        try {
            double[] v = Attribute.getDoubleValues(list, tag);
            if (v == null || v.length < 2) return null;
            boolean plausible = v[0] > 0.01 && v[0] < 5 && v[1] > 0.01 && v[1] < 5;
            return plausible ? new double[] {v[0], v[1]} : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
