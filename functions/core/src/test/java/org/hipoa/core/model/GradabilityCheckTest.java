package org.hipoa.core.model;

import org.hipoa.domain.Feature;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.HipStatus;
import org.hipoa.domain.result.NotGradable;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The refusal and calibration rules the grader's metadata sets, without a model: what a hip's fate rests on. */
class GradabilityCheckTest {
    static final ModelInfo WITH = new ModelInfo("g", "1", Map.of(
            "gradabilityClasses", "[\"gradable\", \"arthroplasty\", \"hardware\"]", "oodThreshold", "40.0",
            "temperature", "{\"fo\": 2.0, \"ao\": 1.5, \"jsn\": 1.0, \"sclerosis\": 0.5, \"cysts\": 1.2}"));

    @Test
    void theGradabilityHeadAndTheDistanceDecide_andNaNRefuses() {
        GradabilityCheck c = GradabilityCheck.of(WITH);
        assertTrue(c.present());
        assertEquals(Optional.empty(), c.judge(new float[] {3, 0, 0}, 39.9f));
        assertEquals(Optional.of(NotGradable.ARTHROPLASTY), c.judge(new float[] {0, 3, 1}, 1f));
        assertEquals(Optional.of(NotGradable.HARDWARE), c.judge(new float[] {0, 1, 3}, 1f));
        assertEquals(Optional.of(NotGradable.OUT_OF_DISTRIBUTION), c.judge(new float[] {3, 0, 0}, 40.1f));
        assertEquals(Optional.of(NotGradable.OUT_OF_DISTRIBUTION), c.judge(new float[] {3, 0, 0}, Float.NaN));
        assertEquals(Optional.of(NotGradable.OUT_OF_DISTRIBUTION), c.judge(new float[] {3, Float.NaN, 0}, 1f));
        assertThrows(IllegalStateException.class, () -> c.judge(new float[] {3, 0}, 1f));
    }

    @Test
    void aGraderWithoutTheMetadata_cannotRefuse_andSaysSo() {
        ModelInfo bare = new ModelInfo("g", "1", Map.of());
        assertFalse(GradabilityCheck.of(bare).present());
        assertEquals(Optional.empty(), GradabilityCheck.of(bare).judge(new float[0], Float.NaN));
        assertFalse(Calibration.of(bare).calibrated());
    }

    @Test
    void brokenMetadata_isRefusedAtLoad() {
        assertThrows(IllegalStateException.class, () -> GradabilityCheck.of(new ModelInfo("g", "1",
                Map.of("gradabilityClasses", "[\"gradable\", \"arthroplasty\"]"))));           // no threshold
        assertThrows(IllegalStateException.class, () -> GradabilityCheck.of(new ModelInfo("g", "1",
                Map.of("gradabilityClasses", "[\"gradable\", \"cast\"]", "oodThreshold", "4"))));
        assertThrows(IllegalStateException.class, () -> GradabilityCheck.of(new ModelInfo("g", "1",
                Map.of("gradabilityClasses", "[\"gradable\"]", "oodThreshold", "NaN"))));
        assertThrows(IllegalStateException.class, () -> Calibration.of(new ModelInfo("g", "1",
                Map.of("temperature", "{\"fo\": 1, \"ao\": 1, \"jsn\": 1, \"sclerosis\": 0, \"cysts\": 1}"))));
        assertThrows(IllegalStateException.class, () -> Calibration.of(new ModelInfo("g", "1",
                Map.of("temperature", "{\"fo\": 1}"))));
    }

    @Test
    void temperatures_softenTheProbabilities_butNeverMoveAGrade() {
        Calibration t = Calibration.of(WITH);
        assertTrue(t.calibrated());
        Map<Feature, float[]> logits = new EnumMap<>(Feature.class);
        logits.put(Feature.FO, new float[] {0, 4, 1, -2});
        logits.put(Feature.AO, new float[] {3, 0, 0, 0});
        logits.put(Feature.JSN, new float[] {0, 0, 1, 0});
        logits.put(Feature.SCLEROSIS, new float[] {1, 0});
        logits.put(Feature.CYSTS, new float[] {0, 2});
        HipPrediction raw = HipPrediction.fromLogits(Side.RIGHT, logits, 1, 2);
        HipPrediction cal = HipPrediction.fromLogits(Side.RIGHT, logits, null, 0, 0, 1, 2, t, Optional.empty());
        for (Feature f : Feature.values()) {
            assertEquals(raw.grade(f), cal.grade(f), f.name());
            double sum = 0;
            for (float p : cal.probabilities().get(f)) sum += p;
            assertEquals(1.0, sum, 1e-5);
        }
        // T = 2 flattens FO, T = 0.5 sharpens sclerosis, T = 1 leaves JSN as it was.
        assertTrue(cal.probabilities().get(Feature.FO)[1] < raw.probabilities().get(Feature.FO)[1]);
        assertTrue(cal.probabilities().get(Feature.SCLEROSIS)[0] > raw.probabilities().get(Feature.SCLEROSIS)[0]);
        assertEquals(raw.probabilities().get(Feature.JSN)[2], cal.probabilities().get(Feature.JSN)[2], 1e-6);
    }

    @Test
    void aRefusedHip_isStoredWithoutItsGrades() {
        Map<Feature, float[]> logits = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) logits.put(f, new float[f.classes()]);
        HipPrediction p = HipPrediction.fromLogits(Side.LEFT, logits, null, 0, 0, 10.004, 20, Calibration.NONE,
                Optional.of(NotGradable.ARTHROPLASTY));
        assertFalse(p.graded());
        assertEquals(HipStatus.NOT_GRADABLE, p.result().status());
        assertTrue(p.result().grades().isEmpty());
        assertEquals(List.of(10.0, 20.0), List.of(p.result().centerXmm(), p.result().centerYmm()));
    }
}
