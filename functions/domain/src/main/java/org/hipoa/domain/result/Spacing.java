package org.hipoa.domain.result;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the pixel spacing behind a result's millimetres came from ({@code PIXEL_SPACING},
 * {@code IMAGER_PIXEL_SPACING_MAGNIFICATION_CORRECTED}, {@code IMAGER_PIXEL_SPACING_UNCORRECTED}, {@code ASSUMED}),
 * and whether that is an assumption rather than a calibration in the file. A partner must be able to tell a grade
 * made on an assumed scale from one made on a calibrated film, so every result carries it.
 */
public record Spacing(String source, boolean assumed) {
    private static final Pattern SOURCE = Pattern.compile("[A-Z][A-Z_]{1,63}");

    public Spacing {
        Objects.requireNonNull(source, "source");
        if (!SOURCE.matcher(source).matches()) throw new IllegalArgumentException("spacing source " + source);
    }
}
