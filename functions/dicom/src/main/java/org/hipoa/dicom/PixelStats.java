package org.hipoa.dicom;

/** Minimum, maximum and mean of a radiograph's decoded, bone-bright pixel values. */
public record PixelStats(double min, double max, double mean) {

    static PixelStats of(float[] pixels) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : pixels) {
            if (v < min) min = v;
            if (v > max) max = v;
            sum += v;
        }
        return new PixelStats(min, max, sum / pixels.length);
    }
}
