package org.hipoa.preprocess;

import org.hipoa.core.model.ShippedModel;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Side;
import org.hipoa.core.crop.CropContract;
import org.hipoa.dicom.Radiograph;
import org.hipoa.domain.Outcome;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.dicom.RadiographDecoder;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.wire.CropNpy;
import org.hipoa.domain.upload.Keys;
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

/** The preparation the preprocess function runs, on real phantom films with the shipped localiser, up to the crop bytes. */
class StudyPreparerTest {
    static final Path MODEL_DIR = ShippedModel.DIR;
    static final long RUN_SEED = 77_002; // not a training or evaluation seed (model/MODEL_CARD.md)
    static final Keys KEYS = new Keys("0123456789abcdef-secret");
    static StudyPreparer step;
    static PhantomCase phantom;
    static byte[] film;

    @BeforeAll
    static void setUp(@TempDir Path dir) throws Exception {
        step = new StudyPreparer(MODEL_DIR);
        phantom = PhantomSampler.sample(PhantomSeeds.imageSeed(RUN_SEED, 0));
        Path file = dir.resolve("film.dcm");
        DicomFilmWriter.write(PhantomRenderer.render(phantom), RUN_SEED, 0, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN,
                DicomFilmWriter.SpacingEncoding.PIXEL_SPACING, file);
        film = Files.readAllBytes(file);
    }

    @Test
    void phantomFilm_becomesTwoContractCrops_atTheTrueHeads() {
        var p = prepared(step.prepare(film));
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
        var p = prepared(step.prepare(film));
        CropNpy.Pair back = CropNpy.decode(CropNpy.encode(p.right(), p.left()));
        assertArrayEquals(p.right().pixels(), back.right());
        assertArrayEquals(p.left().pixels(), back.left());
    }

    @Test
    void studyKey_isTheHmacOfTheFilmsStudyInstanceUid() {
        String uid = switch (new RadiographDecoder().decode(film)) {
            case Outcome.Ok<Radiograph> ok -> ok.value().studyInstanceUid();
            case Outcome.Rejected<Radiograph> r -> throw new AssertionError("rejected: " + r.rejection());
        };
        var p = prepared(step.prepare(film));
        String studyKey = UploadPreprocessor.studyKey(p, KEYS).orElseThrow();
        assertEquals(KEYS.studyKey(uid), studyKey);
        assertTrue(!uid.isBlank() && !studyKey.contains(uid));
    }

    @Test
    void streamedAndInMemoryRuns_giveTheSameCrops() throws Exception {
        var a = prepared(step.prepare(film));
        var b = prepared(step.prepare(new ByteArrayInputStream(film)));
        assertArrayEquals(a.left().pixels(), b.left().pixels());
        assertTrue(b.timingsMs().containsKey("readDecode"));
    }

    static PreparedStudy prepared(Outcome<PreparedStudy> o) {
        return switch (o) {
            case Outcome.Ok<PreparedStudy> ok -> ok.value();
            case Outcome.Rejected<PreparedStudy> r -> throw new AssertionError("rejected: " + r.rejection());
        };
    }

    @Test
    void notDicom_isRejected() {
        var r = assertInstanceOf(Outcome.Rejected.class, step.prepare("hello, not a radiograph".getBytes()));
        assertEquals(Reason.NOT_DICOM, r.rejection().reason());
    }

    @Test
    void truncatedFilm_isRejected_notThrown() {
        var r = assertInstanceOf(Outcome.Rejected.class, step.prepare(Arrays.copyOf(film, film.length / 2)));
        assertEquals(Reason.TRUNCATED, r.rejection().reason());
    }
}
