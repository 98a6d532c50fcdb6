package org.hipoa.phantom;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.dicom.DicomAttributes;
import org.hipoa.dicom.TransferSyntaxes;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;

/**
 * Writes a rendered phantom film as a DX "for presentation" DICOM file, as a weight-bearing AP pelvis from a
 * digital radiography room would arrive: synthetic identity only, UIDs under HipOA's phantom root, and the spacing
 * encoded either as calibrated Pixel Spacing or as Imager Pixel Spacing plus magnification factor (both occur in
 * practice, and the decoder must handle both).
 */
public final class DicomFilmWriter {
    private DicomFilmWriter() {}

    /** A fixed OID root for phantom UIDs: 2.25 (UUID-derived arc, PS3.5 B.2) with a number chosen once for HipOA. */
    public static final String UID_ROOT = "2.25.190152417436287312521";

    /** Transfer syntaxes the phantom writes: PixelMed for the uncompressed ones, {@link RleEncoder} for RLE. */
    public static final Set<String> WRITABLE = Set.of(TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN,
            TransferSyntaxes.IMPLICIT_VR_LITTLE_ENDIAN, TransferSyntaxes.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
            TransferSyntaxes.RLE_LOSSLESS);

    /** (0028,1040) and (0028,1041), missing from PixelMed's TagFromName. */
    private static final AttributeTag PIXEL_INTENSITY_RELATIONSHIP = new AttributeTag(0x0028, 0x1040);
    private static final AttributeTag PIXEL_INTENSITY_RELATIONSHIP_SIGN = new AttributeTag(0x0028, 0x1041);
    /** (0018,7004) and (0018,1508), likewise. */
    private static final AttributeTag DETECTOR_TYPE = new AttributeTag(0x0018, 0x7004);
    private static final AttributeTag POSITIONER_TYPE = new AttributeTag(0x0018, 0x1508);

    /** How the pixel spacing is encoded in a file; recorded in the labels. */
    public enum SpacingEncoding { PIXEL_SPACING, IMAGER_PIXEL_SPACING_WITH_MAGNIFICATION }

