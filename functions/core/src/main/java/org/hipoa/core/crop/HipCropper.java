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
        return new HipCrop(side, n, pixels, centerXmm, centerYmm);
    }
}
