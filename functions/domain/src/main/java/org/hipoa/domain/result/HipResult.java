package org.hipoa.domain.result;

import org.hipoa.domain.Feature;

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

    /**
     * The one place where model output becomes a result: probabilities to 4 decimals, the centre to 0.01 mm. The
     * API, the command line and the stored record all carry these rounded values.
     */
    public static HipResult of(Map<Feature, Integer> grades, Map<Feature, float[]> probabilities, double centerXmm,
                               double centerYmm) {
        Map<Feature, List<Double>> p = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            List<Double> v = new ArrayList<>();
            for (float x : probabilities.get(f)) v.add(Math.round(x * 10000) / 10000.0);
            p.put(f, v);
        }
        return new HipResult(grades.get(Feature.FO), grades.get(Feature.AO), grades.get(Feature.JSN),
                grades.get(Feature.SCLEROSIS) == 1, grades.get(Feature.CYSTS) == 1, p,
                Math.round(centerXmm * 100) / 100.0, Math.round(centerYmm * 100) / 100.0);
    }

    /** The grade of {@code f} as a number: 0–3, or 0/1 for absent/present. */
    public int grade(Feature f) {
        return switch (f) {
            case FO -> fo;
            case AO -> ao;
            case JSN -> jsn;
            case SCLEROSIS -> sclerosis ? 1 : 0;
            case CYSTS -> cysts ? 1 : 0;
        };
    }
}
