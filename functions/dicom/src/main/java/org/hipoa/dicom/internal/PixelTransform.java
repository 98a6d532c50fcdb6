package org.hipoa.dicom.internal;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.domain.Reason;

import java.util.Locale;

/**
 * Turns stored pixel values into the bone-bright values the rest of HipOA works with: mask to Bits Stored (or, for
 * lossy codec output, clamp to its range), sign by Pixel Representation, apply the Modality LUT (a LUT sequence,
 * else Rescale Slope/Intercept), then invert MONOCHROME1 within the range the stored bits can express, so that a
 * file's statistics do not depend on its photometric interpretation.
 *
 * <p>Every output value is finite and within {@link #MAX_MAGNITUDE}: the constructor checks the ends of the mapped
 * range (the mapping is monotonic per stored value range for a rescale, and bounded by its entries for a LUT), so a
 * Rescale Slope of 1e300 is refused instead of turning the film into infinities that every later comparison lets
 * through.
 */
public final class PixelTransform {
    /** (0028,3000): PixelMed's TagFromName lacks it. */
    private static final AttributeTag MODALITY_LUT_SEQUENCE = new AttributeTag(0x0028, 0x3000);
    /**
     * Largest decoded magnitude accepted. Real modality values are counts or HU (below 2^32 even for 32-bit
     * detectors); beyond this, float differences in the normaliser lose all precision or overflow.
     */
    public static final double MAX_MAGNITUDE = 1e12;

    private final int bitsStored;
    private final boolean signed;
    private final long lowest, highest; // range of stored values Bits Stored and Pixel Representation allow
    private final double slope, intercept;
    private final int[] lut;       // Modality LUT data, or null
    private final int lutFirst;    // first stored value mapped by the LUT
    private final boolean invert;
    private final double invertSum; // output = invertSum - value for MONOCHROME1

