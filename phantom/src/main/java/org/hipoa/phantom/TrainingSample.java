package org.hipoa.phantom;

import org.hipoa.core.Side;
import org.hipoa.core.crop.CropContract;
import org.hipoa.core.crop.HipCrop;
import org.hipoa.core.crop.HipCropper;
import org.hipoa.core.crop.LocaliserInput;
import org.hipoa.core.dicom.PixelSpacing;
import org.hipoa.core.dicom.Radiograph;

import java.util.Optional;
import java.util.SplittableRandom;

/**
 * What training needs from one phantom film, made by the product's own crop code: both hips cropped per the crop
 * contract (centred on the true head centre plus a small seeded jitter, so the grader learns to tolerate the
 * localiser's error), and the whole film on the localiser canvas with the true centres in canvas pixels.
 */
public record TrainingSample(PhantomCase phantomCase, HipCrop right, HipCrop left, LocaliserInput film,
                             double[] rightCanvasPx, double[] leftCanvasPx) {

    public static TrainingSample of(PhantomCase c, CropContract contract, double jitterMm) {
        RenderedFilm rendered = PhantomRenderer.render(c);
        Radiograph r = asDecoded(rendered);
        SplittableRandom jitter = new SplittableRandom(c.seed() ^ 0x6A09E667F3BCC909L);
        HipCropper cropper = new HipCropper(contract);
        HipCrop right = cropper.crop(r, Side.RIGHT, c.right().centerXmm() + jitterMm * jitter.nextGaussian(),
                c.right().centerYmm() + jitterMm * jitter.nextGaussian());
        HipCrop left = cropper.crop(r, Side.LEFT, c.left().centerXmm() + jitterMm * jitter.nextGaussian(),
                c.left().centerYmm() + jitterMm * jitter.nextGaussian());
        LocaliserInput film = LocaliserInput.of(r, contract);
        return new TrainingSample(c, right, left, film, canvas(film, c.right()), canvas(film, c.left()));
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
