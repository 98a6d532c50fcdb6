package org.hipoa.core.crop;

import org.hipoa.core.model.ShippedModel;
import org.hipoa.dicom.Radiograph;
import org.hipoa.domain.Side;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How much of a crop's square lies on the film: what NOT_VISIBLE rests on (HipGrader.MIN_VISIBLE_FRACTION). */
class HipCropperTest {
    @Test
    void theVisibleShare_ofACropsSquare() {
        HipCropper cropper = new HipCropper(CropContract.forModelDir(ShippedModel.DIR));
        Radiograph film = ResamplerTest.film(300, 400, 1.0, 1.0, 1);   // 400 x 300 mm at 1 mm, 96 mm squares
        assertEquals(1.0, cropper.crop(film, Side.RIGHT, 200, 150).visibleFraction(), 1e-9);
        // Centre on the first column: the square's left half, less half a pixel, lies off the film.
        assertEquals(48.5 / 96, cropper.crop(film, Side.RIGHT, 0, 150).visibleFraction(), 1e-9);
        assertEquals(48.5 * 48.5 / (96 * 96), cropper.crop(film, Side.LEFT, 399, 299).visibleFraction(), 1e-9);
        assertEquals(0.0, cropper.crop(film, Side.LEFT, -500, 150).visibleFraction(), 1e-9);
        assertEquals(0.0, HipCropper.visibleFraction(film, Double.NaN, 150, 96), "no number, nothing visible");
    }
}