    public PixelTransform(AttributeList list, int bitsStored, boolean signed, boolean monochrome1) {
        this.bitsStored = bitsStored;
        this.signed = signed;
        this.lowest = signed ? -(1L << (bitsStored - 1)) : 0;
        this.highest = signed ? (1L << (bitsStored - 1)) - 1 : (1L << bitsStored) - 1;
        SequenceAttribute lutSeq = list.get(MODALITY_LUT_SEQUENCE) instanceof SequenceAttribute s ? s : null;
        if (lutSeq != null && lutSeq.getNumberOfItems() > 0) {
            AttributeList item = lutSeq.getItem(0).getAttributeList();
            int[] descriptor = Attribute.getIntegerValues(item, TagFromName.LUTDescriptor);
            if (descriptor == null || descriptor.length < 3) {
                throw new RejectedException(Reason.CORRUPT, "The Modality LUT has no usable LUT Descriptor.");
            }
            int entries = descriptor[0] == 0 ? 65536 : descriptor[0] & 0xFFFF; // PS3.3 C.11.1.1: 0 means 2^16
            int[] data = lutData(item.get(TagFromName.LUTData), descriptor[2], entries);
            if (data == null || data.length == 0) {
                throw new RejectedException(Reason.CORRUPT, "The Modality LUT has no usable LUT Data.");
            }
            lut = data;
            lutFirst = signed ? (short) descriptor[1] : descriptor[1] & 0xFFFF;
            slope = 1;
            intercept = 0;
        } else {
            lut = null;
            lutFirst = 0;
            slope = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleSlope, 1.0);
            intercept = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleIntercept, 0.0);
            if (slope == 0 || !Double.isFinite(slope) || !Double.isFinite(intercept)) {
                throw new RejectedException(Reason.CORRUPT, "Rescale Slope and Intercept cannot map pixel values: the "
                        + "slope is zero, or one of them is not a finite number.");
            }
        }
        this.invert = monochrome1;
        double a = modality(lowest), b = modality(highest);
        double extreme = lut == null ? Math.max(Math.abs(a), Math.abs(b)) : lutMagnitude(lut);
        if (!(extreme <= MAX_MAGNITUDE)) { // also true for NaN
            throw new RejectedException(Reason.CORRUPT, String.format(Locale.ROOT,
                    "Rescale Slope %s and Intercept %s map the stored values to magnitudes up to %.3g, beyond any real "
                            + "pixel value (limit %.0g): the rescale attributes are wrong.",
                    fmt(slope), fmt(intercept), extreme, MAX_MAGNITUDE));
        }
        this.invertSum = a + b;
    }

    /**
     * LUT Data is US or SS by the dictionary, but PS3.5 lets an explicit-VR file send it as OW, which PixelMed keeps
     * as raw words. 8-bit entries in OW are packed two per word, low byte first.
     */
    private static int[] lutData(Attribute a, int bitsPerEntry, int entries) {
        if (a == null) return null;
        if (a instanceof OtherWordAttribute ow) {
            try {
                if (bitsPerEntry == 8) {
                    byte[] bytes = ow.getByteValues(false);
                    int n = Math.min(entries, bytes.length);
                    int[] out = new int[n];
                    for (int i = 0; i < n; i++) out[i] = bytes[i] & 0xFF;
                    return out;
                }
                short[] words = ow.getShortValues();
                int[] out = new int[words.length];
                for (int i = 0; i < words.length; i++) out[i] = words[i] & 0xFFFF;
                return out;
            } catch (DicomException e) {
                return null;
            }
        }
        return Attribute.getIntegerValues(a);
    }

    private static double lutMagnitude(int[] lut) {
        double m = 0;
        for (int v : lut) m = Math.max(m, Math.abs((double) v));
        return m;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    /**
     * Bone-bright value for one raw stored word of native or lossless data: bits above Bits Stored are masked off
     * (they carry overlays or nothing, PS3.5 8.1.1), exactly as the modality wrote them.
     */
    public float apply(long raw) {
        long v = raw & ((1L << bitsStored) - 1);
        if (signed && (v & (1L << (bitsStored - 1))) != 0) v -= 1L << bitsStored;
        return out(v);
    }

    /**
     * Bone-bright value for one word of lossy codec output, read as a value of {@code bitsAllocated} bits. A lossy
     * codec overshoots near the ends of the range; masking would wrap a value just above 2^BitsStored - 1 to near
     * zero and turn the brightest bone black, so it is clamped to the stored range instead.
     */
    public float applyClamped(long raw, int bitsAllocated) {
        long v = raw & ((1L << bitsAllocated) - 1);
        if (signed && (v & (1L << (bitsAllocated - 1))) != 0) v -= 1L << bitsAllocated;
        return out(Math.clamp(v, lowest, highest));
    }

    /**
     * {@link #apply} (or, for lossy codec output, {@link #applyClamped}) for every word of 8 or 16 bits: a film has
     * millions of pixels but at most 65,536 distinct stored words, so the decoder maps each pixel by one lookup
     * instead of masking, signing, rescaling and inverting it (a 7 Mpx film: ~10 ms less per decode).
     */
    public float[] table(int bitsAllocated, boolean lossy) {
        if (bitsAllocated != 8 && bitsAllocated != 16) {
            throw new IllegalArgumentException("a table covers 8- or 16-bit words, not " + bitsAllocated);
        }
        float[] table = new float[1 << bitsAllocated];
        for (int raw = 0; raw < table.length; raw++) {
            table[raw] = lossy ? applyClamped(raw, bitsAllocated) : apply(raw);
        }
        return table;
    }

    private float out(long stored) {
        double m = modality(stored);
        return (float) (invert ? invertSum - m : m);
    }

    /** A value already in modality units (a window centre, say) in the same bone-bright orientation. */
    public double orient(double modalityValue) {
        return invert ? invertSum - modalityValue : modalityValue;
    }

    private double modality(long stored) {
        if (lut == null) return stored * slope + intercept;
        long i = Math.clamp(stored - lutFirst, 0, lut.length - 1); // PS3.3 C.11.1: values outside map to the ends
        return lut[(int) i];
    }
}
