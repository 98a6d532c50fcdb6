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
        long main = System.nanoTime();
        boolean lazy = args[0].equals("lazy");
        byte[] npy = Files.readAllBytes(Path.of(args[1]));
        long t0 = System.nanoTime();
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
        long t1 = System.nanoTime();
        StudyGrader grader = lazy ? new StudyGrader(modelDir) : claimChecks.studyGrader();
        CropNpy.Pair pair = CropNpy.decode(npy);
        StudyGrades grades = grader.grade(new StudyGrader.Hips(new HipCrop(Side.RIGHT, pair.size(), pair.right(), 0, 0),
                new HipCrop(Side.LEFT, pair.size(), pair.left(), 0, 0)));
        long t2 = System.nanoTime();
        if (grades.right() == null || grades.left() == null) throw new IllegalStateException("not graded");
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        double sinceJvmStart = System.currentTimeMillis() - jvmStart - (System.nanoTime() - main) / 1e6;
        System.out.printf(Locale.ROOT, "inference %s: JVM start to main %.0f ms, init %.0f ms, first event %.0f ms; "
                        + "JVM start to first graded study %.0f ms (epoch ms: JVM start %d, done %d)%n", args[0], sinceJvmStart, (t1 - t0) / 1e6,
                (t2 - t1) / 1e6, sinceJvmStart + (t2 - main) / 1e6, jvmStart,
                System.currentTimeMillis());
        end();
    }

    /**
     * Ends the process where Lambda would send its first response. Not by {@code System.exit}: shutdown hooks and the
     * native libraries' teardown (measured: the AWS CRT's about 1 s, ONNX Runtime's about 0.2 s) are no part of a
     * cold start, since Lambda never ends the process after an event. {@code -Dcoldstart.exit=halt} (the CDS and AOT
     * training runs, which write their archive on the JVM's own exit path) halts instead; otherwise the process is
     * killed (exit status 137), which skips the teardown too.
     */
    static void end() throws Exception {
        System.out.flush();
        if (!"halt".equals(System.getProperty("coldstart.exit"))) {
            new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
        }
        Runtime.getRuntime().halt(0);
    }
}
