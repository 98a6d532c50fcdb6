package org.hipoa.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.validate.DicomSRValidator;
import org.hipoa.domain.Side;
import org.hipoa.core.dicom.Dciodvfy;
import org.hipoa.domain.Feature;
import org.hipoa.core.model.HipGrades;
import org.hipoa.core.model.ModelInfo;
import org.hipoa.core.study.StudyGrades;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a PACS, a viewer and a radiologist rely on in HipOA's SR, checked by three readers that share no code with
 * the writer's logic: dciodvfy (IOD), PixelMed's DicomSRValidator (TID 1500), highdicom (reads the groups back).
 * The sources are headers of real phantom films (src/test/resources/report, kept current by the phantom module's
 * SrFixtureTest): film 0 has Pixel Spacing, film 1 Imager Pixel Spacing with a magnification factor.
 */
class HipSrWriterTest {
    static final ZonedDateTime WHEN = ZonedDateTime.parse("2026-12-01T12:00:00Z");
    static final ModelInfo MODEL = new ModelInfo("hipoa-grader-demo", "0.3.1", Map.of());
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;

    @BeforeAll
    static void lift_jdk_xpath_limits() {
        // DicomSRValidator's compiled TID rules exceed the JDK's default XPath operator limits (JAXP0801003).
        for (String limit : List.of("jdk.xml.xpathExprOpLimit", "jdk.xml.xpathExprGrpLimit", "jdk.xml.xpathTotalOpLimit")) {
            System.setProperty(limit, "0");
        }
    }

    static AttributeList source(int film) throws Exception {
        AttributeList l = new AttributeList();
        try (InputStream in = HipSrWriterTest.class.getResourceAsStream("/report/phantom-header-11-" + film + ".dcm")) {
            l.read(new DicomInputStream(new ByteArrayInputStream(in.readAllBytes())));
        }
        return l;
    }

    /** Every feature graded differently on the two sides, so a swapped side or feature cannot pass. */
    static StudyGrades grades(ModelInfo model) {
        return new StudyGrades(hip(Side.RIGHT, 3, 1, 0, 1, 0, 100.25, 160.5), hip(Side.LEFT, 0, 2, 3, 0, 1, 290.0, 158.75));
    }

