package org.hipoa.core.crop;

import org.hipoa.dicom.Radiograph;

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
        // The film's pixels (those inside), packed in canvas order: the percentiles are taken over them alone.
        float[] film = new float[canvas.length];
        int inside = 0;
        for (float v : canvas) if (v != Float.NEGATIVE_INFINITY) film[inside++] = v;
        if (inside == 0) film[inside++] = 0; // no pixel centre on the film: one 0, as the Python side does
        float[] p = Normaliser.percentiles(film, inside, c);
        // Outside the film is 0 before standardisation: set it to the low percentile, which normalises to 0.
        for (int i = 0; i < canvas.length; i++) if (canvas[i] == Float.NEGATIVE_INFINITY) canvas[i] = p[0];
        Normaliser.apply(canvas, p[0], p[1], c);
        return new LocaliserInput(w, h, canvas, cx, cy, c.localiserMmPerPx());
    }
}
