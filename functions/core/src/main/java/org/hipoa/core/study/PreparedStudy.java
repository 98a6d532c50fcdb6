package org.hipoa.core.study;

import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.Spacing;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A radiograph made ready for grading: both hip crops (right, then left mirrored per the crop contract), the
 * Study Instance UID it came with (absent when the file had none; callers that store anything derive a keyed hash
 * of it, never the UID), where its pixel spacing came from, and stage timings in ms.
 */
public record PreparedStudy(HipCrop right, HipCrop left, Optional<String> studyInstanceUid, Spacing spacing,
                            Map<String, Long> timingsMs) {
    public PreparedStudy {
        Objects.requireNonNull(right, "right");
        Objects.requireNonNull(left, "left");
        if (right.side() != Side.RIGHT || left.side() != Side.LEFT) throw new IllegalArgumentException("sides swapped");
        Objects.requireNonNull(studyInstanceUid, "studyInstanceUid");
        Objects.requireNonNull(spacing, "spacing");
        timingsMs = Map.copyOf(timingsMs);
    }
}
