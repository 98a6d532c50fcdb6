package org.hipoa.phantom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hipoa.domain.Feature;
import org.junit.jupiter.api.Test;

/**
 * Phantom v2's contract, on labels alone (no rendering): the ceilings the issue asks for, per site, on a few hundred
 * films; reference grades are cuts of the severity and the findings rise with it; hardware rates; readerP sums to 1.
 */
class PhantomV2Test {

    /** The paper's test accuracy per feature (FO, AO, JSN, sclerosis, cysts), internal and external. */
    static final double[] PAPER_INTERNAL = {0.867, 0.699, 0.817, 0.958, 0.976};
    static final double[] PAPER_EXTERNAL = {0.827, 0.654, 0.808, 0.885, 0.913};

    static List<String> labels(long runSeed, int films, PhantomSpec spec) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < films; i++) {
            PhantomCase c = PhantomSampler.sample(PhantomSeeds.imageSeed(runSeed, i), spec);
            lines.add(LabelsJson.line(PhantomSeeds.fileName(i), c, Map.of()));
        }
        return lines;
    }

    @Test
    void ceilingsLieInTheRequiredWindowsOnAFewHundredFilms() {
        for (long seed : new long[] {271828, 5}) {
            Ceiling internal = Ceiling.of(labels(seed, 400, PhantomSpec.V2_INTERNAL));
            Ceiling external = Ceiling.of(labels(seed, 400, PhantomSpec.V2_EXTERNAL));
            for (Feature f : Feature.values()) {
                int k = f.ordinal();
                double in = internal.ceiling().get(f), ex = external.ceiling().get(f);
                double hi = Math.min(0.995, PAPER_INTERNAL[k] + 0.05);
                assertTrue(in >= PAPER_INTERNAL[k] && in <= hi,
                        f.key() + " internal ceiling " + in + " outside [" + PAPER_INTERNAL[k] + ", " + hi + "], seed " + seed);
                double drop = (PAPER_INTERNAL[k] - PAPER_EXTERNAL[k]) / 2;
                assertTrue(ex <= in - drop, f.key() + " external ceiling " + ex + " not " + drop + " below " + in
                        + ", seed " + seed);
            }
        }
    }

    @Test
    void externalJsnLabelsGradeTheSupineJointTheFilmShows() {
        // A reader sees the supine film's joint, not the standing one: the labelled JSN severity must be the one whose
        // joint-space ratio is drawn. Were it the standing severity, no model reading the film could reach the ceiling.
        int narrowed = 0;
        for (long seed = 0; seed < 300; seed++) {
            PhantomCase c = PhantomSampler.sample(seed, PhantomSpec.V2_EXTERNAL);
            HipTruth[] truths = {c.right(), c.left()};
            HipLabel[] labels = {c.labels().right(), c.labels().left()};
            for (int h = 0; h < 2; h++) {
                if (!labels[h].gradable()) continue;
                double shown = truths[h].jswMm() / truths[h].normalJswMm();
                if (shown >= 0.999) continue;
                narrowed++;
                double labelled = labels[h].severity()[Feature.JSN.ordinal()];
                assertEquals(shown, Disease.jsnRatio(labelled), 0.002, "seed " + seed + " hip " + h);
                assertEquals(Disease.cut(Feature.JSN.ordinal(), labelled), labels[h].truth()[Feature.JSN.ordinal()]);
            }
        }
        assertTrue(narrowed > 200, "too few narrowed external hips to check: " + narrowed);
    }

    @Test
    void readersAgreeLessBetweenThanWithinAndLessThanPerfectly() {
        Ceiling c = Ceiling.of(labels(3, 300, PhantomSpec.V2_INTERNAL));
        for (Feature f : Feature.values()) {
            double between = c.kappaBetweenReaders().get(f)[0], within = c.kappaWithinReader().get(f)[0];
            assertTrue(between < within && within < 0.95 && between > 0.3, f.key() + " κ " + between + " / " + within);
        }
    }

    @Test
    void truthIsACutOfSeverityAndFindingsRiseWithIt() {
        double lastSpur = -1, lastQ = 2;
        for (double s = -0.2; s < 1.3; s += 0.01) {
            double spur = Disease.spurMm(Feature.FO.ordinal(), s), q = Disease.jsnRatio(s);
            assertTrue(spur >= lastSpur && q <= lastQ, "maps must be monotone at " + s);
            lastSpur = spur;
            lastQ = q;
        }
        // small spurs below the first cut exist and are graded 0; no gap between grades
        double justBelow = Disease.CUTS[Feature.FO.ordinal()][0] - 0.05;
        assertTrue(Disease.spurMm(Feature.FO.ordinal(), justBelow) > 0);
        assertEquals(0, Disease.cut(Feature.FO.ordinal(), justBelow));
        assertEquals(1, Disease.cut(Feature.FO.ordinal(), Disease.CUTS[Feature.FO.ordinal()][0] + 1e-9));
        for (long seed = 0; seed < 300; seed++) {
            PhantomCase c = PhantomSampler.sample(seed, PhantomSpec.V2_INTERNAL);
            StudyLabels l = c.labels();
            for (HipLabel h : new HipLabel[] {l.right(), l.left()}) {
                if (!h.gradable()) continue;
                for (Feature f : Feature.values()) {
                    assertEquals(Disease.cut(f.ordinal(), h.severity()[f.ordinal()]), h.truth(f));
                    double sum = 0;
                    for (double p : h.readerP()[f.ordinal()]) sum += p;
                    assertEquals(1.0, sum, 1e-9);
                }
            }
            if (l.right().gradable()) assertEquals(l.right().truth(Feature.JSN), c.right().jsn());
        }
    }

    @Test
    void hardwareRatesPerSiteAndSuchHipsCarryNoGrades() {
        for (PhantomSpec spec : new PhantomSpec[] {PhantomSpec.V2_INTERNAL, PhantomSpec.V2_EXTERNAL}) {
            int hips = 0, hardware = 0;
            for (String line : labels(99, 2000, spec)) {
                hips += 2;
                hardware += line.split("\"gradable\":false", -1).length - 1;
            }
            double rate = (double) hardware / hips;
            double lo = spec.site() == PhantomSpec.Site.INTERNAL ? 0.03 : 0.08;
            assertTrue(rate >= lo && rate <= lo + 0.02, spec.label() + " hardware in " + rate + " of hips");
        }
        for (long seed = 0; seed < 400; seed++) {
            PhantomCase c = PhantomSampler.sample(seed, PhantomSpec.V2_EXTERNAL);
            HipLabel h = c.labels().right();
            if (h.hardware() != null) {
                assertNull(h.grades());
                assertEquals(h.hardware().key(), c.params().get("right.hardware"));
                return;
            }
        }
        throw new AssertionError("no hip with hardware in 400 external films");
    }

    @Test
    void sitesDifferAndV1HasNone() {
        PhantomCase in = PhantomSampler.sample(7, PhantomSpec.V2_INTERNAL), ex = PhantomSampler.sample(7, PhantomSpec.V2_EXTERNAL);
        assertEquals(PhantomSpec.Site.INTERNAL, in.labels().site());
        assertEquals("B", ex.labels().reader().name());
        assertTrue(ex.params().containsKey("unsharpAmount") && !in.params().containsKey("unsharpAmount"));
        assertNull(PhantomSampler.sample(7).labels());
        assertNotEquals(in.params(), ex.params());
        assertThrows(IllegalArgumentException.class, () -> PhantomSpec.parse("v1", "external"));
        assertThrows(IllegalArgumentException.class, () -> PhantomSpec.parse("v3", null));
        assertThrows(IllegalArgumentException.class, () -> Ceiling.of(labels(1, 2, PhantomSpec.V1)));
    }
}