    static HipGrades hip(Side side, int fo, int ao, int jsn, int scl, int cyst, double xMm, double yMm) {
        Map<Feature, Integer> g = new EnumMap<>(Map.of(Feature.FO, fo, Feature.AO, ao, Feature.JSN, jsn,
                Feature.SCLEROSIS, scl, Feature.CYSTS, cyst));
        Map<Feature, float[]> p = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            float[] v = new float[f.classes()];
            v[g.get(f)] = 1f;
            p.put(f, v);
        }
        return new HipGrades(side, g, p, xMm, yMm);
    }

    static Path writeSr(int film) throws Exception {
        Path p = dir.resolve("sr-" + film + ".dcm");
        Files.write(p, HipSrWriter.write(source(film), grades(MODEL), MODEL, WHEN));
        return p;
    }

    static AttributeList read(Path p) throws Exception {
        AttributeList l = new AttributeList();
        l.read(p.toString());
        return l;
    }

    @Test
    void dciodvfy_reportsNoErrors() throws Exception {
        Dciodvfy.assumeInstalled();
        for (int film : new int[] {0, 1}) {
            Dciodvfy.Report r = Dciodvfy.check(writeSr(film));
            assertTrue(r.errors().isEmpty(), r::toString);
            assertTrue(r.output().contains("Comprehensive3DSR"), r::toString);
            // The only warnings left are dciodvfy not knowing our private coding scheme.
            for (String w : r.warnings()) assertTrue(w.contains("99HIPOA"), r::toString);
        }
    }

    @Test
    void pixelmedSrValidator_findsTid1500_andNoErrors() throws Exception {
        String report = new DicomSRValidator().validate(read(writeSr(1)));
        assertTrue(report.contains("Found Root Template TID_1500"), report);
        List<String> errors = report.lines().filter(l -> l.startsWith("Error")).toList();
        assertTrue(errors.isEmpty(), report);
    }

    @Test
    void highdicom_readsBothHipsFiveFeatures_asWritten() throws Exception {
        Path sr = writeSr(1);
        JsonNode out = highdicom(sr);
        assertEquals(Attribute.getSingleStringValueOrNull(source(1), TagFromName.StudyInstanceUID),
                out.get("studyUid").asText());
        JsonNode groups = out.get("groups");
        assertEquals(2, groups.size());
        StudyGrades expected = grades(MODEL);
        String imageUid = Attribute.getSingleStringValueOrNull(source(1), TagFromName.SOPInstanceUID);
        for (JsonNode g : groups) {
            Side side = switch (g.get("laterality").asText()) {
                case "24028007" -> Side.RIGHT;
                case "7771000" -> Side.LEFT;
                default -> throw new AssertionError("laterality " + g.get("laterality"));
            };
            HipGrades hip = side == Side.RIGHT ? expected.right() : expected.left();
            assertEquals("24136001", g.get("findingSite").asText());
            assertEquals("POINT", g.get("graphicType").asText());
            assertEquals(imageUid, g.get("referencedSop").asText());
            JsonNode e = g.get("evaluations");
            assertEquals(5, e.size(), e::toString);
            for (Feature f : Feature.values()) {
                SrCodes.Code want = SrCodes.grade(f, hip.grade(f));
                JsonNode got = e.get(SrCodes.feature(f).value());
                assertEquals(want.value(), got.get(0).asText(), side + " " + f);
                assertEquals(want.scheme(), got.get(1).asText(), side + " " + f);
            }
        }
    }

    @Test
    void ourReader_roundTripsGradesPointsAndIdentity() throws Exception {
        for (int film : new int[] {0, 1}) {
            AttributeList src = source(film);
            AttributeList sr = read(writeSr(film));
            HipSrReader.Report r = HipSrReader.read(sr);
            StudyGrades expected = grades(MODEL);
            assertEquals(Attribute.getSingleStringValueOrNull(src, TagFromName.StudyInstanceUID), r.studyInstanceUid());
            assertEquals(HipSrWriter.deviceUid(MODEL), r.deviceObserverUid());
            assertEquals(MODEL.name(), r.algorithmName());
            assertEquals(MODEL.version(), r.algorithmVersion());
            double[] spacing = film == 0
                    ? Attribute.getDoubleValues(src, TagFromName.PixelSpacing)
                    : divide(Attribute.getDoubleValues(src, TagFromName.ImagerPixelSpacing),
                    Attribute.getSingleDoubleValueOrDefault(src, TagFromName.EstimatedRadiographicMagnificationFactor, 0));
            for (HipGrades hip : expected.hips()) {
                HipSrReader.Hip got = r.hips().get(hip.side());
                assertEquals(hip.grades(), got.grades(), hip.side().toString());
                assertEquals(Attribute.getSingleStringValueOrNull(src, TagFromName.SOPInstanceUID),
                        got.referencedSopInstanceUid());
                // Column/row with DICOM's pixel-corner origin; spacing is [row, column].
                assertEquals(hip.centerXmm() / spacing[1] + 0.5, got.point()[0], 1e-3);
                assertEquals(hip.centerYmm() / spacing[0] + 0.5, got.point()[1], 1e-3);
            }
            assertNotEquals(r.hips().get(Side.RIGHT).trackingUid(), r.hips().get(Side.LEFT).trackingUid());
        }
    }

    @Test
    void joinsTheSourceStudy_copiesPatientAndStudy_andSaysItIsUnverifiedMachineOutput() throws Exception {
        AttributeList src = source(0);
        AttributeList sr = read(writeSr(0));
        for (var tag : List.of(TagFromName.StudyInstanceUID, TagFromName.PatientName, TagFromName.PatientID,
                TagFromName.StudyDate, TagFromName.StudyID, TagFromName.AccessionNumber)) {
            assertEquals(Attribute.getSingleStringValueOrEmptyString(src, tag),
                    Attribute.getSingleStringValueOrEmptyString(sr, tag), tag.toString());
        }
        assertTrue(sr.containsKey(TagFromName.PatientBirthDate) && sr.containsKey(TagFromName.ReferringPhysicianName));
        assertNotEquals(Attribute.getSingleStringValueOrNull(src, TagFromName.SeriesInstanceUID),
                Attribute.getSingleStringValueOrNull(sr, TagFromName.SeriesInstanceUID));
        assertEquals("SR", Attribute.getSingleStringValueOrNull(sr, TagFromName.Modality));
        assertEquals("UNVERIFIED", Attribute.getSingleStringValueOrNull(sr, TagFromName.VerificationFlag));
        assertTrue(Attribute.getSingleStringValueOrNull(sr, TagFromName.SeriesDescription).contains("unverified"));
        AttributeList equipment = ((com.pixelmed.dicom.SequenceAttribute) sr.get(TagFromName.ContributingEquipmentSequence))
                .getItem(0).getAttributeList();
        assertEquals(MODEL.name(), Attribute.getSingleStringValueOrNull(equipment, TagFromName.ManufacturerModelName));
        String tree = new com.pixelmed.dicom.StructuredReport(sr).toString();
        assertTrue(tree.contains("demonstration model trained only on synthetic phantom"), tree);
        assertTrue(tree.contains("No person has verified them"), tree);
    }

    @Test
    void deviceUid_followsTheModel_andTheSameGradingGivesTheSameSr() throws Exception {
        assertEquals(HipSrWriter.deviceUid(MODEL), HipSrWriter.deviceUid(new ModelInfo(MODEL.name(), MODEL.version(), Map.of("x", "y"))));
        assertNotEquals(HipSrWriter.deviceUid(MODEL), HipSrWriter.deviceUid(new ModelInfo(MODEL.name(), "0.3.2", Map.of())));
        assertNotEquals(HipSrWriter.deviceUid(MODEL), HipSrWriter.deviceUid(new ModelInfo("other", MODEL.version(), Map.of())));
        assertTrue(HipSrWriter.deviceUid(MODEL).matches("2\\.25\\.[1-9][0-9]{0,38}"));
        byte[] once = HipSrWriter.write(source(0), grades(MODEL), MODEL, WHEN), twice = HipSrWriter.write(source(0), grades(MODEL), MODEL, WHEN);
        assertTrue(java.util.Arrays.equals(once, twice), "the same grading must give the same SR bytes");
        AttributeList newer = HipSrWriter.build(source(0), grades(MODEL), new ModelInfo(MODEL.name(), "0.4.0", Map.of()), WHEN);
        assertNotEquals(Attribute.getSingleStringValueOrNull(read(writeSr(0)), TagFromName.SOPInstanceUID),
                Attribute.getSingleStringValueOrNull(newer, TagFromName.SOPInstanceUID));
    }

    @Test
    void aHeaderWithoutStudyUid_isRefusedWithAReasonForPeople() throws Exception {
        AttributeList src = source(0);
        src.remove(TagFromName.StudyInstanceUID);
        var e = assertThrows(HipSrWriter.SourceIncompleteException.class, () -> HipSrWriter.build(src, grades(MODEL), MODEL, WHEN));
        assertEquals("SR_SOURCE_INCOMPLETE", e.code());
        assertTrue(e.getMessage().contains("Study Instance UID"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception") || e.getMessage().contains("org."), e.getMessage());
    }

    @Test
    void aHipCentreOffTheImageOrNaN_isRefused_notDrawn() throws Exception {
        for (double x : new double[] {Double.NaN, -5.0, 1e6}) {
            StudyGrades g = new StudyGrades(hip(Side.RIGHT, 0, 0, 0, 0, 0, x, 100), hip(Side.LEFT, 0, 0, 0, 0, 0, 290, 100));
            var e = assertThrows(IllegalArgumentException.class, () -> HipSrWriter.build(source(0), g, MODEL, WHEN));
            assertTrue(e.getMessage().contains("right hip centre lies outside the image"), e.getMessage());
        }
    }

    static double[] divide(double[] v, double by) {
        return new double[] {v[0] / by, v[1] / by};
    }

    /** Runs src/test/python/read_sr_with_highdicom.py; skipped without highdicom except under CI, where it must run. */
    static JsonNode highdicom(Path sr) throws Exception {
        boolean available = new ProcessBuilder("python3", "-c", "import highdicom").start().waitFor() == 0;
        if (!available && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("highdicom is not installed under CI: infra/setup.sh installs it");
        }
        Assumptions.assumeTrue(available, "highdicom not installed (pip install highdicom; run infra/setup.sh)");
        List<String> cmd = new ArrayList<>(List.of("python3", "src/test/python/read_sr_with_highdicom.py", sr.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "highdicom reader failed: " + output);
        return JSON.readTree(output);
    }
}
