package org.hipoa.core.study;

import org.hipoa.core.model.ShippedModel;
import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Side;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loading and running both models does not depend on the caller's thread stack: on a 512 KB thread (half the JVM's
 * default, which is what a Lambda handler thread gets) ONNX Runtime's environment creation crashed the JVM with
 * SIGSEGV. Run in a fresh JVM, because the environment is created once per process and a crash would take the test
 * JVM with it.
 */
class SmallStackTest {
    static final Path MODEL_DIR = ShippedModel.DIR;

    /** The child JVM: prepare + grade on a 512 KB thread, print what came out. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        List<String> out = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        Thread small = new Thread(null, () -> {
            try (StudyPreparer preparer = new StudyPreparer(dir); StudyGrader grader = new StudyGrader(dir)) {
                int px = preparer.contract().graderOutputPx();
                float[] grey = new float[px * px];
                Arrays.fill(grey, 0.5f);
                StudyGrades g = grader.grade(new StudyGrader.Hips(new HipCrop(Side.RIGHT, px, grey, 0, 0),
                        new HipCrop(Side.LEFT, px, grey, 0, 0)));
                out.add("graded " + (g.right() != null && g.left() != null));
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "small-stack", 512 * 1024);
        small.start();
        small.join();
        if (failure[0] != null) throw new AssertionError(failure[0]);
        System.out.println(String.join("\n", out));
    }

    @Test
    void modelsLoadAndGrade_onA512KbThread() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = Files.createTempFile("small-stack", ".log");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), SmallStackTest.class.getName(), MODEL_DIR.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        String output = Files.readString(log);
        Files.delete(log);
        assertEquals(0, p.exitValue(), "child JVM exit " + p.exitValue() + " (134/139: crashed):\n" + output);
        assertTrue(output.contains("graded true"), output);
    }
}
