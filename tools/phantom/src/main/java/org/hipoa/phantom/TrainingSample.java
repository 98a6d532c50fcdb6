package org.hipoa.phantom;

import org.hipoa.domain.Side;
import org.hipoa.core.crop.CropContract;
import org.hipoa.domain.HipCrop;
import org.hipoa.core.crop.HipCropper;
import org.hipoa.core.crop.LocaliserInput;
import org.hipoa.dicom.PixelSpacing;
import org.hipoa.dicom.Radiograph;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * What training needs from one phantom film, made by the product's own crop code: both hips cropped per the crop
 * contract (centred on the true head centre plus a small seeded jitter, so the grader learns to tolerate the
 * localiser's error), and the whole film on the localiser canvas with the true centres in canvas pixels.
 */
public record TrainingSample(PhantomCase phantomCase, List<HipCrop[]> crops, LocaliserInput film,
                             double[] rightCanvasPx, double[] leftCanvasPx) {

    /**
     * One render, cropped once per contract ({@code crops().get(i)} = right, left for {@code contracts.get(i)}: graders
     * of different input sizes train on the same films), with the same jitter for every size. The localiser canvas
     * uses the first contract.
     */
    public static TrainingSample of(PhantomCase c, List<CropContract> contracts, double jitterMm) {
        Radiograph r = asDecoded(PhantomRenderer.render(c));
        SplittableRandom jitter = new SplittableRandom(c.seed() ^ 0x6A09E667F3BCC909L);
        double rx = c.right().centerXmm() + jitterMm * jitter.nextGaussian();
        double ry = c.right().centerYmm() + jitterMm * jitter.nextGaussian();
        double lx = c.left().centerXmm() + jitterMm * jitter.nextGaussian();
        double ly = c.left().centerYmm() + jitterMm * jitter.nextGaussian();
        List<HipCrop[]> crops = new ArrayList<>(contracts.size());
        for (CropContract contract : contracts) {
            HipCropper cropper = new HipCropper(contract);
            crops.add(new HipCrop[] {cropper.crop(r, Side.RIGHT, rx, ry), cropper.crop(r, Side.LEFT, lx, ly)});
        }
        LocaliserInput film = LocaliserInput.of(r, contracts.getFirst());
        return new TrainingSample(c, List.copyOf(crops), film, canvas(film, c.right()), canvas(film, c.left()));
    }

    /**
     * The radiograph the decoder would return for this film's DICOM file: bone-bright values as rendered (the
     * writer's MONOCHROME1 inversion is undone by the decoder) and calibrated spacing. Skipping the DICOM round trip
     * is what makes training-scale export affordable; PhantomOutputTest proves the round trip is lossless.
     */
    public static Radiograph asDecoded(RenderedFilm f) {
        float[] pixels = new float[f.pixels().length];
        for (int i = 0; i < pixels.length; i++) pixels[i] = f.pixels()[i] & 0xFFFF;
        PhantomCase c = f.phantomCase();
        return new Radiograph(f.rows(), f.columns(), pixels,
                new PixelSpacing(c.pixelSpacingMm(), c.pixelSpacingMm(), PixelSpacing.Source.PIXEL_SPACING),
                "", c.monochrome1() ? "MONOCHROME1" : "MONOCHROME2", c.bitsStored(), Optional.empty(),
                "", "", "", "DX", "AP", "B", "PELVIS");
    }

    private static double[] canvas(LocaliserInput film, HipTruth h) {
        return new double[] {(h.centerXmm() - film.originXmm()) / film.mmPerPx() + film.width() / 2.0 - 0.5,
                (h.centerYmm() - film.originYmm()) / film.mmPerPx() + film.height() / 2.0 - 0.5};
    }
}
