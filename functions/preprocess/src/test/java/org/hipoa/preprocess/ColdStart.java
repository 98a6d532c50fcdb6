package org.hipoa.preprocess;

import org.hipoa.core.dicom.TransferSyntaxes;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.wire.CropNpy;
import org.hipoa.phantom.DicomFilmWriter;
import org.hipoa.phantom.PhantomRenderer;
import org.hipoa.phantom.PhantomSampler;
import org.hipoa.phantom.PhantomSeeds;

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
 * <pre>ColdStart default|primed FILM.dcm [CROPS_OUT.npy]
 * ColdStart film OUT.dcm     (writes the phantom film the runs read: seed 31337, index 0, as bench/peers)</pre>
 */
public final class ColdStart {
    private ColdStart() {}

    public static void main(String[] args) throws Exception {
        long main = System.nanoTime();
        if (args[0].equals("film")) {
            DicomFilmWriter.write(PhantomRenderer.render(PhantomSampler.sample(PhantomSeeds.imageSeed(31_337, 0))),
                    31_337, 0, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, DicomFilmWriter.SpacingEncoding.PIXEL_SPACING,
                    Path.of(args[1]));
            return;
        }
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
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        double sinceJvmStart = System.currentTimeMillis() - jvmStart - (System.nanoTime() - main) / 1e6;
        System.out.printf(Locale.ROOT, "preprocess %s: JVM start to main %.0f ms, init %.0f ms, priming %.0f ms, "
                        + "first event %.0f ms; JVM start to first prepared study %.0f ms (epoch ms: JVM start %d, done %d)%n", args[0], sinceJvmStart,
                (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, sinceJvmStart + (t3 - main) / 1e6, jvmStart,
                System.currentTimeMillis());
        if (args.length > 2) Files.write(Path.of(args[2]), npy);
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
