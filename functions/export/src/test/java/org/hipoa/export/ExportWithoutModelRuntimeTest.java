package org.hipoa.export;

import org.hipoa.report.HipSrWriter;
import org.hipoa.report.SrFixtures;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The export function's zip carries no DJL and no ONNX Runtime (functions/export/pom.xml depends on the report
 * module, not core): this test runs on exactly that classpath and writes a real SR from a phantom film's header and
 * stored hip results, so a class that drags the model runtime into the SR path fails here instead of on the first
 * export in Lambda.
 */
class ExportWithoutModelRuntimeTest {
    @Test
    void theModelRuntimeIsNotOnTheClasspath_andAnSrIsWrittenAllTheSame() throws Exception {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.Model"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.onnxruntime.OrtEnvironment"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.hipoa.core.model.HipGrader"));
        byte[] sr = HipSrWriter.write(SrFixtures.source(0), SrFixtures.both(SrFixtures.hip(1, 1, 1, 1, 1, 100, 160),
                SrFixtures.hip(1, 1, 1, 1, 1, 290, 158)), SrFixtures.MODEL, SrFixtures.WHEN);
        assertTrue(sr.length > 1000 && new String(sr, 128, 4, StandardCharsets.US_ASCII).equals("DICM"));
    }
}
