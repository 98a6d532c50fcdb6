package org.hipoa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.core.model.ShippedModel;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Outcome;
import org.hipoa.dicom.Gdcm;
import org.hipoa.dicom.Radiograph;
import org.hipoa.dicom.RadiographDecoder;
import org.hipoa.core.study.StudyGrader;
import org.hipoa.domain.result.NotGradable;
import org.hipoa.core.study.StudyGrades;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.domain.result.HipResultJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The models shipped in model/, through the product path (DICOM → decode → localise → crop → grade): fresh phantom
 * films are graded well above chance, grades do not depend on the file's encoding, and a film without hips is
 * refused rather than graded. (Demonstration models trained on phantoms: these are claims about phantoms only.)
 */
class ShippedModelTest {
    static final Path MODEL_DIR = ShippedModel.DIR;
    @TempDir static Path dir;
    static StudyPreparer preparer;
    static StudyGrader grader;
    static final RadiographDecoder decoder = new RadiographDecoder();

    @BeforeAll
    static void load() {
        preparer = new StudyPreparer(MODEL_DIR);
        grader = new StudyGrader(MODEL_DIR);
        // A seed no training or evaluation run uses (training seeds are listed in model/MODEL_CARD.md).
        assertEquals(0, Hipoa.run(new String[] {"phantom", "--count", "16", "--seed", "77001", "--out", dir.toString()}));
    }

    @AfterAll
    static void close() {
        preparer.close();
        grader.close();
    }

    @Test
    void freshPhantoms_areGradedWellAboveChance_andHipsWithHardwareAreNot() throws Exception {
        List<String> labels = Files.readAllLines(dir.resolve("labels.jsonl"));
        List<int[]> fo = new ArrayList<>(), ao = new ArrayList<>(), jsn = new ArrayList<>();
        double worstLocalisationMm = 0;
        int hardware = 0;
        for (String line : labels) {
            JsonNode truth = HipResultJson.JSON.readTree(line);
            ObjectNode result = graded(dir.resolve(truth.get("file").asText()));
            assertEquals("GRADED", result.get("status").asText(), result.toString());
            for (String side : List.of("right", "left")) {
                JsonNode t = truth.get("hips").get(side), p = result.get("hips").get(side);
                if (!t.get("gradable").asBoolean()) {
                    // A hip with a prosthesis or screws: refused with a reason, never graded.
                    hardware++;
                    assertEquals("NOT_GRADABLE", p.get("status").asText(), t.get("hardware") + ": " + p);
                    assertFalse(p.has("fo"), p.toString());
                    continue;
                }
                if (!"GRADED".equals(p.get("status").asText())) continue; // a rare abstention: counted by eval
                // Against the noise-free grade: the reader's noise is what eval's ceiling accounts for.
                JsonNode g = t.get("truth");
                fo.add(new int[] {g.get("fo").asInt(), p.get("fo").asInt()});
                ao.add(new int[] {g.get("ao").asInt(), p.get("ao").asInt()});
                jsn.add(new int[] {g.get("jsn").asInt(), p.get("jsn").asInt()});
                worstLocalisationMm = Math.max(worstLocalisationMm, Math.hypot(
                        t.get("centerMm").get(0).asDouble() - p.get("centerMm").get(0).asDouble(),
                        t.get("centerMm").get(1).asDouble() - p.get("centerMm").get(1).asDouble()));
            }
        }
        assertTrue(fo.size() >= 28, fo.size() + " graded hips of 32");
        for (List<int[]> pairs : List.of(fo, ao, jsn)) {
            long[][] confusion = new long[4][4];
            for (int[] p : pairs) confusion[p[0]][p[1]]++;
            double kappa = Agreement.kappa(confusion, false);
            // Chance agreement gives kappa 0; the floor is far above it yet leaves room for 32 hips' sampling noise.
            assertTrue(kappa > 0.5, "linear-weighted kappa " + kappa + " on " + pairs.size() + " hips");
        }
        assertTrue(worstLocalisationMm < 15, "a head centre was " + worstLocalisationMm + " mm off");
        System.out.println("[ShippedModelTest] " + hardware + " hips with hardware among 32");
    }

    /**
     * Phantom v2, seed 271828 (the model card's test seed), film 50: acetabular screws in the patient's right hip. The
     * shipped grader refuses that hip with its reason and grades the other one.
     */
    @Test
    void aHipWithScrews_isNotGraded_andTheOtherHipIs() throws Exception {
        Path v2 = dir.resolve("v2");
        assertEquals(0, Hipoa.run(new String[] {"phantom", "--phantom", "v2", "--count", "1", "--first-index", "50",
                "--seed", "271828", "--out", v2.toString()}));
        JsonNode labels = HipResultJson.JSON.readTree(Files.readAllLines(v2.resolve("labels.jsonl")).getFirst());
        assertEquals("acetabular-screws", labels.get("hips").get("right").get("hardware").asText());
        ObjectNode result = graded(v2.resolve(labels.get("file").asText()));
        assertEquals("GRADED", result.get("status").asText(), result.toString());
        JsonNode right = result.get("hips").get("right"), left = result.get("hips").get("left");
        assertEquals("NOT_GRADABLE", right.get("status").asText(), right.toString());
        assertEquals("HARDWARE", right.get("reason").asText());
        assertFalse(right.has("fo") || right.has("probabilities"));
        assertEquals("GRADED", left.get("status").asText(), left.toString());
        assertTrue(result.get("model").get("refusesHips").asBoolean() && result.get("model").get("calibrated").asBoolean());
    }

