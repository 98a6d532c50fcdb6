package org.hipoa.phantom;

/** Phantom v2's labels of one film: the site that made it, the reader who graded it, and each hip's {@link HipLabel}. */
public record StudyLabels(PhantomSpec.Site site, Reader reader, HipLabel right, HipLabel left) {
    public StudyLabels {
        if (site == null || reader == null || right == null || left == null) {
            throw new IllegalArgumentException("site, reader and both hips are required");
        }
    }
}
