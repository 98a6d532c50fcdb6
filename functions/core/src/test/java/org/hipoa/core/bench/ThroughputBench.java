package org.hipoa.core.bench;

import org.hipoa.core.study.PreparedStudy;
import org.hipoa.core.study.StudyGrader;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.domain.Outcome;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Throughput and what it costs, for {@code bench/peers}: the preprocess function's work ({@link StudyPreparer}: bytes
 * → decode → QA → localise → crop, one study per call as one S3 event is) in studies per second, and the inference
 * function's ({@link StudyGrader}: every hip of a batch in one model call) in hips per second at 2, 8 and 20 hips per
 * call (1, 4 and 10 studies: an SQS batch of 10 is the handler's largest). From those, GB-seconds per study at the
 * memory {@code template.yaml} gives each function, and the cost per 1,000 studies at the Lambda prices passed in.
 * Compute only: S3, SQS and DynamoDB calls, the handler's own work and cold starts are not in it, and Lambda's vCPU
 * share at those memory sizes (about 1.7 and 2.3 vCPU) is not this machine's 2 cores. Prints figures; asserts nothing.
 * The models are demonstrations trained on a synthetic phantom; the films are phantom films.
 *
 * <pre>ThroughputBench MODEL_DIR ROUNDS PREPROCESS_MB INFERENCE_MB USD_PER_GB_S USD_PER_M_REQUESTS FILM.dcm...</pre>
 */
public final class ThroughputBench {
    private ThroughputBench() {}

    public static void main(String[] args) throws Exception {
        Path modelDir = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        double preMb = Double.parseDouble(args[2]), infMb = Double.parseDouble(args[3]);
        double gbSecondUsd = Double.parseDouble(args[4]), requestUsd = Double.parseDouble(args[5]) / 1e6;
        List<byte[]> films = new ArrayList<>();
        for (String f : Arrays.copyOfRange(args, 6, args.length)) films.add(Files.readAllBytes(Path.of(f)));
        List<StudyGrader.Hips> hips = new ArrayList<>();
        double preMs;
        try (StudyPreparer preparer = new StudyPreparer(modelDir)) {
            List<Double> per = new ArrayList<>();
            for (int round = 0; round <= rounds; round++) {
                for (byte[] film : films) {
                    long t0 = System.nanoTime();
                    Outcome<PreparedStudy> p = preparer.prepare(film);
                    long t1 = System.nanoTime();
                    if (!(p instanceof Outcome.Ok(PreparedStudy s))) throw new IllegalStateException("not prepared: " + p);
                    if (round > 0) per.add((t1 - t0) / 1e6);
                    if (round == 0) hips.add(StudyGrader.Hips.of(s));
                }
            }
            preMs = median(per);
        }
        System.out.printf(Locale.ROOT, "Throughput (compute only, one process, 2 ORT threads; load %s):%n", load());
        System.out.printf(Locale.ROOT, "  preprocess (StudyPreparer, bytes -> crops)  %7.1f ms/study  %6.1f studies/s%n",
                preMs, 1e3 / preMs);
        double infMsPerStudyAt20 = Double.NaN;
        try (StudyGrader grader = new StudyGrader(modelDir)) {
            for (int batchHips : new int[] {2, 8, 20}) {
                int studies = batchHips / 2;
                List<Double> per = new ArrayList<>();
                int calls = Math.max(4, 2 * rounds * films.size() / studies);
                for (int i = -2; i < calls; i++) { // two untimed calls first at each size
                    List<StudyGrader.Hips> batch = new ArrayList<>(studies);
                    for (int j = 0; j < studies; j++) batch.add(hips.get(Math.floorMod(i * studies + j, hips.size())));
                    long t0 = System.nanoTime();
                    grader.grade(batch);
                    long t1 = System.nanoTime();
                    if (i >= 0) per.add((t1 - t0) / 1e6);
                }
                double ms = median(per);
                if (batchHips == 20) infMsPerStudyAt20 = ms / studies;
                System.out.printf(Locale.ROOT, "  inference (StudyGrader), %2d hips per call   %7.1f ms/call   %6.1f hips/s%n",
                        batchHips, ms, batchHips * 1e3 / ms);
            }
        }
        double preGbS = preMs / 1e3 * preMb / 1024, infGbS = infMsPerStudyAt20 / 1e3 * infMb / 1024;
        double perThousand = 1000 * (preGbS + infGbS) * gbSecondUsd + (1000 + 100) * requestUsd;
        System.out.printf(Locale.ROOT, "  GB-seconds per study: preprocess %.3f (%.0f MB), inference %.3f (%.0f MB, batches"
                + " of 10 studies)%n", preGbS, preMb, infGbS, infMb);
        System.out.printf(Locale.ROOT, "  cost per 1,000 studies: $%.4f (compute $%.4f at $%s per GB-s + 1,100 requests"
                        + " at $%s per million)%n", perThousand, 1000 * (preGbS + infGbS) * gbSecondUsd,
                args[4], args[5]);
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a[a.length / 2];
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "unknown";
        }
    }
}
