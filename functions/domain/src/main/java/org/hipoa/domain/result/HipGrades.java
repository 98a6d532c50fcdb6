package org.hipoa.domain.result;

import org.hipoa.domain.Feature;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The grades of one graded hip: OARSI 0–3 for FO, AO and JSN, sclerosis and cysts present or not, and the calibrated
 * probability vector of every feature (4 decimals).
 */
public record HipGrades(int fo, int ao, int jsn, boolean sclerosis, boolean cysts,
                        Map<Feature, List<Double>> probabilities) {
    public HipGrades {
        for (int g : new int[]{fo, ao, jsn}) if (g < 0 || g > 3) throw new IllegalArgumentException("grade " + g);
        Map<Feature, List<Double>> copy = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            List<Double> p = probabilities.get(f);
            if (p == null || p.size() != f.classes()) throw new IllegalArgumentException(f + " probabilities");
            for (Double x : p) {
                // Fail closed: a NaN or out-of-range probability is a broken model, not a result.
                if (x == null || !(x >= 0 && x <= 1)) throw new IllegalArgumentException(f + " probability " + x);
            }
            copy.put(f, List.copyOf(p));
        }
        probabilities = Map.copyOf(copy);
    }

    /** Model output to what is stored and returned: probabilities rounded once, to 4 decimals. */
    public static HipGrades of(Map<Feature, Integer> grades, Map<Feature, float[]> probabilities) {
        Map<Feature, List<Double>> p = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            List<Double> v = new ArrayList<>();
            for (float x : probabilities.get(f)) v.add(Math.round(x * 10000) / 10000.0);
            p.put(f, v);
        }
        return new HipGrades(grades.get(Feature.FO), grades.get(Feature.AO), grades.get(Feature.JSN),
                grades.get(Feature.SCLEROSIS) == 1, grades.get(Feature.CYSTS) == 1, p);
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
