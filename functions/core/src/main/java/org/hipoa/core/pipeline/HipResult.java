package org.hipoa.core.pipeline;

import org.hipoa.core.model.Feature;
import org.hipoa.core.model.HipGrades;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One graded hip as stored and returned: OARSI grades 0–3 for FO, AO and JSN, sclerosis and cysts present or not,
 * the probability vector of every feature (4 decimals), and the head centre in image mm.
 */
public record HipResult(int fo, int ao, int jsn, boolean sclerosis, boolean cysts,
                        Map<Feature, List<Double>> probabilities, double centerXmm, double centerYmm) {
    public HipResult {
        for (int g : new int[]{fo, ao, jsn}) if (g < 0 || g > 3) throw new IllegalArgumentException("grade " + g);
        Map<Feature, List<Double>> copy = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            List<Double> p = probabilities.get(f);
            if (p == null || p.size() != f.classes()) throw new IllegalArgumentException(f + " probabilities");
            copy.put(f, List.copyOf(p));
        }
        probabilities = Map.copyOf(copy);
    }

    public static HipResult of(HipGrades g) {
        Map<Feature, List<Double>> p = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            List<Double> v = new ArrayList<>();
            for (float x : g.probabilities().get(f)) v.add(Math.round(x * 10000) / 10000.0);
            p.put(f, v);
        }
        return new HipResult(g.grade(Feature.FO), g.grade(Feature.AO), g.grade(Feature.JSN),
                g.present(Feature.SCLEROSIS), g.present(Feature.CYSTS), p,
                Math.round(g.centerXmm() * 100) / 100.0, Math.round(g.centerYmm() * 100) / 100.0);
    }
}
