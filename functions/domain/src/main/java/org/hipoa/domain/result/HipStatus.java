package org.hipoa.domain.result;

/**
 * One hip's outcome. The upload's own {@link Status} says whether the film was read; each hip of a GRADED upload is
 * GRADED (five grades) or NOT_GRADABLE (a {@link NotGradable} reason, no grades) — one rule for the table, the API,
 * the SR, FHIR and the viewer (docs/PIPELINE.md, "One hip not gradable").
 */
public enum HipStatus { GRADED, NOT_GRADABLE }
