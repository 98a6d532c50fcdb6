package org.hipoa.report;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import org.hipoa.domain.Feature;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.HipGrades;
import org.hipoa.domain.result.HipResult;
import org.hipoa.domain.result.ModelRef;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the SR tests write from, here and in the other modules' tests (test-jar): headers of real phantom films
 * (src/test/resources/report, kept current by the phantom module's SrFixtureTest; film 0 has Pixel Spacing, film 1
 * Imager Pixel Spacing with a magnification factor) and stored hip results.
 */
public final class SrFixtures {
    public static final ZonedDateTime WHEN = ZonedDateTime.parse("2026-12-01T12:00:00Z");
    public static final ModelRef MODEL = new ModelRef("hipoa-grader-demo", "0.3.1");

    private SrFixtures() {}

    /** The header of phantom film {@code film} (0 or 1), as the export reads it. */
    public static AttributeList source(int film) throws Exception {
        AttributeList l = new AttributeList();
        try (InputStream in = SrFixtures.class.getResourceAsStream("/report/phantom-header-11-" + film + ".dcm")) {
            l.read(new DicomInputStream(new ByteArrayInputStream(in.readAllBytes())));
        }
        return l;
    }

    /** Every feature graded differently on the two sides, so a swapped side or feature cannot pass. */
    public static Map<Side, HipResult> hips() {
        return both(hip(3, 1, 0, 1, 0, 100.25, 160.5), hip(0, 2, 3, 0, 1, 290.0, 158.75));
    }

    public static Map<Side, HipResult> both(HipResult right, HipResult left) {
        Map<Side, HipResult> m = new EnumMap<>(Side.class);
        m.put(Side.RIGHT, right);
        m.put(Side.LEFT, left);
        return m;
    }

    /** One stored hip, each grade certain (probability 1). */
    public static HipResult hip(int fo, int ao, int jsn, int scl, int cyst, double xMm, double yMm) {
        Map<Feature, Integer> g = new EnumMap<>(Map.of(Feature.FO, fo, Feature.AO, ao, Feature.JSN, jsn,
                Feature.SCLEROSIS, scl, Feature.CYSTS, cyst));
        Map<Feature, List<Double>> p = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            List<Double> v = new ArrayList<>();
            for (int c = 0; c < f.classes(); c++) v.add(c == g.get(f) ? 1.0 : 0.0);
            p.put(f, v);
        }
        return HipResult.graded(new HipGrades(fo, ao, jsn, scl == 1, cyst == 1, p), xMm, yMm);
    }

    /** The grades of a stored hip, feature by feature (what the SR states). */
    public static Map<Feature, Integer> grades(HipResult hip) {
        Map<Feature, Integer> g = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) g.put(f, hip.grades().orElseThrow().grade(f));
        return g;
    }
}
