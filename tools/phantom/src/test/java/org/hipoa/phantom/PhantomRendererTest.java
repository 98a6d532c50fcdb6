package org.hipoa.phantom;

import org.hipoa.domain.Side;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The grading rules must hold on the rendered pixels, not only in the labels: these tests measure
 * joint-space width, osteophyte area, sclerosis and cysts from stored values. Most renders are
 * noise-free (package-private option) so small effects are measured exactly; one test is noisy.
 */
class PhantomRendererTest {

    private static final PhantomRenderer.Options CLEAN = PhantomRenderer.Options.NOISELESS;

    /** A hip of a sampled case. */
    record Hip(PhantomCase c, Side side) {
        HipTruth truth() {
            return c.hip(side);
        }

        String key() {
            return PhantomRenderer.key(side);
        }

        @Override
        public String toString() {
            return "seed " + c.seed() + " " + side + " " + c.hip(side);
        }
    }

    /** The first n hips (scanning seeds upwards from 1000) that satisfy the predicate. */
    private static List<Hip> hips(int n, Predicate<HipTruth> want) {
        List<Hip> out = new ArrayList<>();
        for (long seed = 1000; out.size() < n; seed++) {
            PhantomCase c = PhantomSampler.sample(seed);
            for (Side side : Side.values()) {
                if (out.size() < n && want.test(c.hip(side))) {
                    out.add(new Hip(c, side));
                }
            }
        }
        return out;
    }

