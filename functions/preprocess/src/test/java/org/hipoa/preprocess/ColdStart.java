package org.hipoa.preprocess;

import org.hipoa.core.study.PreparedStudy;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.wire.CropNpy;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * For {@code bench/cold-start.sh}: one fresh JVM, as Lambda starts one, from process start to the first prepared
 * study. Init is what Lambda runs before the first event: the handler's no-argument constructor (settings from the
 * environment, the SDK clients, the localiser session). The first event is the handler's per-event preparation of
 * one phantom film (stream decode, QA, localise, crop, .npy encoding), without the S3 GET, the SQS send and the
 * DynamoDB writes, so it needs no AWS; the bytes are read from a file before init. {@code primed} also runs the
 * SnapStart priming at init: under SnapStart that happens before the snapshot, and what a restored environment's
 * first event costs is then the first-event figure of this mode (the restore itself is not measured here).
 * The film is a phantom film; the models are demonstrations trained on a synthetic phantom. Prints figures only.
 *
 * <pre>ColdStart default|primed FILM.dcm [CROPS_OUT.npy]</pre>
 */
public final class ColdStart {
    private ColdStart() {}

    public static void main(String[] args) throws Exception {
        long main = System.nanoTime();
        boolean primed = args[0].equals("primed");
        byte[] film = Files.readAllBytes(Path.of(args[1]));
        long t0 = System.nanoTime();
        PreprocessHandler handler = new PreprocessHandler();
        long t1 = System.nanoTime();
        if (primed) handler.priming().prime();
        long t2 = System.nanoTime();
        Outcome<PreparedStudy> outcome = handler.preparer().prepare(new ByteArrayInputStream(film));
        if (!(outcome instanceof Outcome.Ok<PreparedStudy> ok)) throw new IllegalStateException("not prepared: " + outcome);
        byte[] npy = CropNpy.encode(ok.value().right(), ok.value().left());
        long t3 = System.nanoTime();
        // Read after the timed part: the management classes are not in Lambda's path.
        double sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()
                - (System.nanoTime() - main) / 1e6;
        System.out.printf(Locale.ROOT, "preprocess %s: JVM start to main %.0f ms, init %.0f ms, priming %.0f ms, "
                        + "first event %.0f ms; JVM start to first prepared study %.0f ms%n", args[0], sinceJvmStart,
                (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, sinceJvmStart + (t3 - main) / 1e6);
        if (args.length > 2) Files.write(Path.of(args[2]), npy);
        System.exit(0); // the SDK's and ORT's non-daemon threads must not keep the process past its work
    }
}
