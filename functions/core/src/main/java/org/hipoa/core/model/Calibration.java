package org.hipoa.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.domain.Feature;

import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * Per-feature temperatures the training fitted on held-out validation hips (training/hipoa_train/fit_abstention.py,
 * temperature scaling) and wrote into the grader's metadata ({@code temperature}); the probabilities the product
 * returns are softmax(logits / T). Dividing by a positive T never changes the arg-max, so grades are the model's own.
 * A model without the property is uncalibrated ({@link #NONE}, T = 1) and says so ({@link #calibrated()}).
 */
public record Calibration(Map<Feature, Double> temperature, boolean calibrated) {
    public static final Calibration NONE = new Calibration(uniform(), false);

    public Calibration {
        for (Feature f : Feature.values()) {
            Double t = temperature.get(f);
            // Fail closed: a missing, NaN, zero or negative temperature is a broken model file, refused at load.
            if (t == null || !(t > 0) || t.isInfinite()) throw new IllegalStateException("temperature of " + f + ": " + t);
        }
        temperature = Map.copyOf(new EnumMap<>(temperature));
    }

    public static Calibration of(ModelInfo info) {
        String json = info.properties().get("temperature");
        if (json == null) return NONE;
        JsonNode node;
        try {
            node = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("the grader's temperature metadata is not JSON: " + json, e);
        }
        Map<Feature, Double> t = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            JsonNode v = node.get(f.key());
            t.put(f, v == null || !v.isNumber() ? null : v.asDouble());
        }
        return new Calibration(t, true);
    }

    public double of(Feature f) {
        return temperature.get(f);
    }

    private static Map<Feature, Double> uniform() {
        Map<Feature, Double> t = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) t.put(f, 1.0);
        return t;
    }
}
