package org.hipoa.core.study;

import org.hipoa.core.crop.CropContract;
import org.hipoa.core.model.HipGrader;
import org.hipoa.core.model.ShippedModel;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each shipped model folder crops at its grader's input size, and a mismatched pair is refused at load. */
class StudyGraderContractTest {
    static final Path MODEL_DIR = ShippedModel.DIR;

    @Test
    void eachModelFolder_cropsAtItsGradersInputSize() {
        assertEquals(160, CropContract.forModelDir(MODEL_DIR).graderOutputPx());
        assertEquals(224, CropContract.forModelDir(MODEL_DIR.resolve("paper")).graderOutputPx());
        CropContract cpu = CropContract.forModelDir(MODEL_DIR), paper = CropContract.forModelDir(MODEL_DIR.resolve("paper"));
        assertEquals(cpu.withGraderOutputPx(224), paper, "the paper contract differs only in output size");
    }

    @Test
    void graderOfAnotherInputSize_isRefusedAtLoad() {
        try (HipGrader paperGrader = new HipGrader(MODEL_DIR.resolve("paper/grader.onnx"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new StudyGrader(CropContract.forModelDir(MODEL_DIR), paperGrader));
            assertTrue(e.getMessage().contains("224") && e.getMessage().contains("160"), e.getMessage());
        }
    }

    @Test
    void paperFolder_loadsAsOnePipeline() {
        try (StudyPreparer prepare = new StudyPreparer(MODEL_DIR.resolve("paper"));
             StudyGrader grade = new StudyGrader(MODEL_DIR.resolve("paper"))) {
            assertEquals(224, prepare.contract().graderOutputPx());
            assertTrue(grade.info().properties().get("architecture").startsWith("densenet161"));
        }
    }
}
