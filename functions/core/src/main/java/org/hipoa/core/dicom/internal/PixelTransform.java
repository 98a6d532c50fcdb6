package org.hipoa.core.dicom.internal;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.domain.Reason;

/**
 * Turns stored pixel values into the bone-bright values the rest of HipOA works with: mask to Bits Stored, sign by
 * Pixel Representation, apply the Modality LUT (a LUT sequence, else Rescale Slope/Intercept), then invert
 * MONOCHROME1 within the range the stored bits can express, so that a file's statistics do not depend on its
 * photometric interpretation.
 */
public final class PixelTransform {
    /** (0028,3000): PixelMed's TagFromName lacks it. */
    private static final AttributeTag MODALITY_LUT_SEQUENCE = new AttributeTag(0x0028, 0x3000);

    private final int bitsStored;
    private final boolean signed;
    private final double slope, intercept;
    private final int[] lut;       // Modality LUT data, or null
    private final int lutFirst;    // first stored value mapped by the LUT
    private final boolean invert;
    private final double invertSum; // output = invertSum - value for MONOCHROME1

    public PixelTransform(AttributeList list, int bitsStored, boolean signed, boolean monochrome1) {
        this.bitsStored = bitsStored;
        this.signed = signed;
        SequenceAttribute lutSeq = (SequenceAttribute) list.get(MODALITY_LUT_SEQUENCE);
        if (lutSeq != null && lutSeq.getNumberOfItems() > 0) {
            AttributeList item = lutSeq.getItem(0).getAttributeList();
            int[] descriptor = Attribute.getIntegerValues(item, TagFromName.LUTDescriptor);
            int[] data = Attribute.getIntegerValues(item, TagFromName.LUTData);
            if (descriptor == null || descriptor.length < 3 || data == null || data.length == 0) {
                throw new RejectedException(Reason.CORRUPT, "Modality LUT Sequence without a usable descriptor or data.");
            }
            lut = data;
            lutFirst = signed ? (short) descriptor[1] : descriptor[1];
            slope = 1;
            intercept = 0;
        } else {
            lut = null;
            lutFirst = 0;
            slope = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleSlope, 1.0);
            intercept = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleIntercept, 0.0);
            if (slope == 0 || !Double.isFinite(slope) || !Double.isFinite(intercept)) {
                throw new RejectedException(Reason.CORRUPT, "Rescale Slope " + slope + " cannot map pixel values.");
            }
        }
        this.invert = monochrome1;
        int lowest = signed ? -(1 << (bitsStored - 1)) : 0;
        int highest = signed ? (1 << (bitsStored - 1)) - 1 : (1 << bitsStored) - 1;
        this.invertSum = modality(lowest) + modality(highest);
    }

    /** Bone-bright value for one raw stored word (any bits above Bits Stored are ignored, e.g. overlays). */
    public float apply(int raw) {
        int v = raw & ((1 << bitsStored) - 1);
        if (signed && (v & (1 << (bitsStored - 1))) != 0) v -= 1 << bitsStored;
        double m = modality(v);
        return (float) (invert ? invertSum - m : m);
    }

    /** A value already in modality units (a window centre, say) in the same bone-bright orientation. */
    public double orient(double modalityValue) {
        return invert ? invertSum - modalityValue : modalityValue;
    }

    private double modality(int stored) {
        if (lut == null) return stored * slope + intercept;
        int i = Math.clamp(stored - lutFirst, 0, lut.length - 1); // PS3.3 C.11.1: values outside map to the ends
        return lut[i];
    }
}
