package org.hipoa.core.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.hipoa.domain.Side;
import org.hipoa.core.crop.CropContract;
import org.hipoa.domain.HipCrop;
import org.hipoa.core.crop.HipCropper;
import org.hipoa.core.crop.LocaliserInput;
import org.hipoa.domain.Outcome;
import org.hipoa.core.dicom.Radiograph;
import org.hipoa.core.dicom.RadiographDecoder;
import org.hipoa.core.model.HipGrader;
import org.hipoa.core.model.HipLocator;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-stage latency of one study on this machine, warm, for {@code bench/peers}: read → decode → localiser input →
 * localise → crop both hips → grade both hips, each stage timed on its own, medians over every film of every timed
 * round (the first round warms the JIT and ONNX Runtime up and is not counted). Also times a plain ONNX Runtime
 * session (no DJL) with the same options on the same inputs, which is DJL's share. Prints figures; asserts nothing.
 * Test scope only: it is no part of the product jars.
 *
 * <pre>StageBench MODEL_DIR OUT_DIR ROUNDS FILM.dcm...</pre>
 * OUT_DIR gets {@code heads.tsv} (where Java found each head, so the Python peers crop at the same places) and the
 * crops as raw little-endian float32 ({@code crops.f32}, N × 2 × size × size) for the parity line.
 */
public final class StageBench {
    private StageBench() {}

    public static void main(String[] args) throws Exception {
        Path modelDir = Path.of(args[0]), out = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]), threads = 2;
        List<Path> films = Arrays.stream(args, 3, args.length).map(Path::of).toList();
        Files.createDirectories(out);
        CropContract contract = CropContract.forModelDir(modelDir);
        HipCropper cropper = new HipCropper(contract);
        RadiographDecoder decoder = new RadiographDecoder();
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        for (String s : List.of("read", "decode", "localiserInput", "localise", "crop", "grade", "total",
                "plainOrtLocalise", "plainOrtGrade")) {
            ms.put(s, new ArrayList<>());
        }
        List<double[]> heads = new ArrayList<>();
        List<HipCrop[]> crops = new ArrayList<>();
        List<LocaliserInput> canvases = new ArrayList<>();
        try (HipLocator locator = new HipLocator(modelDir.resolve("localiser.onnx"), threads);
             HipGrader grader = new HipGrader(modelDir.resolve("grader.onnx"), threads)) {
            for (int round = 0; round <= rounds; round++) {
                boolean timed = round > 0;
                for (Path f : films) {
                    long t0 = System.nanoTime();
                    byte[] bytes = Files.readAllBytes(f);
                    long t1 = System.nanoTime();
                    if (!(decoder.decode(bytes) instanceof Outcome.Ok(Radiograph r))) {
                        throw new IllegalStateException(f + " did not decode");
                    }
                    long t2 = System.nanoTime();
                    LocaliserInput in = LocaliserInput.of(r, contract);
                    long t3 = System.nanoTime();
                    HipLocator.Located h = locator.locate(in);
                    long t4 = System.nanoTime();
                    HipCrop right = cropper.crop(r, Side.RIGHT, h.rightXmm(), h.rightYmm());
                    HipCrop left = cropper.crop(r, Side.LEFT, h.leftXmm(), h.leftYmm());
                    long t5 = System.nanoTime();
                    grader.grade(List.of(right, left));
                    long t6 = System.nanoTime();
                    if (timed) {
                        long[] t = {t0, t1, t2, t3, t4, t5, t6};
                        String[] names = {"read", "decode", "localiserInput", "localise", "crop", "grade"};
                        for (int i = 0; i < names.length; i++) ms.get(names[i]).add((t[i + 1] - t[i]) / 1e6);
                        ms.get("total").add((t6 - t0) / 1e6);
                    }
                    if (round == rounds) {
                        heads.add(new double[] {h.rightXmm(), h.rightYmm(), h.leftXmm(), h.leftYmm()});
                        crops.add(new HipCrop[] {right, left});
                        canvases.add(in);
                    }
                }
            }
        }
        plainOrt(modelDir, threads, rounds, canvases, crops, ms);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("heads.tsv")))) {
            for (int i = 0; i < films.size(); i++) {
                double[] h = heads.get(i);
                w.printf("%s\t%.17g\t%.17g\t%.17g\t%.17g%n", films.get(i), h[0], h[1], h[2], h[3]);
            }
        }
        int size = crops.getFirst()[0].size();
        ByteBuffer buf = ByteBuffer.allocate(crops.size() * 2 * size * size * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (HipCrop[] pair : crops) for (HipCrop c : pair) for (float v : c.pixels()) buf.putFloat(v);
        Files.write(out.resolve("crops.f32"), buf.array());
        for (var e : ms.entrySet()) {
            List<Double> v = e.getValue();
            if (v.isEmpty()) continue;
            double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("java\t%s\t%.2f\t%.2f\t%d%n", e.getKey(), a[a.length / 2], a[(int) (a.length * 0.9)], a.length);
        }
    }

    /**
     * The same two ONNX files in plain ONNX Runtime sessions with the options {@code OnnxModels} sets, fed the same
     * canvases and crops: what the inference costs without DJL around it.
     */
    static void plainOrt(Path modelDir, int threads, int rounds, List<LocaliserInput> canvases, List<HipCrop[]> crops,
                         Map<String, List<Double>> ms) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.addConfigEntry("session.disable_quant_qdq", "1");
            o.addConfigEntry("session.intra_op.allow_spinning", "0");
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            try (OrtSession loc = env.createSession(modelDir.resolve("localiser.onnx").toString(), o);
                 OrtSession grade = env.createSession(modelDir.resolve("grader.onnx").toString(), o)) {
                for (int round = 0; round <= rounds; round++) {
                    for (int i = 0; i < canvases.size(); i++) {
                        LocaliserInput in = canvases.get(i);
                        long t0 = System.nanoTime();
                        run(env, loc, in.pixels(), new long[] {1, 1, in.height(), in.width()});
                        long t1 = System.nanoTime();
                        HipCrop[] pair = crops.get(i);
                        int n = pair[0].size();
                        float[] both = new float[2 * n * n];
                        System.arraycopy(pair[0].pixels(), 0, both, 0, n * n);
                        System.arraycopy(pair[1].pixels(), 0, both, n * n, n * n);
                        run(env, grade, both, new long[] {2, 1, n, n});
                        long t2 = System.nanoTime();
                        if (round > 0) {
                            ms.get("plainOrtLocalise").add((t1 - t0) / 1e6);
                            ms.get("plainOrtGrade").add((t2 - t1) / 1e6);
                        }
                    }
                }
            }
        }
    }

    private static void run(OrtEnvironment env, OrtSession s, float[] data, long[] shape) throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
             OrtSession.Result r = s.run(Map.of("image", t))) {
            for (var e : r) e.getValue().getValue(); // read the outputs back, as the product does
        }
    }

}
