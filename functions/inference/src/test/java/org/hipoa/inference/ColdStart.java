package org.hipoa.inference;

import org.hipoa.aws.AwsClients;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.core.crop.CropContract;
import org.hipoa.core.study.StudyGrader;
import org.hipoa.core.study.StudyGrades;
import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Side;
import org.hipoa.domain.wire.CropNpy;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * For {@code bench/cold-start.sh}: one fresh JVM, as Lambda starts one, from process start to the first graded
 * study. {@code eager} (what the handler does): init is the handler's no-argument constructor (settings, SDK clients,
 * the grader session); the first event grades one study's crops through that grader. {@code lazy}: init builds what
 * the handler builds except the grader, and the first event loads the grader, then grades. The crops' .npy bytes
 * are read from a file before init (no S3 GET, no DynamoDB write, so no AWS). The crops come from a phantom film;
 * the models are demonstrations trained on a synthetic phantom. Prints figures only.
 *
 * <pre>ColdStart eager|lazy CROPS.npy</pre>
 */
public final class ColdStart {
    private ColdStart() {}

    public static void main(String[] args) throws Exception {
        long main = System.nanoTime();
        boolean lazy = args[0].equals("lazy");
        byte[] npy = Files.readAllBytes(Path.of(args[1]));
        long t0 = System.nanoTime();
        InferenceHandler handler = null;
        Path modelDir = null;
        if (lazy) {
            PipelineConfig config = PipelineConfig.fromEnvironment();
            AwsClients.s3();
            AwsClients.dynamoDb();
            modelDir = config.requireModelDir();
            CropContract.forModelDir(modelDir);
        } else {
            handler = new InferenceHandler();
        }
        long t1 = System.nanoTime();
        StudyGrader grader = lazy ? new StudyGrader(modelDir) : handler.grader();
        CropNpy.Pair pair = CropNpy.decode(npy);
        StudyGrades grades = grader.grade(new StudyGrader.Hips(new HipCrop(Side.RIGHT, pair.size(), pair.right(), 0, 0),
                new HipCrop(Side.LEFT, pair.size(), pair.left(), 0, 0)));
        long t2 = System.nanoTime();
        if (grades.right() == null || grades.left() == null) throw new IllegalStateException("not graded");
        double sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()
                - (System.nanoTime() - main) / 1e6;
        System.out.printf(Locale.ROOT, "inference %s: JVM start to main %.0f ms, init %.0f ms, first event %.0f ms; "
                        + "JVM start to first graded study %.0f ms%n", args[0], sinceJvmStart, (t1 - t0) / 1e6,
                (t2 - t1) / 1e6, sinceJvmStart + (t2 - main) / 1e6);
        System.exit(0);
    }
}
