package org.hipoa.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.core.crop.CropContract;
import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Feature;
import org.hipoa.phantom.HipLabel;
import org.hipoa.phantom.HipTruth;
import org.hipoa.phantom.PhantomCase;
import org.hipoa.phantom.PhantomSpec;
import org.hipoa.domain.wire.Npy;
import org.hipoa.phantom.PhantomSampler;
import org.hipoa.phantom.PhantomSeeds;
import org.hipoa.phantom.TrainingSample;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code ./hipoa phantom-train-data --count N --seed S --out DIR [--threads K] [--jitter-mm J] [--shard-size M]
 * [--crop-px P[,P2...]] [--phantom v1|v2] [--site internal|external]}: what training needs, compact — per shard {@code crops-NNNNN.npy} (2·M × size × size
 * float16, right then left hip of each image) and {@code films-NNNNN.npy} (M × height × width float16, localiser
 * canvas), with one line per hip in {@code hips.jsonl} and per film in {@code films.jsonl}. Same seeds, same images
 * as {@code phantom}. With several crop sizes (e.g. 160 for the CPU grader, 224 for the paper's), each size's crops
 * and hips.jsonl go to {@code DIR/pxP/}, all cut from one render of each film.
 */
final class TrainDataCommand {
    private TrainDataCommand() {}

    static final Args.Spec SPEC = Args.Spec.of("count", "seed", "out", "threads", "jitter-mm", "shard-size",
            "first-index", "crop-px",
            "phantom", "site");

    static int run(Args o) throws IOException {
        o.noPositional("phantom-train-data");
        int count = Math.toIntExact(o.longValue("count", null));
        long seed = o.longValue("seed", null);
        int first = Math.toIntExact(o.longValue("first-index", "0"));
        int threads = Math.toIntExact(o.longValue("threads", Integer.toString(Runtime.getRuntime().availableProcessors())));
        int shardSize = Math.toIntExact(o.longValue("shard-size", "500"));
        double jitter = Double.parseDouble(o.optional("jitter-mm", "2.0"));
        PhantomSpec spec = PhantomCommand.spec(o);
        Path out = Path.of(o.required("out"));
        Files.createDirectories(out);
        CropContract bundled = CropContract.bundled();
        List<CropContract> contracts = new ArrayList<>();
        for (String px : o.optional("crop-px", Integer.toString(bundled.graderOutputPx())).split(",")) {
            contracts.add(bundled.withGraderOutputPx(Integer.parseInt(px.strip())));
        }
        List<Path> cropDirs = new ArrayList<>();
        for (CropContract c : contracts) {
            cropDirs.add(contracts.size() == 1 ? out : out.resolve("px" + c.graderOutputPx()));
            Files.createDirectories(cropDirs.getLast());
        }
        ObjectMapper json = new ObjectMapper();
        ProgressBar progress = new ProgressBar("train-data", count);
        List<Writer> hips = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads);
             Writer films = Files.newBufferedWriter(out.resolve("films.jsonl"), StandardCharsets.UTF_8)) {
            for (Path d : cropDirs) hips.add(Files.newBufferedWriter(d.resolve("hips.jsonl"), StandardCharsets.UTF_8));
            for (int shardStart = first, shard = 0; shardStart < first + count; shardStart += shardSize, shard++) {
                int n = Math.min(shardSize, first + count - shardStart);
                List<Future<TrainingSample>> futures = new ArrayList<>(n);
                for (int i = shardStart; i < shardStart + n; i++) {
                    long imageSeed = PhantomSeeds.imageSeed(seed, i);
                    futures.add(pool.submit(() -> {
                        TrainingSample s = TrainingSample.of(PhantomSampler.sample(imageSeed, spec), contracts, jitter);
                        progress.step();
                        return s;
                    }));
                }
                List<TrainingSample> samples = new ArrayList<>(n);
                for (Future<TrainingSample> f : futures) samples.add(Futures.get(f));
                String cropsName = String.format("crops-%05d.npy", shard), filmsName = String.format("films-%05d.npy", shard);
                for (int c = 0; c < contracts.size(); c++) {
                    int size = contracts.get(c).graderOutputPx();
                    float[] crops = new float[2 * n * size * size];
                    for (int k = 0; k < n; k++) {
                        TrainingSample s = samples.get(k);
                        HipCrop[] pair = s.crops().get(c);
                        System.arraycopy(pair[0].pixels(), 0, crops, (2 * k) * size * size, size * size);
                        System.arraycopy(pair[1].pixels(), 0, crops, (2 * k + 1) * size * size, size * size);
                        int index = shardStart + k;
                        PhantomCase pc = s.phantomCase();
                        hips.get(c).write(hipLine(json, cropsName, 2 * k, index, "right", pc.right(),
                                pc.labels() == null ? null : pc.labels().right(), reader(pc), pair[0]) + "\n");
                        hips.get(c).write(hipLine(json, cropsName, 2 * k + 1, index, "left", pc.left(),
                                pc.labels() == null ? null : pc.labels().left(), reader(pc), pair[1]) + "\n");
                    }
                    Npy.writeFloat16(cropDirs.get(c).resolve(cropsName), crops, 2 * n, size, size);
                    hips.get(c).flush();
                }
                int w = bundled.localiserWidthPx(), h = bundled.localiserHeightPx();
                float[] canvases = new float[n * w * h];
                for (int k = 0; k < n; k++) {
                    TrainingSample s = samples.get(k);
                    System.arraycopy(s.film().pixels(), 0, canvases, k * w * h, w * h);
                    ObjectNode f = json.createObjectNode().put("shard", filmsName).put("row", k).put("index", shardStart + k);
                    f.putArray("right").add(s.rightCanvasPx()[0]).add(s.rightCanvasPx()[1]);
                    f.putArray("left").add(s.leftCanvasPx()[0]).add(s.leftCanvasPx()[1]);
                    f.put("mmPerPx", s.film().mmPerPx());
                    films.write(f + "\n");
                }
                Npy.writeFloat16(out.resolve(filmsName), canvases, n, h, w);
                films.flush();
            }
        } finally {
            for (Writer w : hips) w.close();
        }
        System.err.printf("phantom-train-data: wrote %d films (%d hips) to %s%n", count, 2 * count, out);
        return 0;
    }

    /** The reader who labelled a v2 case (A internal, B external); null for v1. */
    private static String reader(PhantomCase pc) {
        return pc.labels() == null ? null : pc.labels().reader().name();
    }

    /**
     * One hip's line. v1: its exact grades. v2: the reader's grades as fo … cysts (what the grader learns), beside
     * {@code truth}, {@code severity}, {@code readerP}, {@code reader}, {@code gradable} and {@code hardware}; a hip with hardware has no grades and
     * {@code gradable: false} (training skips it).
     */
    private static String hipLine(ObjectMapper json, String shard, int row, int index, String side, HipTruth t,
                                  HipLabel v2, String reader, HipCrop crop) {
        ObjectNode n = json.createObjectNode().put("shard", shard).put("row", row).put("index", index).put("side", side);
        if (v2 == null) {
            n.put("fo", t.fo()).put("ao", t.ao()).put("jsn", t.jsn())
                    .put("sclerosis", t.sclerosis()).put("cysts", t.cysts());
        } else {
            n.put("gradable", v2.gradable()).put("reader", reader);
            if (v2.hardware() == null) n.putNull("hardware"); else n.put("hardware", v2.hardware().key());
            if (v2.gradable()) {
                for (Feature f : Feature.values()) {
                    if (f.isBinary()) n.put(f.key(), v2.grade(f) > 0); else n.put(f.key(), v2.grade(f));
                }
                ObjectNode truth = n.putObject("truth"), severity = n.putObject("severity");
                for (Feature f : Feature.values()) {
                    truth.put(f.key(), v2.truth(f));
                    severity.put(f.key(), v2.severity()[f.ordinal()]);
                }
                // The reader's exact grade probabilities: evaluation's ceiling needs no copy of the reader model.
                ObjectNode p = n.putObject("readerP");
                for (Feature f : Feature.values()) {
                    var probs = p.putArray(f.key());
                    for (double v : v2.readerP()[f.ordinal()]) probs.add(Math.round(v * 1e6) / 1e6);
                }
            }
        }
        return n.put("jitterXmm", crop.centerXmm() - t.centerXmm()).put("jitterYmm", crop.centerYmm() - t.centerYmm())
                .toString();
    }
}
