package org.hipoa.dicom;

import org.hipoa.core.crop.CropContract;
import org.hipoa.core.model.ShippedModel;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.core.model.HipQa;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files nobody here wrote: pydicom's bundled test data (pydicom is a test dependency that infra/setup.sh installs).
 * Each gets the outcome that tells a provider what to do; "corrupt" makes them re-send the same file.
 */
class ForeignFilesTest {
    private static Path testFiles;
    private final RadiographDecoder decoder = new RadiographDecoder();

    @BeforeAll
    static void findPydicom() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c",
                "import os, pydicom; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'))")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), "pydicom is a test dependency (infra/setup.sh): " + out);
        testFiles = Path.of(out);
        assertTrue(Files.isDirectory(testFiles), testFiles.toString());
    }

    private Outcome<Radiograph> decode(String name) throws IOException {
        return decoder.decode(Files.readAllBytes(testFiles.resolve(name)));
    }

    @Test
    void jpeg2000_withAFilmSizeNoRadiographHas_decodes_andTheGateSaysItsGeometryIsImplausible() throws IOException {
        // 1024 x 256 px at its Pixel Spacing: a "film" 579 x 2314 mm.
        Radiograph r = assertInstanceOf(Outcome.Ok.class, decode("JPEG2000.dcm")) instanceof Outcome.Ok<?> ok
                ? (Radiograph) ok.value() : null;
        assertEquals(1024, r.rows());
        assertEquals(256, r.columns());
        Rejection gate = HipQa.checkAttributes(r, CropContract.bundled()).orElseThrow();
        assertEquals(Reason.IMPLAUSIBLE_GEOMETRY, gate.reason(), gate.message());
        assertTrue(gate.message().contains("2314"), gate.message());
    }

    @Test
    void nativePixelData_withTrailingPadding_decodesTheImageItDeclares() throws IOException {
        // 64 x 64 16-bit (8,192 bytes) in a Pixel Data value of 8,320: one row of padding after a complete image.
        Outcome<Radiograph> o = decode("MR_small_padded.dcm");
        Radiograph r = ((Outcome.Ok<Radiograph>) assertInstanceOf(Outcome.Ok.class, o, o.toString())).value();
        assertEquals(64, r.rows());
        assertEquals(64, r.columns());
        Outcome<Radiograph> unpadded = decode("MR_small.dcm"); // the same image without the padding
        Radiograph u = ((Outcome.Ok<Radiograph>) assertInstanceOf(Outcome.Ok.class, unpadded, unpadded.toString()))
                .value();
        assertEquals(u.stats().min(), r.stats().min());
        assertEquals(u.stats().max(), r.stats().max());
    }

    /** The same image as its file's attributes would give it without Modality, Body Part Examined and View Position. */
    private static Radiograph untagged(Radiograph r) {
        return new Radiograph(r.rows(), r.columns(), r.pixels(), r.spacing(), r.transferSyntaxUid(),
                r.sourcePhotometric(), r.bitsStored(), r.window(), r.studyInstanceUid(), r.seriesInstanceUid(),
                r.sopInstanceUid(), "", "", r.laterality(), "");
    }

    @Test
    void nonPelvisFilms_areRefusedByTheirModality_andStrippedOfTheirTags_areStillNotGraded() throws IOException {
        // 693_J2KI.dcm is a 512 x 512 CT slice at 0.48 mm: 245 x 245 mm, the size of a pelvis film, so it reaches the
        // localiser once its tags say nothing. The others are too small to hold two hips.
        try (StudyPreparer preparer = new StudyPreparer(ShippedModel.DIR)) {
            for (String name : List.of("693_J2KI.dcm", "CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm")) {
                Outcome<Radiograph> o = decode(name);
                Radiograph r = ((Outcome.Ok<Radiograph>) assertInstanceOf(Outcome.Ok.class, o, name)).value();
                Outcome<PreparedStudy> tagged = preparer.prepare(r);
                Rejection byModality = ((Outcome.Rejected<PreparedStudy>) assertInstanceOf(Outcome.Rejected.class,
                        tagged, name)).rejection();
                assertEquals(Reason.NOT_AP_PELVIS, byModality.reason(), name + ": " + byModality.message());
                Outcome<PreparedStudy> stripped = preparer.prepare(untagged(r));
                assertInstanceOf(Outcome.Rejected.class, stripped, name + " without its tags was graded");
            }
        }
    }

    @Test
    void colourJpeg_inAMislabelledImplicitVrDataSet_isRefusedAsColour_notAsCorrupt() throws IOException {
        Outcome<Radiograph> o = decode("SC_rgb_jpeg.dcm");
        Rejection r = ((Outcome.Rejected<Radiograph>) assertInstanceOf(Outcome.Rejected.class, o, o.toString()))
                .rejection();
        assertEquals(Reason.UNSUPPORTED_PHOTOMETRIC, r.reason(), r.message());
        assertTrue(r.message().contains("RGB"), r.message());
    }
}
