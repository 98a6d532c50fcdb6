package org.hipoa.core.crop;

import org.hipoa.domain.Side;
import org.hipoa.dicom.PixelSpacing;
import org.hipoa.dicom.Radiograph;
import org.hipoa.domain.HipCrop;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The crop contract as the models rely on it: geometry in mm, left mirrored, robust normalisation. */
class CropContractTest {
    final CropContract contract = CropContract.bundled();

    /** A 300 × 250 mm film at 0.15 mm/px, dark, with bright discs of radius 20 mm at the given centres (mm). */
    static Radiograph film(double[]... discs) {
        double s = 0.15;
        int rows = (int) (250 / s), columns = (int) (300 / s);
        float[] p = new float[rows * columns];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                float v = 100 + (j % 7); // faint texture so percentiles are not degenerate
                for (double[] d : discs) if (Math.hypot(j * s - d[0], i * s - d[1]) < 20) v = 1000;
                p[i * columns + j] = v;
            }
        }
        return new Radiograph(rows, columns, p, new PixelSpacing(s, s, PixelSpacing.Source.PIXEL_SPACING), "",
                "MONOCHROME2", 12, Optional.empty(), "", "", "", "DX", "AP", "", "PELVIS");
    }

    @Test
    void bundledContract_isTheOneInModelDir() {
        assertEquals(1, contract.version());
        assertEquals(160, contract.graderOutputPx());
        assertTrue(contract.mirrorLeft());
    }

    @Test
    void crop_isCentredOnTheHead_andNormalisedToTheContractRange() {
        Radiograph r = film(new double[] {100, 120});
        HipCrop crop = new HipCropper(contract).crop(r, Side.RIGHT, 100, 120);
        int n = crop.size();
        float centre = crop.pixels()[(n / 2) * n + n / 2], corner = crop.pixels()[0];
        // Bright disc maps near the high percentile ((1 - 0.5) / 0.25 = +2), background near the low one (-2).
        assertEquals(2.0, centre, 0.05);
        assertEquals(-2.0, corner, 0.2);
        // The disc (radius 20 mm) spans 20 / (96 / 160) ≈ 33 px each side of the centre, symmetric.
        int row = n / 2, left = 0, right = n - 1;
        while (crop.pixels()[row * n + left] < 0) left++;
        while (crop.pixels()[row * n + right] < 0) right--;
        assertEquals(n / 2.0 - 0.5, (left + right) / 2.0, 1.0);
        assertEquals(2 * 20 / (contract.graderCropMm() / n), right - left + 1, 2.0);
    }

    @Test
    void leftHip_isMirroredIntoRightOrientation() {
        // An asymmetric feature: a disc plus a small bright spur 25 mm to the image-right of the left head centre.
        Radiograph r = film(new double[] {200, 120}, new double[] {225, 120});
        HipCrop left = new HipCropper(contract).crop(r, Side.LEFT, 200, 120);
        HipCrop right = new HipCropper(contract).crop(r, Side.RIGHT, 200, 120);
        int n = left.size();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(right.pixels()[i * n + j], left.pixels()[i * n + (n - 1 - j)], 1e-5, "pixel " + i + "," + j);
            }
        }
    }

    @Test
    void localiserCanvas_mapsBackToImageMillimetres() {
        Radiograph r = film(new double[] {90, 140});
        LocaliserInput in = LocaliserInput.of(r, contract);
        assertEquals(contract.localiserWidthPx() * contract.localiserHeightPx(), in.pixels().length);
        double sx = 0, sy = 0, w = 0;
        for (int i = 0; i < in.height(); i++) {
            for (int j = 0; j < in.width(); j++) {
                float v = in.pixels()[i * in.width() + j];
                if (v > 1) {
                    sx += j * v;
                    sy += i * v;
                    w += v;
                }
            }
        }
        assertEquals(90, in.toImageXmm(sx / w), 1.0);
        assertEquals(140, in.toImageYmm(sy / w), 1.0);
    }
}
