package org.hipoa.preprocess;

import org.hipoa.aws.ColdStartClock;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.wire.CropNpy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

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
        ColdStartClock clock = ColdStartClock.start();
        boolean primed = args[0].equals("primed");
        byte[] film = Files.readAllBytes(Path.of(args[1]));
        clock.begin();
        PreprocessHandler handler = new PreprocessHandler();
        clock.lap("init");
        if (primed) handler.priming().prime();
        clock.lap("priming");
        Outcome<PreparedStudy> outcome = handler.preparer().prepare(new ByteArrayInputStream(film));
        if (!(outcome instanceof Outcome.Ok<PreparedStudy> ok)) throw new IllegalStateException("not prepared: " + outcome);
        byte[] npy = CropNpy.encode(ok.value().right(), ok.value().left());
        clock.lap("first event");
        clock.report("preprocess " + args[0], "prepared study");
        if (args.length > 2) Files.write(Path.of(args[2]), npy);
        clock.end();
    }
}
