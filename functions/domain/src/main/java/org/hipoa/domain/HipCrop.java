package org.hipoa.domain;


import java.util.Objects;

/**
 * One hip as the grader sees it: a square {@code size × size} crop around the femoral head centre, normalised, the
 * left hip mirrored into right orientation. {@code centerMm} is where it was taken, in image mm.
 */
public record HipCrop(Side side, int size, float[] pixels, double centerXmm, double centerYmm) {
    public HipCrop {
        Objects.requireNonNull(side, "side");
        if (pixels.length != size * size) throw new IllegalArgumentException(pixels.length + " pixels for " + size);
    }
}
