package org.hipoa.core.model;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import org.hipoa.core.crop.LocaliserInput;

import java.nio.file.Path;

/**
 * Finds both femoral head centres on the whole film (heatmap regression, in the spirit of KNEEL's first stage).
 * Returns raw candidates with their heatmap peaks; {@link HipQa} decides whether they are plausible.
 */
public final class HipLocator implements AutoCloseable {

    /** Head centres in image mm and the heatmap peak (0–1) for each, right then left (the patient's sides). */
    public record Located(double rightXmm, double rightYmm, double rightPeak,
                          double leftXmm, double leftYmm, double leftPeak) {}

    private record Raw(float[] coords, float[] peaks) {}

    private final ZooModel<LocaliserInput, Raw> model;
    private final ModelInfo info;

    public HipLocator(Path onnxFile) {
        this(onnxFile, OnnxModels.defaultThreads());
    }

    public HipLocator(Path onnxFile, int threads) {
        // One short call (a few ms) of many small operators: its threads spin while it runs, then stop.
        this.model = OnnxModels.load(onnxFile, new LocatorTranslator(), threads, OnnxModels.Spinning.DURING_CALL);
        this.info = OnnxModels.info(model, "hipoa-localiser");
    }

    public ModelInfo info() {
        return info;
    }

    public Located locate(LocaliserInput input) {
        Raw raw;
        try (Predictor<LocaliserInput, Raw> predictor = model.newPredictor()) {
            raw = predictor.predict(input);
        } catch (TranslateException e) {
            throw new IllegalStateException("localiser inference failed: " + e.getMessage(), e);
        }
        float[] c = raw.coords();
        return new Located(input.toImageXmm(c[0]), input.toImageYmm(c[1]), raw.peaks()[0],
                input.toImageXmm(c[2]), input.toImageYmm(c[3]), raw.peaks()[1]);
    }

    @Override
    public void close() {
        model.close();
    }

    private static final class LocatorTranslator implements NoBatchifyTranslator<LocaliserInput, Raw> {
        @Override
        public NDList processInput(TranslatorContext ctx, LocaliserInput in) {
            NDArray image = ctx.getNDManager().create(in.pixels(), new Shape(1, 1, in.height(), in.width()));
            image.setName("image");
            return new NDList(image);
        }

        @Override
        public Raw processOutput(TranslatorContext ctx, NDList outputs) {
            NDArray coords = outputs.get("coords"), heatmaps = outputs.get("heatmaps");
            if (coords == null || heatmaps == null) {
                throw new IllegalStateException("the localiser model needs outputs 'coords' and 'heatmaps'");
            }
            // Peak per channel: how sure the network is that a head is there at all. Computed here, not with
            // NDArray ops: ONNX Runtime arrays in DJL support almost none (reshape recurses until the stack overflows).
            float[] maps = heatmaps.toFloatArray();
            int perChannel = maps.length / 2;
            float[] peaks = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
            for (int i = 0; i < maps.length; i++) peaks[i / perChannel] = Math.max(peaks[i / perChannel], maps[i]);
            return new Raw(coords.toFloatArray(), peaks);
        }
    }
}
