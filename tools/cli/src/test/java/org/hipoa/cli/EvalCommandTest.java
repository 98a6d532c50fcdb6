package org.hipoa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.hipoa.core.model.ShippedModel;
import org.hipoa.domain.Feature;
import org.hipoa.domain.result.HipResultJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./hipoa eval} on a few phantom v2 films through the shipped model: what a reader of the model card relies
 * on — the refusal counts against the labels, the calibration block per feature, and no rate where there is nothing
 * to divide by. (Films: seed 271828, 48–51; film 50 has screws in its right hip.)
 */
class EvalCommandTest {
    @TempDir static Path dir;

    static JsonNode eval(Path films) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            assertEquals(0, EvalCommand.run(Args.parse(List.of("--model-dir", ShippedModel.DIR.toString(),
                    films.toString()), EvalCommand.SPEC), out));
        }
        return HipResultJson.JSON.readTree(bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aV2Set_reportsRefusalsAgainstTheLabels_andCalibrationPerFeature() throws Exception {
        Path v2 = dir.resolve("v2");
        assertEquals(0, Hipoa.run(new String[] {"phantom", "--count", "4", "--first-index", "48", "--seed", "271828",
                "--out", v2.toString()}));
        JsonNode r = eval(v2);
        JsonNode ng = r.get("notGradable");
        assertEquals(1, ng.get("hardwareHips").asInt(), ng.toString());
        assertEquals(1, ng.get("hardwareRefused").asInt(), ng.toString());
        assertEquals(1.0, ng.get("sensitivity").asDouble());
        assertEquals(7, ng.get("gradableHips").asInt(), ng.toString());
        assertEquals(ng.get("gradableGraded").asInt(), r.get("features").get("fo").get("n").asInt());
        for (Feature f : Feature.values()) {
            JsonNode c = r.get("features").get(f.key()).get("calibration");
            double ece = c.get("ece15").asDouble();
            assertTrue(ece >= 0 && ece <= 1, f + " ECE " + ece);
            long binned = 0;
            for (JsonNode b : c.get("reliability")) binned += b.get("n").asLong();
            assertEquals(ng.get("gradableGraded").asLong(), binned, f + ": every graded hip in one bin");
        }
    }

    @Test
    void aSetWithoutHardware_hasNoSensitivity_notAZero() throws Exception {
        Path v1 = dir.resolve("v1");
        assertEquals(0, Hipoa.run(new String[] {"phantom", "--phantom", "v1", "--count", "2", "--seed", "5",
                "--out", v1.toString()}));
        JsonNode ng = eval(v1).get("notGradable");
        assertTrue(ng.get("sensitivity").isNull(), ng.toString());
        assertEquals(0, ng.get("hardwareHips").asInt());
    }
}