    public static void write(RenderedFilm film, long runSeed, int index, String transferSyntaxUid,
                             SpacingEncoding spacingEncoding, Path file) throws IOException {
        if (!WRITABLE.contains(transferSyntaxUid)) {
            throw new IllegalArgumentException("the phantom cannot write " + TransferSyntaxes.name(transferSyntaxUid));
        }
        try {
            AttributeList list = attributes(film, runSeed, index, spacingEncoding, transferSyntaxUid);
            Path tmp = file.resolveSibling(file.getFileName() + ".part");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                list.write(out, transferSyntaxUid, true, true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (DicomException e) {
            throw new IOException("PixelMed could not write " + file, e);
        }
    }

    /**
     * The bytes {@link #write} would put in a file, in memory: SnapStart priming (PreprocessHandler) runs a phantom
     * film through the preparation path before the snapshot and must write nothing.
     */
    public static byte[] bytes(RenderedFilm film, long runSeed, int index, String transferSyntaxUid,
                               SpacingEncoding spacingEncoding) throws IOException {
        if (!WRITABLE.contains(transferSyntaxUid)) {
            throw new IllegalArgumentException("the phantom cannot write " + TransferSyntaxes.name(transferSyntaxUid));
        }
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(2 * film.rows() * film.columns() + 4096);
            attributes(film, runSeed, index, spacingEncoding, transferSyntaxUid).write(out, transferSyntaxUid, true, true);
            return out.toByteArray();
        } catch (DicomException e) {
            throw new IOException("PixelMed could not write the film", e);
        }
    }

    private static AttributeList attributes(RenderedFilm film, long runSeed, int index,
                                            SpacingEncoding spacingEncoding, String syntax) throws DicomException {
        PhantomCase c = film.phantomCase();
        AttributeList l = new AttributeList();
        String run = Long.toUnsignedString(runSeed);
        DicomAttributes.put(l, TagFromName.SOPClassUID, SOPClass.DigitalXRayImageStorageForPresentation);
        DicomAttributes.put(l, TagFromName.StudyInstanceUID, UID_ROOT + ".1." + run + "." + index);
        DicomAttributes.put(l, TagFromName.SeriesInstanceUID, UID_ROOT + ".2." + run + "." + index);
        DicomAttributes.put(l, TagFromName.SOPInstanceUID, UID_ROOT + ".3." + run + "." + index);
        DicomAttributes.put(l, TagFromName.PatientName, "PHANTOM^HIP^" + index);
        DicomAttributes.put(l, TagFromName.PatientID, "PHANTOM-" + run + "-" + index);
        // Type 2 attributes are present but empty: a synthetic patient has no birth date and no referrer, and SR
        // writers that copy the Patient and General Study modules from their evidence need the elements to exist.
        DicomAttributes.put(l, TagFromName.PatientBirthDate, "");
        DicomAttributes.put(l, TagFromName.PatientSex, "O");
        DicomAttributes.put(l, TagFromName.ReferringPhysicianName, "");
        DicomAttributes.put(l, TagFromName.StudyDate, "20260101");
        DicomAttributes.put(l, TagFromName.StudyTime, "120000");
        DicomAttributes.put(l, TagFromName.AccessionNumber, "");
        DicomAttributes.put(l, TagFromName.StudyID, Integer.toString(index));
        DicomAttributes.put(l, TagFromName.SeriesNumber, "1");
        DicomAttributes.put(l, TagFromName.InstanceNumber, "1");
        DicomAttributes.put(l, TagFromName.Manufacturer, "HipOA synthetic phantom (not a patient image)");
        DicomAttributes.put(l, TagFromName.Modality, "DX");
        DicomAttributes.put(l, TagFromName.PresentationIntentType, "FOR PRESENTATION");
        DicomAttributes.put(l, TagFromName.ViewPosition, "AP");
        DicomAttributes.put(l, TagFromName.BodyPartExamined, "PELVIS");
        DicomAttributes.put(l, TagFromName.ImageLaterality, "B");
        // The coded forms of BodyPartExamined and ViewPosition (CID 4009 / CID 4010), which the DX IOD requires.
        code(l, TagFromName.AnatomicRegionSequence, "816092008", "SCT", "Pelvis");
        code(l, TagFromName.ViewCodeSequence, "399348003", "SCT", "antero-posterior");
        l.put(new SequenceAttribute(TagFromName.AcquisitionContextSequence)); // Type 2: nothing to record
        l.put(new CodeStringAttribute(DETECTOR_TYPE)); // Type 2 and empty: no detector or positioner exists
        l.put(new CodeStringAttribute(POSITIONER_TYPE));
        DicomAttributes.put(l, TagFromName.PatientOrientation, "L\\F"); // along a row: toward the patient's left; down: feet
        DicomAttributes.put(l, TagFromName.ImageType, "DERIVED\\PRIMARY");
        DicomAttributes.put(l, PIXEL_INTENSITY_RELATIONSHIP, "LOG");
        // The film's bone-bright values rise with attenuation, i.e. with less beam intensity (-1); MONOCHROME1 stores
        // them inverted (+1). The Presentation LUT Shape says the same for a display (PS3.3 C.8.11.3).
        DicomAttributes.ss(l, PIXEL_INTENSITY_RELATIONSHIP_SIGN, c.monochrome1() ? 1 : -1);
        DicomAttributes.put(l, TagFromName.PresentationLUTShape, c.monochrome1() ? "INVERSE" : "IDENTITY");
        DicomAttributes.put(l, TagFromName.LossyImageCompression, "00"); // every syntax the phantom writes is lossless
        DicomAttributes.put(l, TagFromName.BurnedInAnnotation, "NO"); // the lead "R" marker is in the film, but identifies no one
        DicomAttributes.put(l, TagFromName.PhotometricInterpretation, c.monochrome1() ? "MONOCHROME1" : "MONOCHROME2");
        DicomAttributes.us(l, TagFromName.Rows, film.rows());
        DicomAttributes.us(l, TagFromName.Columns, film.columns());
        DicomAttributes.us(l, TagFromName.SamplesPerPixel, 1);
        DicomAttributes.us(l, TagFromName.BitsAllocated, 16);
        DicomAttributes.us(l, TagFromName.BitsStored, c.bitsStored());
        DicomAttributes.us(l, TagFromName.HighBit, c.bitsStored() - 1);
        DicomAttributes.us(l, TagFromName.PixelRepresentation, 0);
        DicomAttributes.put(l, TagFromName.RescaleIntercept, "0");
        DicomAttributes.put(l, TagFromName.RescaleSlope, "1");
        DicomAttributes.put(l, TagFromName.RescaleType, "US");

        double detector = c.pixelSpacingMm() * c.magnification();
        ds(l, TagFromName.ImagerPixelSpacing, detector, detector);
        ds(l, TagFromName.EstimatedRadiographicMagnificationFactor, c.magnification());
        ds(l, TagFromName.DistanceSourceToDetector, 1150.0);
        ds(l, TagFromName.DistanceSourceToPatient, 1150.0 / c.magnification());
        if (spacingEncoding == SpacingEncoding.PIXEL_SPACING) {
            ds(l, TagFromName.PixelSpacing, c.pixelSpacingMm(), c.pixelSpacingMm());
            DicomAttributes.put(l, TagFromName.PixelSpacingCalibrationType, "GEOMETRY");
            DicomAttributes.put(l, TagFromName.PixelSpacingCalibrationDescription, "Synthetic phantom: exact at the hip plane");
        }

        short[] stored = storedValues(film);
        double[] window = FilmWindow.of(film);
        double max = (1 << c.bitsStored()) - 1;
        ds(l, TagFromName.WindowCenter, c.monochrome1() ? max - window[0] : window[0]);
        ds(l, TagFromName.WindowWidth, window[1]);

        if (syntax.equals(TransferSyntaxes.RLE_LOSSLESS)) {
            l.put(new OtherByteAttributeMultipleCompressedFrames(TagFromName.PixelData,
                    new byte[][] {RleEncoder.encode16(stored, film.rows(), film.columns())}));
        } else {
            OtherWordAttribute pixelData = new OtherWordAttribute(TagFromName.PixelData);
            pixelData.setValues(stored);
            l.put(pixelData);
        }
        FileMetaInformation.addFileMetaInformation(l, syntax, "HIPOA");
        return l;
    }

    /** The film's bone-bright values as stored: MONOCHROME1 stores them inverted (high values display dark). */
    private static short[] storedValues(RenderedFilm film) {
        if (!film.phantomCase().monochrome1()) return film.pixels();
        int max = (1 << film.phantomCase().bitsStored()) - 1;
        short[] out = new short[film.pixels().length];
        for (int i = 0; i < out.length; i++) out[i] = (short) (max - (film.pixels()[i] & 0xFFFF));
        return out;
    }

    /**
     * As many significant digits as a DS value's 16 characters allow, so that the spacing a decoder reads back equals
     * the spacing the film was rendered at (training crops skip the DICOM round trip and must not drift from it).
     */
    static String decimalString(double v) {
        for (int digits = 15; digits > 1; digits--) {
            String s = new java.math.BigDecimal(v).round(new java.math.MathContext(digits)).stripTrailingZeros()
                    .toPlainString();
            if (s.length() <= 16) return s;
        }
        throw new IllegalArgumentException("no 16-character decimal string for " + v);
    }

    private static void code(AttributeList l, AttributeTag tag, String value, String scheme, String meaning)
            throws DicomException {
        CodedSequenceItem.putSingleCodedSequenceItem(l, tag, value, scheme, meaning);
    }

    /** Decimal strings in the writer's own 16-character spelling ({@link #decimalString}). */
    private static void ds(AttributeList l, AttributeTag tag, double... values) throws DicomException {
        String[] text = new String[values.length];
        for (int i = 0; i < values.length; i++) text[i] = decimalString(values[i]);
        DicomAttributes.ds(l, tag, text);
    }
}
