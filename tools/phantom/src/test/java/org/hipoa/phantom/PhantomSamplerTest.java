package org.hipoa.phantom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sampler's contract: ranges, conventions and OA grade frequencies that labels rely on. */
class PhantomSamplerTest {

    private static final int N = 2000;

    @Test
    void sameSeedSameCaseDifferentSeedDifferentCase() {
        assertEquals(PhantomSampler.sample(42), PhantomSampler.sample(42));
        assertNotEquals(PhantomSampler.sample(42).params(), PhantomSampler.sample(43).params());
    }

    @Test
    void filmGeometryFollowsTheCassetteAndMagnification() {
        for (long seed = 0; seed < 300; seed++) {
            PhantomCase c = PhantomSampler.sample(seed);
            double d = c.num("detectorSpacingMm");
            assertTrue(d >= 0.14 && d <= 0.20, "detector spacing " + d);
            assertTrue(c.magnification() >= 1.05 && c.magnification() <= 1.25);
            assertEquals(d / c.magnification(), c.pixelSpacingMm(), 1e-12);
            assertEquals(Math.round(430 / d), c.columns());
            assertEquals(Math.round(350 / d), c.rows());
            assertTrue(c.bitsStored() >= 12 && c.bitsStored() <= 16);
            for (Object v : c.params().values()) {
                assertTrue(v instanceof Number || v instanceof String || v instanceof Boolean);
            }
        }
    }

    @Test
    void hipsAreSymmetricPlausibleAndRightIsOnTheImageLeft() {
        for (long seed = 0; seed < N; seed++) {
            PhantomCase c = PhantomSampler.sample(seed);
            HipTruth r = c.right();
            HipTruth l = c.left();
            assertTrue(r.centerXmm() < l.centerXmm(), "right hip must have the smaller x");
            assertEquals(r.centerYmm(), l.centerYmm(), 1e-9);
            double half = (l.centerXmm() - r.centerXmm()) / 2;
            double size = c.num("sizeFactor");
            assertTrue(half >= 80 * size - 1e-3 && half <= 100 * size + 1e-3, "half spacing " + half);
            double midX = (l.centerXmm() + r.centerXmm()) / 2;
            assertEquals((c.columns() - 1) * c.pixelSpacingMm() / 2, midX, 20.001);
            for (HipTruth h : new HipTruth[] {r, l}) {
                assertTrue(h.headRadiusMm() >= 20 && h.headRadiusMm() <= 27.5, "radius " + h.headRadiusMm());
                assertTrue(h.normalJswMm() >= 3.5 && h.normalJswMm() <= 5.0);
                assertEquals(h.jsn(), GradeBandsV1.jsnGradeOfRatio(h.jswRatio()));
                // the whole joint must be on the film and inside the collimated field
                double[] field = Exposure.field(c);
                assertTrue(h.centerXmm() - 45 >= field[0] - 1e-3 && h.centerXmm() + 45 <= field[2] + 1e-3,
                        "x " + h.centerXmm() + " field " + field[0] + ".." + field[2]);
                assertTrue(h.centerYmm() - 60 >= field[1] && h.centerYmm() + 60 <= field[3], "y " + h.centerYmm());
            }
            String[] keys = {"right.", "left."};
            HipTruth[] hips = {r, l};
            for (int k = 0; k < 2; k++) {
                assertEquals(hips[k].fo(), GradeBandsV1.osteophyteGradeOfMm(c.num(keys[k] + "foMm")));
                assertEquals(hips[k].ao(), GradeBandsV1.osteophyteGradeOfMm(c.num(keys[k] + "aoMm")));
                assertEquals(hips[k].sclerosis(), c.num(keys[k] + "sclerosisMm") > 0);
                assertEquals(hips[k].cysts(), c.num(keys[k] + "cystCount") > 0);
            }
        }
    }

    @Test
    void gradeFrequenciesMatchTheTargets() {
        int[][] counts = new int[3][4];
        int scl = 0;
        int cysts = 0;
        int severeJsnWithoutOsteophytes = 0;
        int severeJsn = 0;
        for (long seed = 0; seed < N; seed++) {
            PhantomCase c = PhantomSampler.sample(seed);
            for (HipTruth h : new HipTruth[] {c.right(), c.left()}) {
                counts[0][h.jsn()]++;
                counts[1][h.fo()]++;
                counts[2][h.ao()]++;
                scl += h.sclerosis() ? 1 : 0;
                cysts += h.cysts() ? 1 : 0;
                if (h.jsn() == 3) {
                    severeJsn++;
                    severeJsnWithoutOsteophytes += h.fo() == 0 && h.ao() == 0 ? 1 : 0;
                }
            }
        }
        double hips = 2.0 * N;
        double[][] targets = {{45, 30, 15, 10}, {50, 25, 15, 10}, {35, 40, 17, 8}};
        String[] names = {"JSN", "FO", "AO"};
        for (int f = 0; f < 3; f++) {
            for (int g = 0; g < 4; g++) {
                double pct = 100 * counts[f][g] / hips;
                assertTrue(counts[f][g] > 0, names[f] + " grade " + g + " never occurs");
                assertEquals(targets[f][g], pct, 5.0, names[f] + " grade " + g + " frequency");
            }
        }
        assertEquals(15, 100 * scl / hips, 4.0, "sclerosis frequency");
        assertEquals(8, 100 * cysts / hips, 3.0, "cyst frequency");
        // correlated as in OA populations: severe narrowing almost always comes with osteophytes
        assertTrue(severeJsnWithoutOsteophytes < 0.05 * severeJsn,
                severeJsnWithoutOsteophytes + " of " + severeJsn + " JSN-3 hips lack osteophytes");
    }

    @Test
    void paramsAreImmutable() {
        Map<String, Object> p = PhantomSampler.sample(1).params();
        try {
            p.put("x", 1);
        } catch (UnsupportedOperationException expected) {
            return;
        }
        throw new AssertionError("params must be unmodifiable");
    }

    @Test
    void truthRejectsAGradeThatContradictsTheWidth() {
        try {
            GradeBandsV1.requireAgrees(new HipTruth(0, 0, 0, false, false, 100, 100, 24, 2.0, 4.0));   // q = 0.5 is JSN 2
        } catch (IllegalArgumentException expected) {
            return;
        }
        throw new AssertionError("v1 accepted jsn 0 for q = 0.5");
    }
}
