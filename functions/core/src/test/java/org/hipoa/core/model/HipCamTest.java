package org.hipoa.core.model;

import org.hipoa.domain.Feature;
import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Side;
import org.hipoa.domain.wire.HipHeatmaps;
import org.hipoa.domain.wire.Npy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped CPU grader's class-activation outputs (added by training/hipoa_train/cam_outputs.py) are exact: each
 * class map's mean over the grid is that class's logit, for the export's own reference crops. ModelParityTest checks
 * that the logits (so the grades) are still PyTorch's.
 */
class HipCamTest {
    @Test
    void everyFeaturesClassMapsAverageToItsLogits_andEveryHipGetsFiveHeatmaps() throws Exception {
        Path onnx = ModelParityTest.MODEL_DIR.resolve("grader.onnx");
        Npy input = Npy.read(Path.of(onnx + ".reference-input.npy"));
        int n = input.shape()[0], size = input.shape()[2];
        List<HipCrop> crops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] pixels = new float[size * size];
            System.arraycopy(input.data(), i * size * size, pixels, 0, size * size);
            crops.add(new HipCrop(i % 2 == 0 ? Side.RIGHT : Side.LEFT, size, pixels, 0, 0));
        }
        try (HipGrader grader = new HipGrader(onnx, 2)) {
            HipGrader.LogitBatch batch = grader.run(crops);
            assertEquals(n, batch.classMaps().size(), "class maps for every crop");
            assertEquals(size / 32, batch.rows(), "DenseNet's final grid: one cell per 32 px");
            assertEquals(size / 32, batch.cols());
            int cells = batch.rows() * batch.cols();
            double worst = 0;
            for (int i = 0; i < n; i++) {
                for (Feature f : Feature.values()) {
                    float[] maps = batch.classMaps().get(i).get(f);
                    for (int k = 0; k < f.classes(); k++) {
                        double mean = 0;
                        for (int c = 0; c < cells; c++) mean += maps[k * cells + c];
                        worst = Math.max(worst, Math.abs(mean / cells - batch.logits().get(i).get(f)[k]));
                    }
                }
            }
            assertTrue(worst < 1e-4, "max |mean(CAM) - logit| " + worst);

            List<HipPrediction> graded = grader.grade(crops);
            for (HipPrediction g : graded) {
                HipHeatmaps h = g.heatmaps().orElseThrow(() -> new AssertionError("no heatmaps for a hip"));
                for (Feature f : Feature.values()) {
                    assertEquals(g.grade(f), h.grades().get(f), "the heatmap explains the grade given");
                    assertEquals(cells, h.maps().get(f).length);
                    float sum = 0;
                    for (float v : h.maps().get(f)) sum += v;
                    // The grade given has the highest logit, so its margin over the class average is >= 0.
                    assertTrue(sum >= -1e-3, f + ": the map of the arg-max class sums to its non-negative margin");
                }
            }
        }
    }
}