    @Test
    void sameSeedGivesIdenticalPixelsOnAnyThreadAndSeedsDiffer() throws Exception {
        PhantomCase c = PhantomSampler.sample(7);
        RenderedFilm a = PhantomRenderer.render(c);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<RenderedFilm> b = pool.submit(() -> PhantomRenderer.render(PhantomSampler.sample(7)));
            Future<RenderedFilm> other = pool.submit(() -> PhantomRenderer.render(PhantomSampler.sample(8)));
            assertArrayEquals(a.pixels(), b.get().pixels());
            assertEquals(a.phantomCase(), b.get().phantomCase());
            assertFalse(Arrays.equals(a.pixels(), other.get().pixels()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void storedValuesFillTheRangeShuttersAreBrightAndTheMarkerIsOnThePatientsRight() {
        PhantomCase c = null;
        for (long seed = 0; c == null; seed++) {
            PhantomCase k = PhantomSampler.sample(seed);
            if (k.num("collimationTopMm") > 10 && k.num("collimationLeftMm") > 10) {
                c = k;
            }
        }
        RenderedFilm f = PhantomRenderer.render(c);
        int max = c.maxValue();
        int lo = Integer.MAX_VALUE;
        int hi = 0;
        for (short p : f.pixels()) {
            lo = Math.min(lo, p & 0xFFFF);
            hi = Math.max(hi, p & 0xFFFF);
        }
        assertTrue(hi <= max, "value above 2^bitsStored-1");
        assertTrue(hi - lo > 0.9 * max, "range used: " + lo + ".." + hi + " of " + max);
        // the collimated corner (top-left 5 mm) is bright, like unexposed detector on real DX
        int corner = f.value((int) (5 / c.pixelSpacingMm()), (int) (5 / c.pixelSpacingMm()));
        assertTrue(corner > 0.95 * max, "shutter region not bright: " + corner);
        // the lead "R" is the brightest thing inside the field, and it sits on the image left
        double[] field = Exposure.field(c);
        double s = c.pixelSpacingMm();
        double sumX = 0;
        int n = 0;
        for (int i = (int) (field[1] / s) + 5; i < (int) (field[3] / s) - 5; i++) {
            for (int j = (int) (field[0] / s) + 5; j < (int) (field[2] / s) - 5; j++) {
                if (f.value(i, j) >= 0.97 * max) {
                    sumX += j * s;
                    n++;
                }
            }
        }
        assertTrue(n > 50, "marker not found");
        assertTrue(sumX / n < c.widthMm() / 4, "marker should be near the patient's right (image left)");
    }

    @Test
    void jointSpaceWidthMeasuredOnPixelsFallsWithJsnGrade() {
        double[] mean = new double[4];
        for (int g = 0; g < 4; g++) {
            int grade = g;
            List<Hip> hs = hips(3, h -> h.jsn() == grade);
            double sum = 0;
            for (Hip h : hs) {
                RenderedFilm f = PhantomRenderer.render(h.c(), CLEAN);
                double w = Probe.minSuperiorJsw(f, h.truth());
                // tracks the truth; the half-rise edge reads 0.2-0.9 mm narrow (blur, the tangent-plate ramp)
                assertEquals(h.truth().jswMm(), w, 1.0, "JSN " + g + " hip " + h);
                sum += w;
            }
            mean[g] = sum / hs.size();
        }
        for (int g = 1; g < 4; g++) {
            assertTrue(mean[g] < mean[g - 1] - 0.4, "JSW by grade not falling: " + Arrays.toString(mean));
        }
    }

    @Test
    void noisyFilmStillSeparatesNormalFromSevereNarrowing() {
        Hip normal = hips(1, h -> h.jsn() == 0 && h.jswRatio() > 0.9).get(0);
        Hip severe = hips(1, h -> h.jsn() == 3).get(0);
        double wn = Probe.minSuperiorJsw(PhantomRenderer.render(normal.c()), normal.truth());
        double ws = Probe.minSuperiorJsw(PhantomRenderer.render(severe.c()), severe.truth());
        assertTrue(wn > ws + 1.5, "noisy JSW normal " + wn + " vs severe " + ws);
    }

    @Test
    void femoralOsteophyteAreaRisesWithFoGrade() {
        double[] area = osteophyteAreaByGrade(true);
        assertEquals(0, area[0], 1e-9, "FO 0 must add no bone");
        for (int g = 1; g < 4; g++) {
            assertTrue(area[g] > 1.4 * area[g - 1] + 1, "FO area by grade: " + Arrays.toString(area));
        }
    }

    @Test
    void acetabularOsteophyteAreaRisesWithAoGrade() {
        double[] area = osteophyteAreaByGrade(false);
        assertEquals(0, area[0], 1e-9, "AO 0 must add no bone");
        for (int g = 1; g < 4; g++) {
            assertTrue(area[g] > 1.4 * area[g - 1] + 1, "AO area by grade: " + Arrays.toString(area));
        }
    }

    /** Mean area (mm^2) where the spurs brighten the noise-free film, 2 hips per grade. */
    private static double[] osteophyteAreaByGrade(boolean femoral) {
        PhantomRenderer.Options without = femoral
                ? new PhantomRenderer.Options(false, false, true, true, true)
                : new PhantomRenderer.Options(false, true, false, true, true);
        double[] area = new double[4];
        for (int g = 0; g < 4; g++) {
            int grade = g;
            List<Hip> hs = hips(2, h -> (femoral ? h.fo() : h.ao()) == grade);
            for (Hip h : hs) {
                RenderedFilm on = PhantomRenderer.render(h.c(), CLEAN);
                RenderedFilm off = PhantomRenderer.render(h.c(), without);
                area[g] += Probe.brightenedAreaMm2(on, off, h.truth(), 0.01) / hs.size();
            }
        }
        return area;
    }

    @Test
    void sclerosisBrightensTheSubchondralBandAndIsAbsentOtherwise() {
        PhantomRenderer.Options noScl = new PhantomRenderer.Options(false, true, true, false, true);
        for (Hip h : hips(3, HipTruth::sclerosis)) {
            RenderedFilm on = PhantomRenderer.render(h.c(), CLEAN);
            RenderedFilm off = PhantomRenderer.render(h.c(), noScl);
            double gain = Probe.roofBandMean(on, h) - Probe.roofBandMean(off, h);
            assertTrue(gain > 0.01 * h.c().maxValue(), "sclerotic band gain " + gain + " for " + h);
        }
        PhantomCase clear = null;
        for (long seed = 1000; clear == null; seed++) {
            PhantomCase c = PhantomSampler.sample(seed);
            clear = c.right().sclerosis() || c.left().sclerosis() ? null : c;
        }
        assertArrayEquals(PhantomRenderer.render(clear, CLEAN).pixels(),
                PhantomRenderer.render(clear, noScl).pixels(), "sclerosis drawn although absent");
    }

    @Test
    void cystsAreLucenciesNearTheJoint() {
        PhantomRenderer.Options noCysts = new PhantomRenderer.Options(false, true, true, true, false);
        for (Hip h : hips(3, HipTruth::cysts)) {
            RenderedFilm on = PhantomRenderer.render(h.c(), CLEAN);
            RenderedFilm off = PhantomRenderer.render(h.c(), noCysts);
            double darkened = Probe.darkenedAreaMm2(on, off, h.truth(), 0.005);
            int n = (int) h.c().num(h.key() + "cystCount");
            // at least half of the smallest possible cyst's disc per cyst
            assertTrue(darkened > n * 0.5 * Math.PI * 1.5 * 1.5, "cyst lucency area " + darkened + " for " + h);
        }
    }
}
