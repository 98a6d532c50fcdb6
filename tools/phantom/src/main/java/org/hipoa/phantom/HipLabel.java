package org.hipoa.phantom;

import org.hipoa.domain.Feature;

/**
 * What phantom v2 says about one hip, in {@link Feature} order: the continuous {@code severity} per feature, the
 * noise-free reference grade {@code truth} (a cut of the severity), the {@code grades} one read by the site's reader
 * gave, and {@code readerP}, that reader's exact probability of each grade given the severity. A hip with hardware is
 * not gradable and has none of these (null); {@code hardware} names the kind, null when there is none.
 */
public record HipLabel(boolean gradable, Hardware.Kind hardware, double[] severity, int[] truth, int[] grades,
                       double[][] readerP) {

    public HipLabel {
        if (gradable == (hardware != null)) throw new IllegalArgumentException("a hip is gradable exactly when it has no hardware");
        if (gradable && (severity == null || truth == null || grades == null || readerP == null)) {
            throw new IllegalArgumentException("a gradable hip needs severity, truth, grades and readerP");
        }
        if (!gradable && (severity != null || truth != null || grades != null || readerP != null)) {
            throw new IllegalArgumentException("a hip with hardware carries no grades");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HipLabel h && gradable == h.gradable && hardware == h.hardware
                && java.util.Arrays.equals(severity, h.severity) && java.util.Arrays.equals(truth, h.truth)
                && java.util.Arrays.equals(grades, h.grades) && java.util.Arrays.deepEquals(readerP, h.readerP);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(gradable, hardware, java.util.Arrays.hashCode(severity),
                java.util.Arrays.hashCode(grades));
    }

    /** The reader's grade of a feature. */
    public int grade(Feature f) {
        return grades[f.ordinal()];
    }

    /** The reference (noise-free) grade of a feature. */
    public int truth(Feature f) {
        return truth[f.ordinal()];
    }
}
