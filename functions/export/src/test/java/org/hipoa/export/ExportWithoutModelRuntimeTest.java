package org.hipoa.export;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import org.hipoa.core.model.HipGrades;
import org.hipoa.core.model.ModelInfo;
import org.hipoa.core.report.HipSrWriter;
import org.hipoa.core.study.StudyGrades;
import org.hipoa.domain.Feature;
import org.hipoa.domain.Side;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.ZonedDateTime;
import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The export function's zip leaves DJL and ONNX Runtime out (functions/export/pom.xml): this test runs on exactly
 * that classpath and writes a real SR from a phantom film's header, so a class that drags the model runtime into the
 * SR path fails here instead of on the first export in Lambda.
 */
class ExportWithoutModelRuntimeTest {
    @Test
    void theModelRuntimeIsNotOnTheClasspath_andAnSrIsWrittenAllTheSame() throws Exception {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.Model"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.onnxruntime.OrtEnvironment"));
        AttributeList header = new AttributeList();
        try (InputStream in = getClass().getResourceAsStream("/report/phantom-header-11-0.dcm")) {
            header.read(new DicomInputStream(new ByteArrayInputStream(in.readAllBytes())));
        }
        StudyGrades grades = new StudyGrades(hip(Side.RIGHT, 100, 160), hip(Side.LEFT, 290, 158));
        byte[] sr = HipSrWriter.write(header, grades, new ModelInfo("hipoa-grader-demo", "0.3.1", Map.of()),
                ZonedDateTime.parse("2026-12-01T12:00:00Z"));
        assertTrue(sr.length > 1000 && new String(sr, 128, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("DICM"));
    }

    static HipGrades hip(Side side, double xMm, double yMm) {
        Map<Feature, Integer> g = new EnumMap<>(Feature.class);
        Map<Feature, float[]> p = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            g.put(f, 1);
            float[] v = new float[f.classes()];
            v[1] = 1f;
            p.put(f, v);
        }
        return new HipGrades(side, g, p, xMm, yMm);
    }
}
