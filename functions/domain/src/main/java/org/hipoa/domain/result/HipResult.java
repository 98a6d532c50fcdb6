package org.hipoa.domain.result;

import org.hipoa.domain.Feature;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One hip as stored and returned: where it was found (head centre, image mm) and either its {@link HipGrades} or why
 * it was not graded — never both, never neither.
 */
public record HipResult(Optional<HipGrades> grades, Optional<NotGradable> notGradable, double centerXmm,
                        double centerYmm) {
    public HipResult {
        Objects.requireNonNull(grades, "grades");
        Objects.requireNonNull(notGradable, "notGradable");
        if (grades.isPresent() == notGradable.isPresent()) {
            throw new IllegalArgumentException("a hip has grades or a reason it was not graded, not both or neither");
        }
    }

    public static HipResult graded(HipGrades grades, double centerXmm, double centerYmm) {
        return new HipResult(Optional.of(grades), Optional.empty(), round(centerXmm), round(centerYmm));
    }

    public static HipResult notGradable(NotGradable why, double centerXmm, double centerYmm) {
        return new HipResult(Optional.empty(), Optional.of(why), round(centerXmm), round(centerYmm));
    }

    /**
     * The one place where model output becomes a graded result: probabilities to 4 decimals, the centre to 0.01 mm.
     */
    public static HipResult of(Map<Feature, Integer> grades, Map<Feature, float[]> probabilities, double centerXmm,
                               double centerYmm) {
        return graded(HipGrades.of(grades, probabilities), centerXmm, centerYmm);
    }

    public HipStatus status() {
        return grades.isPresent() ? HipStatus.GRADED : HipStatus.NOT_GRADABLE;
    }

    public boolean isGraded() {
        return grades.isPresent();
    }

    /** To 0.01 mm; a NaN or infinite centre stays what it is (Math.round would make it 0, a place on the film). */
    private static double round(double mm) {
        return Double.isFinite(mm) ? Math.round(mm * 100) / 100.0 : mm;
    }
}
