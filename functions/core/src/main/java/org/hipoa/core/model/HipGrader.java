package org.hipoa.core.model;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import org.hipoa.domain.HipCrop;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hipoa.domain.Feature;
import org.hipoa.domain.result.NotGradable;

/**
 * The multitask OA grader: any number of hip crops in, five sets of logits per crop out. Load once per container;
 * {@link #grade} is thread-safe (a predictor per call; the ONNX session is shared).
 *
 * <p>Parallel across crops, not inside operators: the session runs each call on one thread, and a call's crops are
 * split into one contiguous part per core, the parts run at the same time on the one session (ONNX Runtime allows
 * concurrent runs of a session). Why: with two intra-op threads that do not spin, every one of the grader's ~250
 * operators wakes the second thread and waits for it (README, "Why ONNX Runtime runs as it does", has the
 * measurement). Spinning threads would avoid the wake-ups but take the cores from everything else in the process
 * (OnnxModels).
 */
public final class HipGrader implements AutoCloseable {

    /** The crops of one call, in order. */
    public record CropBatch(List<HipCrop> crops) {}

    /**
     * Raw logits per crop and feature, in the order of the batch; when the model has {@code cam_{feature}} outputs
     * (training/hipoa_train/cam_outputs.py), each crop's class maps ({@code [classes][rows * cols]}); when it has the
     * abstention outputs (fit_abstention.py), each crop's {@code gradability} logits and {@code ood_distance}.
     */
    public record LogitBatch(List<Map<Feature, float[]>> logits, List<Map<Feature, float[]>> classMaps, int rows,
                             int cols, List<float[]> gradability, List<Float> oodDistance) {}

    /**
     * Below this share of its square on the film a hip is not graded ({@code NOT_VISIBLE}): the sampler fills the
     * rest with the edge's pixels, nothing a grade can rest on. 0.75 keeps a hip whose square reaches a quarter past
     * the edge (with a 96 mm square, its centre 24 mm inside the film) and refuses one cut nearer its centre.
     */
    public static final double MIN_VISIBLE_FRACTION = 0.75;

    private final ZooModel<CropBatch, LogitBatch> model;
    private final ModelInfo info;
    private final Calibration calibration;
    private final GradabilityCheck gradability;
    private final int parts;
    /** Runs every part of a call but the first (which runs on the caller's thread); null with one part. */
    private final ExecutorService helpers;

    public HipGrader(Path onnxFile) {
        this(onnxFile, OnnxModels.defaultThreads());
    }

