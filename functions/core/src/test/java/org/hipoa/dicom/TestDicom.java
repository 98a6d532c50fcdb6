package org.hipoa.dicom;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.hipoa.dicom.DicomAttributes.put;
import static org.hipoa.dicom.DicomAttributes.us;
import static org.hipoa.dicom.DicomAttributes.ds;

/**
 * Small grayscale DICOM files for decoder tests, written with PixelMed (uncompressed only); compressed variants are
 * made from these by GDCM's gdcmconv, an independent encoder ({@link Gdcm}).
 */
final class TestDicom {
    int rows = 96, columns = 128, bitsAllocated = 16, bitsStored = 12;
    String photometric = "MONOCHROME2";
    int samplesPerPixel = 1;
    Integer frames;
    boolean withPixelData = true;
    double[] pixelSpacing, imagerPixelSpacing;
    Double magnification;
    Double slope, intercept;
    short[] pixels; // stored values; defaults to a deterministic textured ramp

    /** A smooth ramp plus texture: compressible, but every value distinct enough to catch a decoder off by one. */
    static short[] pattern(int rows, int columns, int bitsStored) {
        short[] p = new short[rows * columns];
        int max = (1 << bitsStored) - 1;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                double v = 0.15 + 0.6 * c / columns + 0.2 * Math.sin(r * 0.21) * Math.cos(c * 0.13);
                p[r * columns + c] = (short) Math.clamp(Math.round(v * max) + ((r * 7 + c * 13) % 5), 0, max);
            }
        }
        return p;
    }

    short[] storedPixels() {
        if (pixels == null) pixels = pattern(rows, columns, bitsStored);
        return pixels;
    }

    byte[] bytes(String transferSyntax) throws Exception {
        AttributeList l = new AttributeList();
        put(l, TagFromName.SOPClassUID, SOPClass.DigitalXRayImageStorageForPresentation);
        put(l, TagFromName.SOPInstanceUID, "2.25.1.99.3");
        put(l, TagFromName.StudyInstanceUID, "2.25.1.99.1");
        put(l, TagFromName.SeriesInstanceUID, "2.25.1.99.2");
        put(l, TagFromName.Modality, "DX");
        put(l, TagFromName.ViewPosition, "AP");
        put(l, TagFromName.BodyPartExamined, "PELVIS");
        put(l, TagFromName.PatientName, "TEST^FIXTURE");
        put(l, TagFromName.PhotometricInterpretation, photometric);
        us(l, TagFromName.Rows, rows);
        us(l, TagFromName.Columns, columns);
        us(l, TagFromName.SamplesPerPixel, samplesPerPixel);
        us(l, TagFromName.BitsAllocated, bitsAllocated);
        us(l, TagFromName.BitsStored, bitsStored);
        us(l, TagFromName.HighBit, bitsStored - 1);
        us(l, TagFromName.PixelRepresentation, 0);
        if (frames != null) put(l, TagFromName.NumberOfFrames, frames.toString());
        if (pixelSpacing != null) ds(l, TagFromName.PixelSpacing, pixelSpacing);
        if (imagerPixelSpacing != null) ds(l, TagFromName.ImagerPixelSpacing, imagerPixelSpacing);
        if (magnification != null) ds(l, TagFromName.EstimatedRadiographicMagnificationFactor, magnification);
        if (slope != null) ds(l, TagFromName.RescaleSlope, slope);
        if (intercept != null) ds(l, TagFromName.RescaleIntercept, intercept);
        if (withPixelData) {
            if (bitsAllocated == 8) {
                short[] s = storedPixels();
                byte[] b = new byte[s.length * samplesPerPixel];
                for (int i = 0; i < b.length; i++) b[i] = (byte) s[i % s.length];
                OtherByteAttribute pd = new OtherByteAttribute(TagFromName.PixelData);
                pd.setValues(b);
                l.put(pd);
            } else {
                OtherWordAttribute pd = new OtherWordAttribute(TagFromName.PixelData);
                short[] s = storedPixels();
                short[] all = new short[s.length * samplesPerPixel * (frames == null ? 1 : frames)];
                for (int i = 0; i < all.length; i++) all[i] = s[i % s.length];
                pd.setValues(all);
                l.put(pd);
            }
        }
        FileMetaInformation.addFileMetaInformation(l, transferSyntax, "HIPOATEST");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        l.write(out, transferSyntax, true, true);
        return out.toByteArray();
    }

    Path write(Path dir, String name, String transferSyntax) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes(transferSyntax));
        return p;
    }
}
