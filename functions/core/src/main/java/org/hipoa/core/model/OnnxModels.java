package org.hipoa.core.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.repository.zoo.Criteria;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Translator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads an ONNX model file through DJL's ONNX Runtime engine, strictly offline: the native library comes from the
 * ONNX Runtime jar, and neither a model zoo, an engine download nor DJL's usage tracking is ever contacted (on AWS
 * the tracking probe would look for the EC2 metadata endpoint).
 */
public final class OnnxModels {
    static {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    private OnnxModels() {}

    /** Threads ONNX Runtime uses inside one operator; one inference at a time per predictor. */
    public static int defaultThreads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /** CUDA when the GPU build of ONNX Runtime and a GPU are present (HIPOA_DEVICE=gpu), else CPU. */
    static Device device() {
        return "gpu".equalsIgnoreCase(System.getenv("HIPOA_DEVICE")) ? Device.gpu() : Device.cpu();
    }

    /**
     * The shipped graders store their weights as int8 behind DequantizeLinear (model/MODEL_CARD.md). By default ONNX
     * Runtime keeps such nodes for quantized-kernel fusion and so dequantizes every weight on every call (measured:
     * 91 instead of 55 ms per study for DenseNet-121). Our activations are fp32, so there is nothing to fuse: with
     * QDQ handling off, constant folding turns the weights back into fp32 once, at load.
     */
    private static OrtSession.SessionOptions sessionOptions(int threads) {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.addConfigEntry("session.disable_quant_qdq", "1");
            // Set here as well: whether DJL copies its thread options onto a session options object it was given
            // is not part of its API.
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime refused a session option: " + e.getMessage(), e);
        }
        return options;
    }

    static <I, O> ZooModel<I, O> load(Path onnxFile, Class<I> in, Class<O> out, Translator<I, O> translator,
                                      int threads) {
        if (!Files.isRegularFile(onnxFile)) throw new IllegalArgumentException("no model file at " + onnxFile);
        Criteria<I, O> criteria = Criteria.builder()
                .setTypes(in, out)
                .optEngine("OnnxRuntime")
                .optModelPath(onnxFile)
                .optTranslator(translator)
                .optDevice(device())
                .optArgument("sessionOptions", sessionOptions(threads))
                .optOption("intraOpNumThreads", Integer.toString(threads))
                .optOption("interOpNumThreads", "1")
                .build();
        try {
            return criteria.loadModel();
        } catch (IOException | ModelNotFoundException | MalformedModelException e) {
            throw new IllegalStateException("cannot load " + onnxFile + ": " + e.getMessage(), e);
        }
    }
}
