package org.hipoa.dicom;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * David Clunie's {@code dciodvfy} (Debian dicom3tools, installed by infra/setup.sh): an IOD conformance check that
 * shares no code with PixelMed, so a file it accepts is valid by someone else's reading of the standard.
 */
public final class Dciodvfy {
    private Dciodvfy() {}

    /** What dciodvfy said about one file: its error and warning lines, and everything it printed. */
    public record Report(Path file, List<String> errors, List<String> warnings, String output) {
        @Override
        public String toString() {
            return file.getFileName() + ": " + errors.size() + " error(s), " + warnings.size() + " warning(s)\n" + output;
        }
    }

    /**
     * Skips the calling test where dciodvfy is missing on a developer's machine, but fails under CI (CI=true), where
     * setup installs it: a check that silently stops running is worse than none.
     */
    public static void assumeInstalled() {
        boolean installed = onPath("dciodvfy");
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("dciodvfy is not installed under CI: infra/setup.sh installs Debian dicom3tools");
        }
        Assumptions.assumeTrue(installed, "dciodvfy not installed (Debian dicom3tools; run infra/setup.sh)");
    }

    /** Runs {@code dciodvfy -new FILE}. Errors also include a failing exit status with no error line of its own. */
    public static Report check(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dciodvfy", "-new", file.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("dciodvfy did not finish on " + file);
        }
        List<String> lines = output.lines().toList();
        List<String> errors = new java.util.ArrayList<>(lines.stream().filter(l -> l.startsWith("Error")).toList());
        if (errors.isEmpty() && p.exitValue() != 0) errors.add("exit status " + p.exitValue());
        List<String> warnings = lines.stream().filter(l -> l.startsWith("Warning")).toList();
        return new Report(file, List.copyOf(errors), warnings, output);
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }
}