    /** {@code threads}: cores one call may use, one part of its crops each. */
    public HipGrader(Path onnxFile, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads " + threads);
        this.model = OnnxModels.load(onnxFile, new GraderTranslator(), 1);
        this.info = OnnxModels.info(model, "hipoa-grader");
        this.calibration = Calibration.of(info);
        this.gradability = GradabilityCheck.of(info);
        // On a GPU one call is one kernel launch sequence over the whole batch; splitting it would only queue parts.
        this.parts = OnnxModels.device().isGpu() ? 1 : threads;
        // Native code runs on these threads: they get the stack NativeRuntime gives ONNX Runtime's start, not the
        // JVM default. Daemons, so a process that forgets close() still exits.
        this.helpers = parts == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> Thread.ofPlatform()
                .name("hipoa-grader-", 0).daemon(true).stackSize(NativeRuntime.STACK_BYTES).unstarted(r));
    }

    public ModelInfo info() {
        return info;
    }

    public Calibration calibration() {
        return calibration;
    }

    /** Whether this grader can refuse a hip (has the abstention outputs); graders without them grade every hip. */
    public GradabilityCheck gradability() {
        return gradability;
    }

    /** Grades every crop, in parts run at the same time (class comment); the result is in the crops' order. */
    public List<HipPrediction> grade(List<HipCrop> crops) {
        LogitBatch batch = run(crops);
        if (gradability.present() && batch.gradability().size() != crops.size()) {
            throw new IllegalStateException("the grader's metadata names gradability classes but the model has no "
                    + "gradability and ood_distance outputs");
        }
        List<HipPrediction> out = new ArrayList<>(crops.size());
        for (int i = 0; i < crops.size(); i++) {
            HipCrop c = crops.get(i);
            Map<Feature, float[]> maps = batch.classMaps().isEmpty() ? null : batch.classMaps().get(i);
            Optional<NotGradable> refused = c.visibleFraction() < MIN_VISIBLE_FRACTION
                    ? Optional.of(NotGradable.NOT_VISIBLE)
                    : gradability.present()
                    ? gradability.judge(batch.gradability().get(i), batch.oodDistance().get(i)) : Optional.empty();
            out.add(HipPrediction.fromLogits(c.side(), batch.logits().get(i), maps, batch.rows(), batch.cols(),
                    c.centerXmm(), c.centerYmm(), calibration, refused));
        }
        return out;
    }

    /** Raw logits, for the parity check against PyTorch. */
    public List<Map<Feature, float[]>> logits(List<HipCrop> crops) {
        return run(crops).logits();
    }

    /** Logits and class maps, as the model gives them (for the CAM check). */
    public LogitBatch run(List<HipCrop> crops) {
        if (crops.isEmpty()) return new LogitBatch(List.of(), List.of(), 0, 0, List.of(), List.of());
        int n = Math.min(parts, crops.size());
        if (n == 1) return runPart(crops);
        List<Future<LogitBatch>> rest = new ArrayList<>(n - 1);
        for (int p = 1; p < n; p++) {
            List<HipCrop> part = crops.subList(crops.size() * p / n, crops.size() * (p + 1) / n);
            rest.add(helpers.submit(() -> runPart(part)));
        }
        List<LogitBatch> results = new ArrayList<>(n);
        try {
            results.add(runPart(crops.subList(0, crops.size() / n)));
        } finally {
            // Every part is waited for, also when the first failed: none may outlive the call with its crops.
            for (Future<LogitBatch> f : rest) results.add(await(f));
        }
        return concat(results);
    }

    private LogitBatch runPart(List<HipCrop> crops) {
        try (Predictor<CropBatch, LogitBatch> predictor = model.newPredictor()) {
            return predictor.predict(new CropBatch(crops));
        } catch (TranslateException e) {
            throw new IllegalStateException("grader inference failed: " + e.getMessage(), e);
        }
    }

    private static LogitBatch await(Future<LogitBatch> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the part is running native code on our crops: wait for it regardless
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException("grader inference failed: " + e.getCause(), e.getCause());
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static LogitBatch concat(List<LogitBatch> parts) {
        List<Map<Feature, float[]>> logits = new ArrayList<>(), maps = new ArrayList<>();
        List<float[]> gradability = new ArrayList<>();
        List<Float> ood = new ArrayList<>();
        for (LogitBatch b : parts) {
            logits.addAll(b.logits());
            maps.addAll(b.classMaps());
            gradability.addAll(b.gradability());
            ood.addAll(b.oodDistance());
        }
        return new LogitBatch(logits, maps, parts.getFirst().rows(), parts.getFirst().cols(), gradability, ood);
    }

    @Override
    public void close() {
        if (helpers != null) helpers.shutdownNow();
        model.close();
    }

    /** Stacks crops into [N, 1, size, size] named "image"; splits the five named outputs back per crop. */
    private static final class GraderTranslator implements NoBatchifyTranslator<CropBatch, LogitBatch> {
        @Override
        public NDList processInput(TranslatorContext ctx, CropBatch batch) {
            int n = batch.crops().size(), size = batch.crops().getFirst().size();
            float[] data = new float[n * size * size];
            for (int i = 0; i < n; i++) {
                HipCrop c = batch.crops().get(i);
                if (c.size() != size) throw new IllegalArgumentException("crops of one batch must share a size");
                System.arraycopy(c.pixels(), 0, data, i * size * size, size * size);
            }
            NDArray image = ctx.getNDManager().create(data, new Shape(n, 1, size, size));
            image.setName("image");
            return new NDList(image);
        }

        @Override
        public LogitBatch processOutput(TranslatorContext ctx, NDList outputs) {
            Map<Feature, float[]> flat = new EnumMap<>(Feature.class);
            int n = -1;
            for (Feature f : Feature.values()) {
                NDArray a = outputs.get(f.key());
                if (a == null) throw new IllegalStateException("the grader model has no output named " + f.key());
                flat.put(f, a.toFloatArray());
                n = (int) a.getShape().get(0);
            }
            List<Map<Feature, float[]>> perCrop = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Map<Feature, float[]> m = new EnumMap<>(Feature.class);
                for (Feature f : Feature.values()) {
                    float[] z = new float[f.classes()];
                    System.arraycopy(flat.get(f), i * f.classes(), z, 0, f.classes());
                    m.put(f, z);
                }
                perCrop.add(m);
            }
            List<float[]> gradability = new ArrayList<>();
            List<Float> ood = new ArrayList<>();
            NDArray g = outputs.get("gradability"), d = outputs.get("ood_distance");
            if (g != null && d != null) {
                int k = (int) g.getShape().get(1);
                float[] gs = g.toFloatArray(), ds = d.toFloatArray();
                for (int i = 0; i < n; i++) {
                    float[] z = new float[k];
                    System.arraycopy(gs, i * k, z, 0, k);
                    gradability.add(z);
                    ood.add(ds[i]);
                }
            }
            return new LogitBatch(perCrop, classMaps(outputs, n), rows(outputs, 2), rows(outputs, 3), gradability,
                    ood);
        }

        /** {@code cam_{feature}} [N, classes, rows, cols] per crop, or none when the model has no CAM outputs. */
        private static List<Map<Feature, float[]>> classMaps(NDList outputs, int n) {
            Map<Feature, float[]> flat = new EnumMap<>(Feature.class);
            int cells = -1;
            for (Feature f : Feature.values()) {
                NDArray a = outputs.get("cam_" + f.key());
                if (a == null) return List.of();
                Shape s = a.getShape();
                int c = (int) (s.get(2) * s.get(3));
                if (s.get(0) != n || s.get(1) != f.classes() || (cells >= 0 && c != cells)) {
                    throw new IllegalStateException("cam_" + f.key() + " has shape " + s);
                }
                cells = c;
                flat.put(f, a.toFloatArray());
            }
            List<Map<Feature, float[]>> perCrop = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Map<Feature, float[]> m = new EnumMap<>(Feature.class);
                for (Feature f : Feature.values()) {
                    int len = f.classes() * cells;
                    float[] z = new float[len];
                    System.arraycopy(flat.get(f), i * len, z, 0, len);
                    m.put(f, z);
                }
                perCrop.add(m);
            }
            return perCrop;
        }

        private static int rows(NDList outputs, int axis) {
            NDArray a = outputs.get("cam_" + Feature.values()[0].key());
            return a == null ? 0 : (int) a.getShape().get(axis);
        }
    }
}
