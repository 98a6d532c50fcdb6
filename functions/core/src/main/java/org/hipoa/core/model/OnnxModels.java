package org.hipoa.core.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Translator;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.hipoa.domain.Settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

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

    /** CUDA when the GPU build of ONNX Runtime and a GPU are present (setting HIPOA_DEVICE=gpu), else CPU. */
    static Device device() {
        return Settings.get("HIPOA_DEVICE").filter("gpu"::equalsIgnoreCase).isPresent() ? Device.gpu() : Device.cpu();
    }

    /**
     * The shipped graders store their weights as int8 behind DequantizeLinear (model/MODEL_CARD.md). By default ONNX
     * Runtime keeps such nodes for quantized-kernel fusion and so dequantizes every weight on every call. Our
     * activations are fp32, so there is nothing to fuse: with QDQ handling off, constant folding turns the weights
     * back into fp32 once, at load (OnnxModelsTest reads the optimised graph the session really got).
     */
    static OrtSession.SessionOptions sessionOptions(int threads) throws OrtException {
        return sessionOptions(threads, Spinning.NEVER);
    }

    /** How a session's idle intra-op threads wait for the next operator. */
    enum Spinning {
        /** They block: each operator wakes them (a pool left spinning takes a core from what runs next). */
        NEVER,
        /**
         * They spin while a call runs and stop when it returns ({@code session.force_spinning_stop}): no wake-up per
         * operator inside the call, and no core taken from the stages after it.
         */
        DURING_CALL
    }

    static OrtSession.SessionOptions sessionOptions(int threads, Spinning spinning) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.addConfigEntry("session.disable_quant_qdq", "1");
            // Never spinning between calls: each session has its own pool, and a localiser pool still spinning after
            // its call takes a core from the grader that runs next (README, "Why ONNX Runtime runs as it does", has
            // the measurements, also of spinning during the call only).
            options.addConfigEntry("session.intra_op.allow_spinning", spinning == Spinning.NEVER ? "0" : "1");
            if (spinning == Spinning.DURING_CALL) options.addConfigEntry("session.force_spinning_stop", "1");
            // Per-session pools, not one global pool: DJL's engine creates the one OrtEnvironment itself, with global
            // pools whose spinning cannot be turned off from here (ThreadingOptions' default spins), and a spinning
            // pool takes the cores decode and crop need (README has the measurement).
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return options;
        } catch (OrtException e) {
            options.close();
            throw e;
        }
    }

    static <I, O> ZooModel<I, O> load(Path onnxFile, Translator<I, O> translator, int threads) {
        return load(onnxFile, translator, threads, Spinning.NEVER, options -> {});
    }

    static <I, O> ZooModel<I, O> load(Path onnxFile, Translator<I, O> translator, int threads, Spinning spinning) {
        return load(onnxFile, translator, threads, spinning, options -> {});
    }

    /**
     * Why not {@code Criteria}: its options are strings, and its {@code optArgument} objects go to translator
     * factories, never to the engine, so a {@code SessionOptions} handed to it was silently dropped (measured: the
     * grader then ran at the speed of a session without {@code disable_quant_qdq}). DJL's own {@link Model#load}
     * takes an object-valued option map, and its ONNX Runtime engine builds the session from the
     * {@code "sessionOptions"} entry of that map; the model is then wrapped as the same {@link ZooModel}.
     * {@code tweak} lets a test add an option (e.g. write the optimised graph) on exactly this path.
     */
    static <I, O> ZooModel<I, O> load(Path onnxFile, Translator<I, O> translator, int threads,
                                      Consumer<OrtSession.SessionOptions> tweak) {
        return load(onnxFile, translator, threads, Spinning.NEVER, tweak);
    }

    static <I, O> ZooModel<I, O> load(Path onnxFile, Translator<I, O> translator, int threads, Spinning spinning,
                                      Consumer<OrtSession.SessionOptions> tweak) {
        if (!Files.isRegularFile(onnxFile)) throw new IllegalArgumentException("no model file at " + onnxFile);
        Path file = onnxFile.toAbsolutePath();
        String name = file.getFileName().toString();
        Model model = Model.newInstance(name.replaceFirst("\\.onnx$", ""), device(), "OnnxRuntime");
        // ONNX Runtime copies the options into the session it creates: they can be released right after.
        try (OrtSession.SessionOptions options = sessionOptions(threads, spinning)) {
            tweak.accept(options);
            model.load(file.getParent(), name, Map.of("sessionOptions", options));
            return new ZooModel<>(model, translator);
        } catch (OrtException e) {
            model.close();
            throw new IllegalStateException("ONNX Runtime refused a session option: " + e.getMessage(), e);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new IllegalStateException("cannot load " + onnxFile + ": " + e.getMessage(), e);
        }
    }

    /** The metadata the training export wrote into the ONNX file; {@code fallbackName} when it has none. */
    static ModelInfo info(ZooModel<?, ?> model, String fallbackName) {
        Map<String, String> metadata = model.getBlock() instanceof ai.djl.onnxruntime.engine.OrtSymbolBlock ort
                ? ort.getCustomMetadata() : Map.of();
        return new ModelInfo(metadata.getOrDefault("name", fallbackName), metadata.getOrDefault("version", "unknown"),
                metadata);
    }
}
