package org.hipoa.core.crop;

import org.hipoa.core.dicom.Radiograph;

/**
 * The whole film on the localiser's fixed canvas (contract: mm per px, width × height, centred on the film centre),
 * and the mapping from canvas pixels back to image millimetres.
 */
public record LocaliserInput(int width, int height, float[] pixels, double originXmm, double originYmm, double mmPerPx) {

    /** Image-mm x of a (possibly fractional) canvas column index. */
    public double toImageXmm(double column) {
        return originXmm + (column + 0.5 - width / 2.0) * mmPerPx;
    }

    public double toImageYmm(double row) {
        return originYmm + (row + 0.5 - height / 2.0) * mmPerPx;
    }

    public static LocaliserInput of(Radiograph r, CropContract c) {
        double cx = (r.columns() - 1) * r.spacing().columnMm() / 2, cy = (r.rows() - 1) * r.spacing().rowMm() / 2;
        int w = c.localiserWidthPx(), h = c.localiserHeightPx();
        float[] canvas = Resampler.sample(r, cx, cy, c.localiserMmPerPx(), w, h, 1, Float.NEGATIVE_INFINITY);
        int inside = 0;
        for (float v : canvas) if (v != Float.NEGATIVE_INFINITY) inside++;
        float[] film = new float[Math.max(inside, 1)];
        int k = 0;
        for (float v : canvas) if (v != Float.NEGATIVE_INFINITY) film[k++] = v;
        // Outside the film is 0 before standardisation: set it to the low percentile, which normalises to 0.
        float[] sorted = film.clone();
        java.util.Arrays.sort(sorted);
        float low = sorted[(int) Math.floor(c.lowQuantile() * (sorted.length - 1))];
        for (int i = 0; i < canvas.length; i++) if (canvas[i] == Float.NEGATIVE_INFINITY) canvas[i] = low;
        Normaliser.apply(canvas, film, c);
        return new LocaliserInput(w, h, canvas, cx, cy, c.localiserMmPerPx());
    }
}
