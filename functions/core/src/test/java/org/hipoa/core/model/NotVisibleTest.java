package org.hipoa.core.model;

import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.NotGradable;
import org.hipoa.domain.wire.Npy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hip cut off by the film's edge is NOT_VISIBLE, the other still graded: the shipped grader's refusal below
 * {@link HipGrader#MIN_VISIBLE_FRACTION} on the reference crops the training export wrote (real phantom crops,
 * graded when whole). How the share is measured: HipCropperTest.
 */
class NotVisibleTest {
    @Test
    void aCropMostlyOffTheFilm_isNotVisible_andTheOtherIsGraded() throws Exception {
        Path onnx = ShippedModel.DIR.resolve("grader.onnx");
        Npy input = Npy.read(Path.of(onnx + ".reference-input.npy"));
        int size = input.shape()[2];
        float[] a = new float[size * size], b = new float[size * size];
        System.arraycopy(input.data(), 0, a, 0, a.length);
        System.arraycopy(input.data(), a.length, b, 0, b.length);
        try (HipGrader grader = new HipGrader(onnx, 1)) {
            List<HipPrediction> whole = grader.grade(List.of(new HipCrop(Side.RIGHT, size, a, 100, 100),
                    new HipCrop(Side.LEFT, size, b, 250, 100)));
            assertTrue(whole.stream().allMatch(HipPrediction::graded), "the reference crops are graded when whole");
            List<HipPrediction> cut = grader.grade(List.of(
                    new HipCrop(Side.RIGHT, size, a, 100, 100, HipGrader.MIN_VISIBLE_FRACTION - 0.01),
                    new HipCrop(Side.LEFT, size, b, 250, 100, HipGrader.MIN_VISIBLE_FRACTION)));
            assertEquals(Optional.of(NotGradable.NOT_VISIBLE), cut.get(0).notGradable());
            assertTrue(cut.get(1).graded());
        }
    }
}
