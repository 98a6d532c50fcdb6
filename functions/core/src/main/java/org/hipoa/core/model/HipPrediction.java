package org.hipoa.core.model;

import org.hipoa.domain.Side;
import org.hipoa.domain.result.HipResult;
import org.hipoa.domain.result.NotGradable;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.hipoa.domain.wire.HipHeatmaps;
import org.hipoa.domain.Feature;

/**
 * The grader's prediction for one hip: the most probable grade of each feature and the full probability vectors
 * (softmax of the logits over the model's calibration temperature, unrounded), plus where the hip was found, in image
 * mm, whether the grader refused it ({@link GradabilityCheck}) and — when the grader has CAM outputs — where it
 * looked ({@link HipHeatmaps}). What is stored and returned is its {@link #result()}, a {@link HipResult}: a refused
 * hip's grades are never shown.
 */
public record HipPrediction(Side side, Map<Feature, Integer> grades, Map<Feature, float[]> probabilities,
                            double centerXmm, double centerYmm, Optional<HipHeatmaps> heatmaps,
                            Optional<NotGradable> notGradable) {

    public HipPrediction(Side side, Map<Feature, Integer> grades, Map<Feature, float[]> probabilities,
                     double centerXmm, double centerYmm) {
        this(side, grades, probabilities, centerXmm, centerYmm, Optional.empty(), Optional.empty());
    }

    public HipPrediction {
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(heatmaps, "heatmaps");
        Objects.requireNonNull(notGradable, "notGradable");
        grades = Map.copyOf(new EnumMap<>(grades));
        probabilities = Map.copyOf(new EnumMap<>(probabilities));
        for (Feature f : Feature.values()) {
            Integer g = grades.get(f);
            if (g == null || g < 0 || g >= f.classes()) throw new IllegalArgumentException(f + " grade " + g);
            if (probabilities.get(f).length != f.classes()) throw new IllegalArgumentException(f + " probabilities");
        }
    }

    /** As stored and returned (rounded once, in {@link HipResult#of}); a refused hip without its grades. */
    public HipResult result() {
        return notGradable.map(why -> HipResult.notGradable(why, centerXmm, centerYmm))
                .orElseGet(() -> HipResult.of(grades, probabilities, centerXmm, centerYmm));
    }

    public boolean graded() {
        return notGradable.isEmpty();
    }


    public int grade(Feature f) {
        return grades.get(f);
    }

    public boolean present(Feature f) {
        if (!f.isBinary()) throw new IllegalArgumentException(f + " is graded 0-3, not present/absent");
        return grades.get(f) == 1;
    }

    /** Grades from raw logits: arg-max, with softmax probabilities (uncalibrated, graded). */
    static HipPrediction fromLogits(Side side, Map<Feature, float[]> logits, double centerXmm, double centerYmm) {
        return fromLogits(side, logits, null, 0, 0, centerXmm, centerYmm, Calibration.NONE, Optional.empty());
    }

    /**
     * As above, with the grader's class maps ({@code null} when the model has none) on a rows × cols grid, its
     * calibration and its gradability verdict.
     */
    static HipPrediction fromLogits(Side side, Map<Feature, float[]> logits, Map<Feature, float[]> classMaps, int rows,
                                int cols, double centerXmm, double centerYmm, Calibration calibration,
                                Optional<NotGradable> notGradable) {
        Map<Feature, Integer> grades = new EnumMap<>(Feature.class);
        Map<Feature, float[]> probabilities = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            float[] z = logits.get(f);
            float max = Float.NEGATIVE_INFINITY;
            int best = 0;
            for (int i = 0; i < z.length; i++) {
                if (z[i] > max) {
                    max = z[i];
                    best = i;
                }
            }
            float[] p = new float[z.length];
            double sum = 0, t = calibration.of(f);
            for (int i = 0; i < z.length; i++) sum += p[i] = (float) Math.exp((z[i] - max) / t);
            for (int i = 0; i < z.length; i++) p[i] /= (float) sum;
            grades.put(f, best);
            probabilities.put(f, p);
        }
        Optional<HipHeatmaps> heatmaps = classMaps == null ? Optional.empty()
                : Optional.of(HipHeatmaps.ofClassMaps(rows, cols, classMaps, grades));
        return new HipPrediction(side, grades, probabilities, centerXmm, centerYmm, heatmaps, notGradable);
    }
}
