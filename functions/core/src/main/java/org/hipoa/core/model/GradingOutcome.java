package org.hipoa.core.model;

import org.hipoa.core.Rejection;

/** What grading a radiograph ends as: grades for both hips, or the reason there are none. */
public sealed interface GradingOutcome {
    record Graded(StudyGrades grades) implements GradingOutcome {}

    record Rejected(Rejection rejection) implements GradingOutcome {}
}
