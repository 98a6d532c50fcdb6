package org.hipoa.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.domain.Side;
import org.hipoa.domain.HipCrop;
import org.hipoa.core.crop.LocaliserInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.hipoa.domain.Feature;
import org.hipoa.domain.wire.Npy;

/**
 * The shipped ONNX models, run through DJL + ONNX Runtime in Java, give the logits PyTorch gave at export time on
 * the same inputs (the reference files beside each model), so the Java suite needs no PyTorch.
 */
class ModelParityTest {
    static final Path MODEL_DIR = ShippedModel.DIR;
    static final ObjectMapper JSON = new ObjectMapper();

    /** The CPU grader (DenseNet-121, 160 px) and the paper's (DenseNet-161, 224 px), both stored with int8 weights. */
    @ParameterizedTest
    @ValueSource(strings = {"grader.onnx", "paper/grader.onnx"})
    void grader_matchesPytorchLogits(String file) throws Exception {
        Path onnx = MODEL_DIR.resolve(file);
        Npy input = Npy.read(Path.of(onnx + ".reference-input.npy"));
        JsonNode reference = JSON.readTree(Path.of(onnx + ".reference-output.json").toFile());
        int n = input.shape()[0], size = input.shape()[2];
        List<HipCrop> crops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] pixels = new float[size * size];
            System.arraycopy(input.data(), i * size * size, pixels, 0, size * size);
            crops.add(new HipCrop(Side.RIGHT, size, pixels, 0, 0));
        }
        double tolerance = reference.get("tolerance").asDouble();
        // One part, two parts, and more parts than the machine has cores with an uneven split: the crops of a call
        // run in parts at the same time, and each crop's logits must come back in its place.
        assertTrue(n >= 3, "the reference holds too few crops to split unevenly");
        for (int threads : new int[] {1, 2, 3}) try (HipGrader grader = new HipGrader(onnx, threads)) {
            List<Map<Feature, float[]>> logits = grader.logits(crops);
            double worst = 0;
            for (Feature f : Feature.values()) {
                JsonNode expected = reference.get("outputs").get(f.key());
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < f.classes(); k++) {
                        worst = Math.max(worst, Math.abs(expected.get(i).get(k).asDouble() - logits.get(i).get(f)[k]));
                    }
                }
            }
            assertTrue(worst <= tolerance, threads + " part(s): max |Java - PyTorch| logit " + worst + " > " + tolerance);
            assertEquals("synthetic", grader.info().properties().getOrDefault("trainingData", "").split(" ")[0],
                    "the model must say what it was trained on");
        }
    }

    @Test
    void localiser_matchesPytorchCoordinates() throws Exception {
        Path onnx = MODEL_DIR.resolve("localiser.onnx");
        Npy input = Npy.read(Path.of(onnx + ".reference-input.npy"));
        JsonNode coords = JSON.readTree(Path.of(onnx + ".reference-output.json").toFile()).get("outputs").get("coords");
        int h = input.shape()[2], w = input.shape()[3];
        double mmPerPx = 2.0;
        try (HipLocator locator = new HipLocator(onnx, 2)) {
            for (int i = 0; i < input.shape()[0]; i++) {
                float[] pixels = new float[h * w];
                System.arraycopy(input.data(), i * h * w, pixels, 0, h * w);
                LocaliserInput in = new LocaliserInput(w, h, pixels, 0, 0, mmPerPx);
                HipLocator.Located got = locator.locate(in);
                JsonNode c = coords.get(i);
                double[][] expected = {{in.toImageXmm(c.get(0).get(0).asDouble()), in.toImageYmm(c.get(0).get(1).asDouble())},
                        {in.toImageXmm(c.get(1).get(0).asDouble()), in.toImageYmm(c.get(1).get(1).asDouble())}};
                assertEquals(expected[0][0], got.rightXmm(), 1e-3 * mmPerPx);
                assertEquals(expected[0][1], got.rightYmm(), 1e-3 * mmPerPx);
                assertEquals(expected[1][0], got.leftXmm(), 1e-3 * mmPerPx);
                assertEquals(expected[1][1], got.leftYmm(), 1e-3 * mmPerPx);
            }
        }
    }
}
