package org.hipoa.core.crop;

import org.hipoa.dicom.PixelSpacing;
import org.hipoa.dicom.Radiograph;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The separable resampler computes the contract's k × k average of bilinear samples (the form the Python training
 * code implements, kept here as the reference), and the selection gives the sorted array's elements.
 */
class ResamplerTest {

    /** A textured film with a bright disc, at a spacing that makes k non-integral in both passes. */
    static Radiograph film(int rows, int columns, double rowMm, double colMm, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] p = new float[rows * columns];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                double d = Math.hypot(i - rows / 3.0, j - columns / 4.0);
                p[i * columns + j] = (float) (200 + 3000 * Math.exp(-d * d / 4000.0) + rnd.nextInt(400));
            }
        }
        return new Radiograph(rows, columns, p, new PixelSpacing(rowMm, colMm, PixelSpacing.Source.PIXEL_SPACING), "",
                "MONOCHROME2", 12, Optional.empty(), "", "", "", "DX", "AP", "", "PELVIS");
    }

    /** The contract's definition, pixel by pixel (as training/hipoa_train/contract.py writes it). */
    static float[] reference(Radiograph r, double x0Mm, double y0Mm, double stepMm, int width, int height, int sx,
                             float outside) {
        double colMm = r.spacing().columnMm(), rowMm = r.spacing().rowMm();
        int k = Math.max(1, (int) Math.ceil(stepMm / Math.min(colMm, rowMm) - 1e-9));
        float[] out = new float[width * height];
        for (int i = 0; i < height; i++) {
            double yc = y0Mm + (i + 0.5 - height / 2.0) * stepMm;
            for (int j = 0; j < width; j++) {
                double xc = x0Mm + (j + 0.5 - width / 2.0) * stepMm * sx;
                double px = xc / colMm, py = yc / rowMm;
                if (!Float.isNaN(outside) && (px < -0.5 || py < -0.5 || px > r.columns() - 0.5 || py > r.rows() - 0.5)) {
                    out[i * width + j] = outside;
                    continue;
                }
                double sum = 0;
                for (int a = 0; a < k; a++) {
                    double y = (yc + ((a + 0.5) / k - 0.5) * stepMm) / rowMm;
                    for (int b = 0; b < k; b++) {
                        double x = (xc + ((b + 0.5) / k - 0.5) * stepMm * sx) / colMm;
                        sum += Resampler.bilinear(r, x, y);
                    }
                }
                out[i * width + j] = (float) (sum / (k * k));
            }
        }
        return out;
    }

    static void assertSame(float[] expected, float[] got) {
        assertEquals(expected.length, got.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.isInfinite(expected[i])) {
                assertEquals(expected[i], got[i], "pixel " + i);
            } else {
                assertEquals(expected[i], got[i], Math.abs(expected[i]) * 1e-6, "pixel " + i);
            }
        }
    }

    @Test
    void localiserCanvas_equalsTheBoxFilteredBilinearDefinition_insideAndAtTheFilmEdge() {
        Radiograph r = film(900, 700, 0.143, 0.139, 1);
        double cx = (r.columns() - 1) * 0.139 / 2, cy = (r.rows() - 1) * 0.143 / 2;
        // A 2 mm canvas larger than the film (outside marked), and a 0.6 mm one that runs off it (clamped).
        assertSame(reference(r, cx, cy, 2.0, 80, 90, 1, Float.NEGATIVE_INFINITY),
                Resampler.sample(r, cx, cy, 2.0, 80, 90, 1, Float.NEGATIVE_INFINITY));
        assertSame(reference(r, 10, 120, 0.6, 60, 50, 1, Float.NaN), Resampler.sample(r, 10, 120, 0.6, 60, 50, 1, Float.NaN));
    }

    @Test
    void aFullSizeFilm_splitBetweenTheCores_givesTheSameCanvasAsTheDefinition() {
        // 2,400 x 2,000 px at 0.14 mm onto a 2 mm canvas: ~15 source rows per output row, well above the work from
        // which the rows are split between the cores (on a machine with more than one).
        Radiograph r = film(2400, 2000, 0.14, 0.14, 4);
        double cx = (r.columns() - 1) * 0.14 / 2, cy = (r.rows() - 1) * 0.14 / 2;
        assertTrue(2000L * 15 * 180 > Resampler.PARALLEL_FROM);
        assertSame(reference(r, cx, cy, 2.0, 160, 180, 1, Float.NEGATIVE_INFINITY),
                Resampler.sample(r, cx, cy, 2.0, 160, 180, 1, Float.NEGATIVE_INFINITY));
    }

    @Test
    void mirroredCrop_equalsTheDefinition_andUpsamplingToo() {
        Radiograph r = film(600, 640, 0.15, 0.15, 2);
        assertSame(reference(r, 60, 50, 0.6, 160, 160, -1, Float.NaN), Resampler.sample(r, 60, 50, 0.6, 160, 160, -1, Float.NaN));
        assertSame(reference(r, 94, 88, 0.6, 160, 160, -1, Float.NaN), Resampler.sample(r, 94, 88, 0.6, 160, 160, -1, Float.NaN));
        // Finer than the source (k = 1): plain bilinear.
        assertSame(reference(r, 40, 40, 0.05, 30, 20, 1, Float.NaN), Resampler.sample(r, 40, 40, 0.05, 30, 20, 1, Float.NaN));
    }

    @Test
    void selection_givesTheSortedArraysElements() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(trial < 100 ? 40 : 5000);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = switch (rnd.nextInt(6)) {
                    case 0 -> 0.0f;
                    case 1 -> -0.0f;
                    case 2 -> rnd.nextInt(5); // many ties
                    default -> (float) (rnd.nextDouble() * 2000 - 1000);
                };
            }
            float[] before = v.clone(), sorted = v.clone();
            Arrays.sort(sorted);
            int low = (int) Math.floor(0.01 * (n - 1)), high = (int) Math.floor(0.99 * (n - 1));
            float[] got = OrderStatistics.select(v, n, low, high);
            assertEquals(Float.floatToIntBits(sorted[low]), Float.floatToIntBits(got[0]), "low of " + n);
            assertEquals(Float.floatToIntBits(sorted[high]), Float.floatToIntBits(got[1]), "high of " + n);
            assertArrayEquals(before, v, "the input is left as it was");
        }
        // Sorted and reverse-sorted inputs, the classic quickselect worst cases, still select correctly.
        float[] ramp = new float[100_000];
        for (int i = 0; i < ramp.length; i++) ramp[i] = i;
        assertEquals(98_999, OrderStatistics.select(ramp, ramp.length, 999, 98_999)[1]);
        for (int i = 0; i < ramp.length; i++) ramp[i] = -i;
        assertEquals(-99_000, OrderStatistics.select(ramp, ramp.length, 999, 98_999)[0]);
    }
}
