package org.hipoa.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.core.crop.CropContract;
import org.hipoa.core.crop.HipCrop;
import org.hipoa.phantom.HipTruth;
import org.hipoa.phantom.NpyWriter;
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
 * {@code ./hipoa phantom-train-data --count N --seed S --out DIR [--threads K] [--jitter-mm J] [--shard-size M]}:
 * what training needs, compact — per shard {@code crops-NNNNN.npy} (2·M × size × size float16, right then left
 * hip of each image) and {@code films-NNNNN.npy} (M × height × width float16, localiser canvas), with one line per
 * hip in {@code hips.jsonl} and per film in {@code films.jsonl}. Same seeds, same images as {@code phantom}.
 */
final class TrainDataCommand {
    private TrainDataCommand() {}

    static int run(Options o) throws IOException {
        o.allowOnly("count", "seed", "out", "threads", "jitter-mm", "shard-size", "first-index");
        int count = Math.toIntExact(o.longValue("count", null));
        long seed = o.longValue("seed", null);
        int first = Math.toIntExact(o.longValue("first-index", "0"));
        int threads = Math.toIntExact(o.longValue("threads", Integer.toString(Runtime.getRuntime().availableProcessors())));
        int shardSize = Math.toIntExact(o.longValue("shard-size", "500"));
        double jitter = Double.parseDouble(o.optional("jitter-mm", "2.0"));
        Path out = Path.of(o.required("out"));
        Files.createDirectories(out);
        CropContract contract = CropContract.bundled();
        ObjectMapper json = new ObjectMapper();
        ProgressBar progress = new ProgressBar("train-data", count);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads);
             Writer hips = Files.newBufferedWriter(out.resolve("hips.jsonl"), StandardCharsets.UTF_8);
             Writer films = Files.newBufferedWriter(out.resolve("films.jsonl"), StandardCharsets.UTF_8)) {
            for (int shardStart = first, shard = 0; shardStart < first + count; shardStart += shardSize, shard++) {
                int n = Math.min(shardSize, first + count - shardStart);
                List<Future<TrainingSample>> futures = new ArrayList<>(n);
                for (int i = shardStart; i < shardStart + n; i++) {
                    long imageSeed = PhantomSeeds.imageSeed(seed, i);
                    futures.add(pool.submit(() -> {
                        TrainingSample s = TrainingSample.of(PhantomSampler.sample(imageSeed), contract, jitter);
                        progress.step();
                        return s;
                    }));
                }
                int size = contract.graderOutputPx(), w = contract.localiserWidthPx(), h = contract.localiserHeightPx();
                float[] crops = new float[2 * n * size * size];
                float[] canvases = new float[n * w * h];
                String cropsName = String.format("crops-%05d.npy", shard), filmsName = String.format("films-%05d.npy", shard);
                for (int k = 0; k < n; k++) {
                    TrainingSample s = Futures.get(futures.get(k));
                    int index = shardStart + k;
                    System.arraycopy(s.right().pixels(), 0, crops, (2 * k) * size * size, size * size);
                    System.arraycopy(s.left().pixels(), 0, crops, (2 * k + 1) * size * size, size * size);
                    System.arraycopy(s.film().pixels(), 0, canvases, k * w * h, w * h);
                    hips.write(hipLine(json, cropsName, 2 * k, index, "right", s.phantomCase().right(), s.right()) + "\n");
                    hips.write(hipLine(json, cropsName, 2 * k + 1, index, "left", s.phantomCase().left(), s.left()) + "\n");
                    ObjectNode f = json.createObjectNode().put("shard", filmsName).put("row", k).put("index", index);
                    f.putArray("right").add(s.rightCanvasPx()[0]).add(s.rightCanvasPx()[1]);
                    f.putArray("left").add(s.leftCanvasPx()[0]).add(s.leftCanvasPx()[1]);
                    f.put("mmPerPx", s.film().mmPerPx());
                    films.write(f + "\n");
                }
                NpyWriter.writeFloat16(out.resolve(cropsName), crops, 2 * n, size, size);
                NpyWriter.writeFloat16(out.resolve(filmsName), canvases, n, h, w);
                hips.flush();
                films.flush();
            }
        }
        System.err.printf("phantom-train-data: wrote %d films (%d hips) to %s%n", count, 2 * count, out);
        return 0;
    }

    private static String hipLine(ObjectMapper json, String shard, int row, int index, String side, HipTruth t, HipCrop crop) {
        return json.createObjectNode().put("shard", shard).put("row", row).put("index", index).put("side", side)
                .put("fo", t.fo()).put("ao", t.ao()).put("jsn", t.jsn())
                .put("sclerosis", t.sclerosis()).put("cysts", t.cysts())
                .put("jitterXmm", crop.centerXmm() - t.centerXmm()).put("jitterYmm", crop.centerYmm() - t.centerYmm())
                .toString();
    }
}
