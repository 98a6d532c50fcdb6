package org.hipoa.cli;

import org.hipoa.core.model.ShippedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./hipoa grade} with 200 file arguments died with SIGSEGV (exit 139, no output) because ONNX
 * Runtime created its environment on the JVM's 1 MB main thread. The trigger is the argument count, not the files,
 * so 200 copies of a small non-DICOM file reproduce it in seconds: every one must come back as a NOT_DICOM line.
 * A child JVM with the JVM's default stack (no -Xss), as the command runs.
 */
class GradeManyFilesTest {
    @Test
    void twoHundredArguments_onTheDefaultStack_giveTwoHundredLines(@TempDir Path tmp) throws Exception {
        Path junk = Files.writeString(tmp.resolve("not-dicom.dcm"), "hello");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Djava.awt.headless=true", "-Dai.djl.offline=true",
                "-Dhipoa.modelDir=" + ShippedModel.DIR,
                "-cp", System.getProperty("java.class.path"), Hipoa.class.getName(), "grade"));
        for (int i = 0; i < 200; i++) cmd.add(junk.toString());
        Path out = tmp.resolve("out.jsonl"), err = tmp.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "grade did not finish");
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, p.exitValue(), "exit " + p.exitValue() + " (139: the JVM crashed)\n" + Files.readString(err));
        assertEquals(200, lines.size());
        assertTrue(lines.stream().allMatch(l -> l.contains("\"NOT_DICOM\"")), lines.getFirst());
    }
}