    /**
     * The film cut at the patient's right head centre (the image's left half of it gone): that hip is NOT_VISIBLE, the
     * left one still graded, and the upload GRADED.
     */
    @Test
    void aHipCutOffByTheFilmsEdge_isNotVisible_andTheOtherIsGraded() throws Exception {
        Radiograph full = ((Outcome.Ok<Radiograph>) decoder.decode(dir.resolve("hip00001.dcm"))).value();
        JsonNode truth = HipResultJson.JSON.readTree(Files.readAllLines(dir.resolve("labels.jsonl")).get(1));
        int from = (int) (truth.get("hips").get("right").get("centerMm").get(0).asDouble() / full.spacing().columnMm());
        int cols = full.columns() - from;
        float[] px = new float[full.rows() * cols];
        for (int r = 0; r < full.rows(); r++) System.arraycopy(full.pixels(), r * full.columns() + from, px, r * cols, cols);
        Radiograph cut = new Radiograph(full.rows(), cols, px, full.spacing(), full.transferSyntaxUid(),
                full.sourcePhotometric(), full.bitsStored(), Optional.empty(), "", "", "", "DX", "AP", "B", "PELVIS");
        PreparedStudy study = ((Outcome.Ok<PreparedStudy>) preparer.prepare(cut)).value();
        StudyGrades g = grader.grade(StudyGrader.Hips.of(study));
        assertEquals(Optional.of(NotGradable.NOT_VISIBLE), g.right().notGradable());
        assertTrue(g.left().graded(), g.left().toString());
    }

    /** A file through the command line's path (the pipeline's two steps), as {@code ./hipoa grade} prints it. */
    static ObjectNode graded(Path file) throws Exception {
        return GradeCommand.json(file.toString(), GradeCommand.gradeOne(preparer, grader, file), preparer, grader);
    }

    @Test
    void grades_doNotDependOnTheEncoding() throws Exception {
        Path original = dir.resolve("hip00000.dcm");
        Path jpegLossless = Gdcm.convert(original, dir.resolve("jpegll.dcm"), "-J");
        Path j2k = Gdcm.convert(original, dir.resolve("j2k.dcm"), "-K");
        JsonNode reference = graded(original).get("hips");
        for (Path other : List.of(jpegLossless, j2k)) {
            assertEquals(reference, graded(other).get("hips"), other.toString());
        }
    }

    @Test
    void filmWithTheHipsCutAway_isRefused() throws Exception {
        Radiograph full = ((Outcome.Ok<Radiograph>) decoder.decode(dir.resolve("hip00001.dcm"))).value();
        JsonNode truth = HipResultJson.JSON.readTree(Files.readAllLines(dir.resolve("labels.jsonl")).get(1));
        double headTopMm = truth.get("hips").get("right").get("centerMm").get(1).asDouble()
                - 1.6 * truth.get("hips").get("right").get("headRadiusMm").asDouble();
        int keepRows = (int) (headTopMm / full.spacing().rowMm());
        Radiograph upper = new Radiograph(keepRows, full.columns(),
                Arrays.copyOf(full.pixels(), keepRows * full.columns()), full.spacing(), full.transferSyntaxUid(),
                full.sourcePhotometric(), full.bitsStored(), Optional.empty(), "", "", "", "DX", "AP", "B", "PELVIS");
        Outcome.Rejected<?> refused = assertInstanceOf(Outcome.Rejected.class, preparer.prepare(upper));
        assertTrue(List.of(Reason.HIPS_NOT_FOUND, Reason.NOT_AP_PELVIS).contains(refused.rejection().reason()));
    }

    @Test
    void uniformImage_isRefused() {
        int rows = 1750, columns = 2150;
        float[] flat = new float[rows * columns];
        Arrays.fill(flat, 2000f);
        Radiograph uniform = new Radiograph(rows, columns, flat,
                new org.hipoa.dicom.PixelSpacing(0.2, 0.2, org.hipoa.dicom.PixelSpacing.Source.PIXEL_SPACING),
                "", "MONOCHROME2", 12, Optional.empty(), "", "", "", "DX", "AP", "", "PELVIS");
        Outcome.Rejected<?> refused = assertInstanceOf(Outcome.Rejected.class, preparer.prepare(uniform));
        assertEquals(Reason.HIPS_NOT_FOUND, refused.rejection().reason());
    }

    @Test
    void lateralChestByItsAttributes_isRefusedAsNotApPelvis() throws Exception {
        Radiograph pelvis = ((Outcome.Ok<Radiograph>) decoder.decode(dir.resolve("hip00002.dcm"))).value();
        Radiograph chest = new Radiograph(pelvis.rows(), pelvis.columns(), pelvis.pixels(), pelvis.spacing(), "",
                "MONOCHROME2", 12, Optional.empty(), "", "", "", "DX", "LL", "", "CHEST");
        Outcome.Rejected<?> refused = assertInstanceOf(Outcome.Rejected.class, preparer.prepare(chest));
        assertEquals(Reason.NOT_AP_PELVIS, refused.rejection().reason());
    }
}
