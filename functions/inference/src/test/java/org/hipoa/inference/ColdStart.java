package org.hipoa.inference;

import org.hipoa.aws.AwsClients;
import org.hipoa.aws.ColdStartClock;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.core.crop.CropContract;
import org.hipoa.core.study.StudyGrader;
import org.hipoa.core.study.StudyGrades;
import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Side;
import org.hipoa.domain.wire.CropNpy;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For {@code bench/cold-start.sh}: one fresh JVM, as Lambda starts one, from process start to the first graded
 * study. {@code eager} (what the handler does): init is what the handler's no-argument constructor runs
 * ({@link ClaimCheckGrader#fromEnvironment}: settings, SDK clients, the grader session); the first event grades one study's crops through that grader. {@code lazy}: init builds what
 * the handler builds except the grader, and the first event loads the grader, then grades. The crops' .npy bytes
 * are read from a file before init (no S3 GET, no DynamoDB write, so no AWS). The crops come from a phantom film;
 * the models are demonstrations trained on a synthetic phantom. Prints figures only.
 *
 * <pre>ColdStart eager|lazy CROPS.npy</pre>
 */
public final class ColdStart {
    private ColdStart() {}

    public static void main(String[] args) throws Exception {
        ColdStartClock clock = ColdStartClock.start();
        boolean lazy = args[0].equals("lazy");
        byte[] npy = Files.readAllBytes(Path.of(args[1]));
        clock.begin();
        ClaimCheckGrader claimChecks = null;
        Path modelDir = null;
        if (lazy) {
            PipelineConfig config = PipelineConfig.fromEnvironment();
            AwsClients.s3();
            AwsClients.dynamoDb();
            modelDir = config.requireModelDir();
            CropContract.forModelDir(modelDir);
        } else {
            claimChecks = ClaimCheckGrader.fromEnvironment(); // all that the handler's constructor runs
        }
        clock.lap("init");
        StudyGrader grader = lazy ? new StudyGrader(modelDir) : claimChecks.studyGrader();
        CropNpy.Pair pair = CropNpy.decode(npy);
        StudyGrades grades = grader.grade(new StudyGrader.Hips(new HipCrop(Side.RIGHT, pair.size(), pair.right(), 0, 0),
                new HipCrop(Side.LEFT, pair.size(), pair.left(), 0, 0)));
        clock.lap("first event");
        if (grades.right() == null || grades.left() == null) throw new IllegalStateException("not graded");
        clock.report("inference " + args[0], "graded study");
        clock.end();
    }
}
