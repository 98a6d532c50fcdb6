package org.hipoa.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.domain.result.NotGradable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether the grader may grade a hip, from its two abstention outputs (training/hipoa_train/fit_abstention.py): the
 * {@code gradability} logits (gradable / arthroplasty / hardware, a head trained on the phantom's hips with hardware)
 * and the {@code ood_distance} (squared Mahalanobis distance of the hip's features from the training hips'), refused
 * above the {@code oodThreshold} the training fitted on validation hips for a stated false-abstain rate.
 *
 * <p>Fails closed: a NaN logit or distance refuses the hip. A grader without these outputs cannot refuse anything;
 * {@link #ABSENT} marks it, and the model card names which shipped graders have them.
 */
public record GradabilityCheck(List<String> classes, double oodThreshold) {
    public static final GradabilityCheck ABSENT = new GradabilityCheck(List.of(), Double.NaN);

    public GradabilityCheck {
        classes = List.copyOf(classes);
        if (!classes.isEmpty()) {
            if (!classes.getFirst().equals("gradable")) throw new IllegalStateException("gradability classes " + classes);
            for (String c : classes.subList(1, classes.size())) reasonOf(c);
            if (!(oodThreshold > 0) || Double.isInfinite(oodThreshold)) {
                throw new IllegalStateException("oodThreshold " + oodThreshold);
            }
        }
    }

    public static GradabilityCheck of(ModelInfo info) {
        String classes = info.properties().get("gradabilityClasses");
        if (classes == null) return ABSENT;
        String threshold = info.properties().get("oodThreshold");
        if (threshold == null) throw new IllegalStateException("the grader has gradability classes but no oodThreshold");
        List<String> names = new ArrayList<>();
        try {
            for (JsonNode n : new ObjectMapper().readTree(classes)) names.add(n.asText());
        } catch (IOException e) {
            throw new IllegalStateException("gradabilityClasses is not JSON: " + classes, e);
        }
        try {
            return new GradabilityCheck(names, Double.parseDouble(threshold));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("oodThreshold is not a number: " + threshold, e);
        }
    }

    public boolean present() {
        return !classes.isEmpty();
    }

    /** Empty when the hip may be graded; else why not. */
    public Optional<NotGradable> judge(float[] gradabilityLogits, float oodDistance) {
        if (!present()) return Optional.empty();
        if (gradabilityLogits.length != classes.size()) {
            throw new IllegalStateException("gradability output has " + gradabilityLogits.length + " values for "
                    + classes.size() + " classes");
        }
        int best = 0;
        for (int i = 0; i < gradabilityLogits.length; i++) {
            if (Float.isNaN(gradabilityLogits[i])) return Optional.of(NotGradable.OUT_OF_DISTRIBUTION);
            if (gradabilityLogits[i] > gradabilityLogits[best]) best = i;
        }
        if (best > 0) return Optional.of(reasonOf(classes.get(best)));
        // !(d <= t), not d > t: a NaN distance refuses.
        if (!(oodDistance <= oodThreshold)) return Optional.of(NotGradable.OUT_OF_DISTRIBUTION);
        return Optional.empty();
    }

    private static NotGradable reasonOf(String cls) {
        return switch (cls) {
            case "arthroplasty" -> NotGradable.ARTHROPLASTY;
            case "hardware" -> NotGradable.HARDWARE;
            default -> throw new IllegalStateException("unknown gradability class " + cls);
        };
    }
}
