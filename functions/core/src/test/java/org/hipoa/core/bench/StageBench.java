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
import org.hipoa.dicom.Radiograph;
import org.hipoa.dicom.RadiographDecoder;
import org.hipoa.core.model.HipGrader;
import org.hipoa.core.model.HipLocator;
import org.hipoa.core.model.NativeRuntime;

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
 * round (the first round warms the JIT and ONNX Runtime up and is not counted), with only HipOA's own two sessions
 * at work, as in the functions. Then DJL's share: a plain ONNX Runtime session (no DJL) with the same options runs
 * the same inputs beside each DJL call, the two taking turns at going first. Then decode, localise and grade again,
 * each alone in a loop.
 * Prints figures; asserts nothing.
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
                "shareDjlLocalise", "plainOrtLocalise", "shareDjlGrade", "plainOrtGrade", "decodeAlone", "localiseAlone", "gradeAlone",
                "readAlone", "readAllBytesAlone")) {
            ms.put(s, new ArrayList<>());
        }
        List<double[]> heads = new ArrayList<>();
        List<HipCrop[]> crops = new ArrayList<>();
        List<LocaliserInput> canvases = new ArrayList<>();
        List<byte[]> files = new ArrayList<>();
        NativeRuntime.ensureStarted(); // DJL creates the one environment; the plain sessions below then share it
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (HipLocator locator = new HipLocator(modelDir.resolve("localiser.onnx"), threads);
             HipGrader grader = new HipGrader(modelDir.resolve("grader.onnx"), threads);
             OrtSession.SessionOptions o = plainLocaliserOptions(threads);
             OrtSession.SessionOptions o1 = plainOptions(1);
             OrtSession plainLoc = env.createSession(modelDir.resolve("localiser.onnx").toString(), o);
             OrtSession plainGrade = env.createSession(modelDir.resolve("grader.onnx").toString(), o1)) {
            // The pipeline as a function runs it: one study after another, only HipOA's own sessions at work.
            for (int round = 0; round <= rounds; round++) {
                boolean timed = round > 0;
                for (Path f : films) {
                    long t0 = System.nanoTime();
                    // The product's file read (the CLI's grade and eval), as its decode(Path) reads.
                    if (!(decoder.read(f) instanceof Outcome.Ok(byte[] bytes))) {
                        throw new IllegalStateException(f + " could not be read");
                    }
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
                        ms.get("read").add((t1 - t0) / 1e6);
                        ms.get("decode").add((t2 - t1) / 1e6);
                        ms.get("localiserInput").add((t3 - t2) / 1e6);
                        ms.get("localise").add((t4 - t3) / 1e6);
                        ms.get("crop").add((t5 - t4) / 1e6);
                        ms.get("grade").add((t6 - t5) / 1e6);
                        ms.get("total").add((t6 - t0) / 1e6);
                    }
                    if (round == rounds) {
                        heads.add(new double[] {h.rightXmm(), h.rightYmm(), h.leftXmm(), h.leftYmm()});
                        crops.add(new HipCrop[] {right, left});
                        canvases.add(in);
                        files.add(bytes);
                    }
                }
            }
            // DJL's share: the DJL predictor and a plain OrtSession with the same options on the same inputs, taking
            // turns at going first, so neither is favoured by what ran just before it. Kept out of the pipeline
            // above: a second grader session run beside the first evicts its weights from the caches.
            int k = 0;
            for (int round = 0; round <= rounds; round++) {
                for (int i = 0; i < crops.size(); i++) {
                    boolean djlFirst = (k++ & 1) == 0;
                    HipCrop right = crops.get(i)[0], left = crops.get(i)[1];
                    double plainL = djlFirst ? 0 : plain(env, plainLoc, canvases.get(i));
                    long t0 = System.nanoTime();
                    locator.locate(canvases.get(i));
                    long t1 = System.nanoTime();
                    if (djlFirst) plainL = plain(env, plainLoc, canvases.get(i));
                    double plainG = djlFirst ? 0 : plain(env, plainGrade, right, left);
                    long t2 = System.nanoTime();
                    grader.grade(List.of(right, left));
                    long t3 = System.nanoTime();
                    if (djlFirst) plainG = plain(env, plainGrade, right, left);
                    if (round > 0) {
                        ms.get("shareDjlLocalise").add((t1 - t0) / 1e6);
                        ms.get("plainOrtLocalise").add(plainL);
                        ms.get("shareDjlGrade").add((t3 - t2) / 1e6);
                        ms.get("plainOrtGrade").add(plainG);
                    }
                }
            }
            // The same stages on the same inputs with nothing else in between: what each costs alone. The product's
            // read and the JDK's one-liner take turns at going first, on the same files.
            k = 0;
            for (int round = 0; round <= rounds; round++) {
                for (int i = 0; i < crops.size(); i++) {
                    boolean productFirst = (k++ & 1) == 0;
                    double jdk = productFirst ? 0 : readAllBytes(films.get(i));
                    long r0 = System.nanoTime();
                    decoder.read(films.get(i));
                    double product = (System.nanoTime() - r0) / 1e6;
                    if (productFirst) jdk = readAllBytes(films.get(i));
                    if (round > 0) {
                        ms.get("readAlone").add(product);
                        ms.get("readAllBytesAlone").add(jdk);
                    }
                    long t0 = System.nanoTime();
                    decoder.decode(files.get(i));
                    long t1 = System.nanoTime();
                    locator.locate(canvases.get(i));
                    long t2 = System.nanoTime();
                    grader.grade(List.of(crops.get(i)));
                    long t3 = System.nanoTime();
                    if (round > 0) {
                        ms.get("decodeAlone").add((t1 - t0) / 1e6);
                        ms.get("localiseAlone").add((t2 - t1) / 1e6);
                        ms.get("gradeAlone").add((t3 - t2) / 1e6);
                    }
                }
            }
        }
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

    /** The JDK's one-line file read, beside the product's ({@code RadiographDecoder.read}). */
    private static double readAllBytes(Path f) throws java.io.IOException {
        long t0 = System.nanoTime();
        byte[] b = Files.readAllBytes(f);
        if (b.length == 0) throw new IllegalStateException(f + " is empty");
        return (System.nanoTime() - t0) / 1e6;
    }

    /** As {@code HipLocator} runs: its threads spin during a call and stop when it returns. */
    static OrtSession.SessionOptions plainLocaliserOptions(int threads) throws OrtException {
        OrtSession.SessionOptions o = plainOptions(threads);
        o.addConfigEntry("session.intra_op.allow_spinning", "1");
        o.addConfigEntry("session.force_spinning_stop", "1");
        return o;
    }

    /** The options {@code OnnxModels} sets, on a plain session: what the inference costs without DJL around it. */
    static OrtSession.SessionOptions plainOptions(int threads) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.addConfigEntry("session.disable_quant_qdq", "1");
        o.addConfigEntry("session.intra_op.allow_spinning", "0");
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        return o;
    }

    private static double plain(OrtEnvironment env, OrtSession s, LocaliserInput in) throws OrtException {
        long t0 = System.nanoTime();
        run(env, s, in.pixels(), new long[] {1, 1, in.height(), in.width()});
        return (System.nanoTime() - t0) / 1e6;
    }

    /** As HipGrader grades: a one-thread session, the two hips at the same time (here on a thread of their own). */
    private static double plain(OrtEnvironment env, OrtSession s, HipCrop right, HipCrop left) throws Exception {
        long t0 = System.nanoTime();
        int n = right.size();
        java.util.concurrent.CompletableFuture<Void> other = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                run(env, s, left.pixels(), new long[] {1, 1, n, n});
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }, PLAIN_HELPER);
        run(env, s, right.pixels(), new long[] {1, 1, n, n});
        other.join();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static final java.util.concurrent.ExecutorService PLAIN_HELPER =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon(true)
                    .stackSize(org.hipoa.core.model.NativeRuntime.STACK_BYTES).unstarted(r));

    private static void run(OrtEnvironment env, OrtSession s, float[] data, long[] shape) throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
             OrtSession.Result r = s.run(Map.of("image", t))) {
            for (var e : r) e.getValue().getValue(); // read the outputs back, as the product does
        }
    }

}
