package org.hipoa.core.model;

import org.hipoa.core.Side;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Both hips of one radiograph, graded, with the models that did it and how long each stage took. */
public record StudyGrades(HipGrades right, HipGrades left, ModelInfo grader, ModelInfo localiser,
                          Map<String, Long> timingsMs) {
    public StudyGrades {
        Objects.requireNonNull(right, "right");
        Objects.requireNonNull(left, "left");
        if (right.side() != Side.RIGHT || left.side() != Side.LEFT) throw new IllegalArgumentException("sides swapped");
        timingsMs = Map.copyOf(timingsMs);
    }

    public List<HipGrades> hips() {
        return List.of(right, left);
    }
}
