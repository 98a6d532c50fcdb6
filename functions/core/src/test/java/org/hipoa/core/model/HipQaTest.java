package org.hipoa.core.model;

import org.hipoa.core.crop.CropContract;
import org.hipoa.dicom.PixelSpacing;
import org.hipoa.dicom.Radiograph;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.Reason;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The attribute gate's order and its defence in depth, on radiographs built without the decoder. */
class HipQaTest {
    private static Radiograph film(int rows, int columns, double rowMm, double columnMm) {
        return new Radiograph(rows, columns, new float[rows * columns],
                new PixelSpacing(rowMm, columnMm, PixelSpacing.Source.PIXEL_SPACING),
                TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, "MONOCHROME2", 8, Optional.empty(), "", "", "", "DX",
                "AP", "", "PELVIS");
    }

    @Test
    void needlePixels_areRefusedAsImplausibleGeometry_andWouldHaveExceededTheResamplingBound() {
        Radiograph needle = film(90, 38_000, 4.99, 0.0101); // 449 x 384 mm, pixels 494:1
        assertTrue(HipQa.resamplingSamples(needle, CropContract.bundled()) > HipQa.MAX_RESAMPLING_SAMPLES,
                "the resampling bound is the second line of defence for such a film");
        assertEquals(Reason.IMPLAUSIBLE_GEOMETRY,
                HipQa.checkAttributes(needle, CropContract.bundled()).orElseThrow().reason());
    }

    @Test
    void aFilmSideOverTwoMetres_isImplausibleGeometry_butAMerelyTooSmallFilm_isNotAPelvis() {
        // 1,100 x 1,000 px at 4.5 mm (a 0.45 mm spacing written ten times too large): 4.5 x 5 m.
        assertEquals(Reason.IMPLAUSIBLE_GEOMETRY,
                HipQa.checkAttributes(film(1100, 1000, 4.5, 4.5), CropContract.bundled()).orElseThrow().reason());
        // 100 x 100 px at 0.5 mm: a plausible film of a hand, not a pelvis.
        assertEquals(Reason.NOT_AP_PELVIS,
                HipQa.checkAttributes(film(100, 100, 0.5, 0.5), CropContract.bundled()).orElseThrow().reason());
    }

    @Test
    void aPlausiblePelvisFilm_passesTheAttributeGate() {
        Radiograph r = film(2000, 2400, 0.15, 0.15);
        assertEquals(Optional.empty(), HipQa.checkAttributes(r, CropContract.bundled()), "a plausible pelvis film");
    }
}
