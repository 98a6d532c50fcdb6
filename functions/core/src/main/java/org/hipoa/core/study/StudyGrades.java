package org.hipoa.core.study;

import org.hipoa.core.model.HipPrediction;
import org.hipoa.domain.Side;

import java.util.List;
import java.util.Objects;

/** Both hips of one radiograph, graded. */
public record StudyGrades(HipPrediction right, HipPrediction left) {
    public StudyGrades {
        Objects.requireNonNull(right, "right");
        Objects.requireNonNull(left, "left");
        if (right.side() != Side.RIGHT || left.side() != Side.LEFT) throw new IllegalArgumentException("sides swapped");
    }

    public List<HipPrediction> hips() {
        return List.of(right, left);
    }
}
