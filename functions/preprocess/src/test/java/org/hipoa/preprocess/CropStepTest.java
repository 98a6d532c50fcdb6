package org.hipoa.preprocess;

import org.hipoa.core.Reason;
import org.hipoa.core.Side;
import org.hipoa.core.crop.CropContract;
import org.hipoa.core.dicom.DecodeResult;
import org.hipoa.core.dicom.RadiographDecoder;
import org.hipoa.core.dicom.TransferSyntaxes;
import org.hipoa.core.pipeline.CropNpy;
import org.hipoa.core.pipeline.Keys;
import org.hipoa.phantom.DicomFilmWriter;
import org.hipoa.phantom.HipTruth;
import org.hipoa.phantom.PhantomCase;
import org.hipoa.phantom.PhantomRenderer;
import org.hipoa.phantom.PhantomSampler;
import org.hipoa.phantom.PhantomSeeds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The preprocess step on real phantom films with the shipped localiser, up to the crop bytes. */
class CropStepTest {
    static final Path MODEL_DIR = Path.of("../../model");
    static final long RUN_SEED = 77_002; // not a training or evaluation seed (model/MODEL_CARD.md)
    static final Keys KEYS = new Keys("0123456789abcdef-secret");
    static CropStep step;
    static PhantomCase phantom;
    static byte[] film;

    @BeforeAll
    static void setUp(@TempDir Path dir) throws Exception {
        step = new CropStep(MODEL_DIR, KEYS);
        phantom = PhantomSampler.sample(PhantomSeeds.imageSeed(RUN_SEED, 0));
        Path file = dir.resolve("film.dcm");
        DicomFilmWriter.write(PhantomRenderer.render(phantom), RUN_SEED, 0, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN,
                DicomFilmWriter.SpacingEncoding.PIXEL_SPACING, file);
        film = Files.readAllBytes(file);
    }

    @Test
    void phantomFilm_becomesTwoContractCrops_atTheTrueHeads() {
        var p = assertInstanceOf(CropStep.Outcome.Prepared.class, step.run(film));
        int px = CropContract.bundled().graderOutputPx();
        assertEquals(Side.RIGHT, p.right().side());
        assertEquals(Side.LEFT, p.left().side());
        assertEquals(px, p.right().size());
        for (Side side : Side.values()) {
            HipTruth t = phantom.hip(side);
            var crop = side == Side.RIGHT ? p.right() : p.left();
            double off = Math.hypot(crop.centerXmm() - t.centerXmm(), crop.centerYmm() - t.centerYmm());
            assertTrue(off < 10, side + " crop centre " + off + " mm from the true head centre");
        }
        assertTrue(p.timingsMs().containsKey("decode") && p.timingsMs().containsKey("localise"), p.timingsMs().toString());
    }

    @Test
    void cropBytes_areTheNpyTheInferenceFunctionReads() {
        var p = assertInstanceOf(CropStep.Outcome.Prepared.class, step.run(film));
        CropNpy.Pair back = CropNpy.decode(CropNpy.encode(p.right(), p.left()));
        assertArrayEquals(p.right().pixels(), back.right());
        assertArrayEquals(p.left().pixels(), back.left());
    }

    @Test
    void studyKey_isTheHmacOfTheFilmsStudyInstanceUid() {
        var decoded = assertInstanceOf(DecodeResult.Decoded.class, new RadiographDecoder().decode(film));
        String uid = decoded.radiograph().studyInstanceUid();
        var p = assertInstanceOf(CropStep.Outcome.Prepared.class, step.run(film));
        assertEquals(KEYS.studyKey(uid), p.studyKey().orElseThrow());
        assertTrue(!uid.isBlank() && !p.studyKey().get().contains(uid));
    }

    @Test
    void streamedAndInMemoryRuns_giveTheSameCrops() throws Exception {
        var a = assertInstanceOf(CropStep.Outcome.Prepared.class, step.run(film));
        var b = assertInstanceOf(CropStep.Outcome.Prepared.class, step.run(new ByteArrayInputStream(film)));
        assertArrayEquals(a.left().pixels(), b.left().pixels());
        assertTrue(b.timingsMs().containsKey("readDecode"));
    }

    @Test
    void notDicom_isRejected() {
        var r = assertInstanceOf(CropStep.Outcome.Rejected.class, step.run("hello, not a radiograph".getBytes()));
        assertEquals(Reason.NOT_DICOM, r.rejection().reason());
    }

    @Test
    void truncatedFilm_isRejected_notThrown() {
        var r = assertInstanceOf(CropStep.Outcome.Rejected.class, step.run(Arrays.copyOf(film, film.length / 2)));
        assertEquals(Reason.TRUNCATED, r.rejection().reason());
    }
}
