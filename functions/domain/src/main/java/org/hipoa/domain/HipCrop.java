package org.hipoa.domain;


import java.util.Objects;

/**
 * One hip as the grader sees it: a square {@code size × size} crop around the femoral head centre, normalised, the
 * left hip mirrored into right orientation. {@code centerMm} is where it was taken, in image mm;
 * {@code visibleFraction} the share of the crop's square that lies on the film (1 when the film holds all of it; a
 * hip cut off by the film's edge is not graded, {@code NotGradable.NOT_VISIBLE}).
 */
public record HipCrop(Side side, int size, float[] pixels, double centerXmm, double centerYmm, double visibleFraction) {
    public HipCrop {
        Objects.requireNonNull(side, "side");
        if (pixels.length != size * size) throw new IllegalArgumentException(pixels.length + " pixels for " + size);
        // Fails closed: NaN is no fraction.
        if (!(visibleFraction >= 0 && visibleFraction <= 1)) throw new IllegalArgumentException("visibleFraction " + visibleFraction);
    }

    /** A crop whose square lies wholly on the film. */
    public HipCrop(Side side, int size, float[] pixels, double centerXmm, double centerYmm) {
        this(side, size, pixels, centerXmm, centerYmm, 1.0);
    }
}
