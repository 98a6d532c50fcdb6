package org.hipoa.dicom;

import org.hipoa.domain.Outcome;

import com.pixelmed.dicom.TransferSyntax;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the decoded values mean: bone bright whatever the photometric, rescale applied, spacing in patient mm. */
class DecodedValuesTest {
    final RadiographDecoder decoder = new RadiographDecoder();

    private Radiograph decode(TestDicom d) throws Exception {
        Outcome<Radiograph> result = decoder.decode(d.bytes(TransferSyntax.ExplicitVRLittleEndian));
        if (result instanceof Outcome.Rejected<Radiograph> r) throw new AssertionError(r.rejection().toString());
        return ((Outcome.Ok<Radiograph>) result).value();
    }

    @Test
    void monochrome1_decodesToTheSameBoneBrightValuesAsMonochrome2() throws Exception {
        TestDicom mono2 = new TestDicom();
        TestDicom mono1 = new TestDicom();
        mono1.photometric = "MONOCHROME1";
        short[] inverted = mono2.storedPixels().clone();
        for (int i = 0; i < inverted.length; i++) inverted[i] = (short) (4095 - inverted[i]);
        mono1.pixels = inverted;
        Radiograph a = decode(mono2), b = decode(mono1);
        for (int i = 0; i < a.pixels().length; i++) assertEquals(a.pixels()[i], b.pixels()[i], "pixel " + i);
        assertEquals("MONOCHROME1", b.sourcePhotometric());
    }

    @Test
    void rescaleSlopeAndIntercept_areApplied() throws Exception {
        TestDicom d = new TestDicom();
        d.slope = 0.5;
        d.intercept = -100.0;
        Radiograph r = decode(d);
        short[] stored = d.storedPixels();
        for (int i = 0; i < stored.length; i++) assertEquals(stored[i] * 0.5 - 100, r.pixels()[i], 1e-4);
    }

    @Test
    void bitsAboveBitsStored_areIgnored() throws Exception {
        TestDicom d = new TestDicom(); // 12 bits stored in 16 allocated; set garbage (e.g. overlay) bits on top
        short[] clean = d.storedPixels().clone();
        short[] dirty = clean.clone();
        for (int i = 0; i < dirty.length; i += 3) dirty[i] |= (short) 0xF000;
        d.pixels = dirty;
        Radiograph r = decode(d);
        for (int i = 0; i < clean.length; i++) assertEquals(clean[i], r.pixels()[i], "pixel " + i);
    }

    @Test
    void aFilmAboveAMegapixel_splitBetweenTheCores_decodesEveryPixel() throws Exception {
        TestDicom d = new TestDicom(); // large enough for NativePixels to split the rows between the cores
        d.rows = 1100;
        d.columns = 1000;
        d.slope = 2.0;
        d.intercept = 5.0;
        short[] stored = d.storedPixels();
        Radiograph r = decode(d);
        assertEquals(stored.length, r.pixels().length);
        for (int i = 0; i < stored.length; i++) assertEquals(stored[i] * 2.0 + 5, r.pixels()[i], 0.0, "pixel " + i);
    }

    @Test
    void pixelSpacing_isPreferredOverImagerPixelSpacing() throws Exception {
        TestDicom d = new TestDicom();
        d.pixelSpacing = new double[] {0.13, 0.14};
        d.imagerPixelSpacing = new double[] {0.15, 0.15};
        d.magnification = 1.1;
        PixelSpacing s = decode(d).spacing();
        assertEquals(0.13, s.rowMm(), 1e-9);
        assertEquals(0.14, s.columnMm(), 1e-9);
        assertEquals(PixelSpacing.Source.PIXEL_SPACING, s.source());
        assertFalse(s.isAssumption());
    }

    @Test
    void imagerPixelSpacing_isCorrectedByMagnification() throws Exception {
        TestDicom d = new TestDicom();
        d.imagerPixelSpacing = new double[] {0.165, 0.165};
        d.magnification = 1.1;
        PixelSpacing s = decode(d).spacing();
        assertEquals(0.15, s.rowMm(), 1e-9);
        assertEquals(PixelSpacing.Source.IMAGER_PIXEL_SPACING_MAGNIFICATION_CORRECTED, s.source());
        assertFalse(s.isAssumption());
    }

    @Test
    void imagerPixelSpacingWithoutMagnification_andNoSpacing_areFlaggedAssumptions() throws Exception {
        TestDicom detectorOnly = new TestDicom();
        detectorOnly.imagerPixelSpacing = new double[] {0.2, 0.2};
        PixelSpacing s = decode(detectorOnly).spacing();
        assertEquals(PixelSpacing.Source.IMAGER_PIXEL_SPACING_UNCORRECTED, s.source());
        assertTrue(s.isAssumption());
        PixelSpacing none = decode(new TestDicom()).spacing();
        assertEquals(PixelSpacing.Source.ASSUMED, none.source());
        assertEquals(DecodeLimits.DEFAULT.assumedSpacingMm(), none.rowMm());
        assertTrue(none.isAssumption());
    }

    @Test
    void identifiersAndViewAttributes_areRead() throws Exception {
        Radiograph r = decode(new TestDicom());
        assertEquals("2.25.1.99.1", r.studyInstanceUid());
        assertEquals("2.25.1.99.3", r.sopInstanceUid());
        assertEquals("DX", r.modality());
        assertEquals("AP", r.viewPosition());
        assertEquals("PELVIS", r.bodyPart());
    }
}
