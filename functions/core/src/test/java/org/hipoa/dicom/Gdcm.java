package org.hipoa.dicom;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * GDCM's command-line converter, the independent encoder for compressed test fixtures (Debian libgdcm-tools,
 * installed by infra/setup.sh). Only ever a separate process: GDCM's Java binding aborts the JVM on bad input.
 */
public final class Gdcm {
    private Gdcm() {}

    /** Runs {@code gdcmconv OPTIONS in out}; fails the test with GDCM's own output if it does not succeed. */
    public static Path convert(Path in, Path out, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gdcmconv"));
        cmd.addAll(List.of(options));
        cmd.add(in.toString());
        cmd.add(out.toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("gdcmconv is not installed: run infra/setup.sh (Debian libgdcm-tools)", e);
        }
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("gdcmconv " + String.join(" ", options) + " failed: " + output);
        }
        return out;
    }
}
