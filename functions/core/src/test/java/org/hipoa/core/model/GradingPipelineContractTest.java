package org.hipoa.core.model;

import org.hipoa.core.crop.CropContract;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each shipped model folder crops at its grader's input size, and a mismatched pair is refused at load. */
class GradingPipelineContractTest {
    static final Path MODEL_DIR = Path.of("../../model");

    @Test
    void eachModelFolder_cropsAtItsGradersInputSize() {
        assertEquals(160, CropContract.forModelDir(MODEL_DIR).graderOutputPx());
        assertEquals(224, CropContract.forModelDir(MODEL_DIR.resolve("paper")).graderOutputPx());
        CropContract cpu = CropContract.forModelDir(MODEL_DIR), paper = CropContract.forModelDir(MODEL_DIR.resolve("paper"));
        assertEquals(cpu.withGraderOutputPx(224), paper, "the paper contract differs only in output size");
    }

    @Test
    void graderOfAnotherInputSize_isRefusedAtLoad() {
        try (HipLocator locator = new HipLocator(MODEL_DIR.resolve("localiser.onnx"));
             HipGrader paperGrader = new HipGrader(MODEL_DIR.resolve("paper/grader.onnx"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new GradingPipeline(CropContract.forModelDir(MODEL_DIR), locator, paperGrader));
            assertTrue(e.getMessage().contains("224") && e.getMessage().contains("160"), e.getMessage());
        }
    }

    @Test
    void paperFolder_loadsAsOnePipeline() {
        try (GradingPipeline p = new GradingPipeline(MODEL_DIR.resolve("paper"))) {
            assertTrue(p.grader().info().properties().get("architecture").startsWith("densenet161"));
        }
    }
}
