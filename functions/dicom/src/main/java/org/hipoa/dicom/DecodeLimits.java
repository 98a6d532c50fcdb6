package org.hipoa.dicom;

/**
 * Budgets checked before any pixel is decoded, so a hostile or mistaken upload cannot exhaust a function's memory.
 * The defaults fit the largest real DX/CR films (43 × 43 cm at 0.1 mm is 18.5 Mpx) with room to spare.
 */
public record DecodeLimits(long maxBytes, long maxPixels, double assumedSpacingMm) {
    public static final DecodeLimits DEFAULT = new DecodeLimits(256L << 20, 40_000_000L, 0.15);

    public DecodeLimits {
        if (maxBytes <= 0 || maxPixels <= 0) throw new IllegalArgumentException("budgets must be positive");
        if (!(assumedSpacingMm > 0)) throw new IllegalArgumentException("assumed spacing must be positive");
    }
}
