package org.hipoa.core.crop;

import org.hipoa.domain.Side;
import org.hipoa.dicom.Radiograph;
import org.hipoa.domain.HipCrop;

/** Cuts the grader's input around a femoral head centre, as the crop contract says. Stateless, thread-safe. */
public final class HipCropper {
    private final CropContract contract;

    public HipCropper(CropContract contract) {
        this.contract = contract;
    }

    public HipCrop crop(Radiograph r, Side side, double centerXmm, double centerYmm) {
        int n = contract.graderOutputPx();
        double step = contract.graderCropMm() / n;
        int sx = side == Side.LEFT && contract.mirrorLeft() ? -1 : 1;
        float[] pixels = Resampler.sample(r, centerXmm, centerYmm, step, n, n, sx, Float.NaN);
        Normaliser.apply(pixels, pixels, contract);
        return new HipCrop(side, n, pixels, centerXmm, centerYmm,
                visibleFraction(r, centerXmm, centerYmm, contract.graderCropMm()));
    }

    /**
     * The share of the crop's square ({@code cropMm} wide, centred on the head) that lies on the film. The film spans
     * [-½ pixel, (n - ½) pixels] in image mm (0 is the first pixel's centre); the sampler clamps coordinates beyond
     * it to the edge, so that part of a crop is no image at all.
     */
    static double visibleFraction(Radiograph r, double centerXmm, double centerYmm, double cropMm) {
        double half = cropMm / 2, colMm = r.spacing().columnMm(), rowMm = r.spacing().rowMm();
        double x = overlap(centerXmm - half, centerXmm + half, -colMm / 2, (r.columns() - 0.5) * colMm);
        double y = overlap(centerYmm - half, centerYmm + half, -rowMm / 2, (r.rows() - 0.5) * rowMm);
        double f = x * y / (cropMm * cropMm);
        return Double.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0;   // a centre that is no number shows nothing
    }

    private static double overlap(double a0, double a1, double b0, double b1) {
        return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
    }
}
