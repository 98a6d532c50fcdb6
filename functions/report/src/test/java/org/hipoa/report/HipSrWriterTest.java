package org.hipoa.report;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.validate.DicomSRValidator;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.HipResult;
import org.hipoa.domain.result.NotGradable;
import org.hipoa.domain.result.ModelRef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.hipoa.report.SrFixtures.MODEL;
import static org.hipoa.report.SrFixtures.WHEN;
import static org.hipoa.report.SrFixtures.both;
import static org.hipoa.report.SrFixtures.hip;
import static org.hipoa.report.SrFixtures.hips;
import static org.hipoa.report.SrFixtures.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a PACS, a viewer and a radiologist rely on in HipOA's SR, written from stored results: PixelMed's
 * DicomSRValidator (TID 1500) and our reader (the groups read back by concept code), on headers of real phantom
 * films ({@link SrFixtures}). The readers that run outside the JVM (dciodvfy, highdicom) check the same SRs in
 * functions/core's SrExternalReadersTest.
 */
class HipSrWriterTest {
    @TempDir static Path dir;

    @BeforeAll
    static void lift_jdk_xpath_limits() {
        // DicomSRValidator's compiled TID rules exceed the JDK's default XPath operator limits (JAXP0801003).
        for (String limit : List.of("jdk.xml.xpathExprOpLimit", "jdk.xml.xpathExprGrpLimit", "jdk.xml.xpathTotalOpLimit")) {
            System.setProperty(limit, "0");
        }
    }

    static Path writeSr(int film) throws Exception {
        Path p = dir.resolve("sr-" + film + ".dcm");
        Files.write(p, HipSrWriter.write(source(film), hips(), MODEL, WHEN));
        return p;
    }

    static AttributeList read(Path p) throws Exception {
        AttributeList l = new AttributeList();
        l.read(p.toString());
        return l;
    }

    @Test
    void pixelmedSrValidator_findsTid1500_andNoErrors() throws Exception {
        String report = new DicomSRValidator().validate(read(writeSr(1)));
        assertTrue(report.contains("Found Root Template TID_1500"), report);
        List<String> errors = report.lines().filter(l -> l.startsWith("Error")).toList();
        assertTrue(errors.isEmpty(), report);
    }

    @Test
    void ourReader_roundTripsGradesPointsAndIdentity() throws Exception {
        for (int film : new int[] {0, 1}) {
            AttributeList src = source(film);
            AttributeList sr = read(writeSr(film));
            HipSrReader.Report r = HipSrReader.read(sr);
            Map<Side, HipResult> expected = hips();
            assertEquals(Attribute.getSingleStringValueOrNull(src, TagFromName.StudyInstanceUID), r.studyInstanceUid());
            assertEquals(HipSrWriter.deviceUid(MODEL), r.deviceObserverUid());
            assertEquals(MODEL.name(), r.algorithmName());
            assertEquals(MODEL.version(), r.algorithmVersion());
            double[] spacing = film == 0
                    ? Attribute.getDoubleValues(src, TagFromName.PixelSpacing)
                    : divide(Attribute.getDoubleValues(src, TagFromName.ImagerPixelSpacing),
                    Attribute.getSingleDoubleValueOrDefault(src, TagFromName.EstimatedRadiographicMagnificationFactor, 0));
            for (Side side : Side.values()) {
                HipResult hip = expected.get(side);
                HipSrReader.Hip got = r.hips().get(side);
                assertEquals(SrFixtures.grades(hip), got.grades(), side.toString());
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
    void aHipNotGradable_isLocatedAndSaysWhy_withoutGrades_andTheOtherHipIsGraded() throws Exception {
        HipResult refused = HipResult.notGradable(NotGradable.ARTHROPLASTY, 100.25, 160.5);
        HipResult graded = hip(0, 2, 3, 0, 1, 290.0, 158.75);
        AttributeList sr = read(Files.write(dir.resolve("sr-not-gradable.dcm"),
                HipSrWriter.write(source(0), both(refused, graded), MODEL, WHEN)));
        String report = new DicomSRValidator().validate(sr);
        assertTrue(report.lines().noneMatch(l -> l.startsWith("Error")), report);
        HipSrReader.Report r = HipSrReader.read(sr);
        assertEquals(java.util.Optional.of("ARTHROPLASTY"), r.hips().get(Side.RIGHT).notAssessed());
        assertTrue(r.hips().get(Side.RIGHT).grades().isEmpty());
        assertEquals(java.util.Optional.empty(), r.hips().get(Side.LEFT).notAssessed());
        assertEquals(SrFixtures.grades(graded), r.hips().get(Side.LEFT).grades());
        // What a viewer shows beside each hip: its side, then its grades or why it has none.
        assertEquals(List.of("Right hip", "not gradable: arthroplasty"), r.hips().get(Side.RIGHT).caption());
        assertEquals(List.of("Left hip", "FO 0, AO 2, JSN 3", "sclerosis absent, cysts present"),
                r.hips().get(Side.LEFT).caption());
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
        assertEquals(HipSrWriter.deviceUid(MODEL), HipSrWriter.deviceUid(new ModelRef(MODEL.name(), MODEL.version())));
        assertNotEquals(HipSrWriter.deviceUid(MODEL), HipSrWriter.deviceUid(new ModelRef(MODEL.name(), "0.3.2")));
        assertNotEquals(HipSrWriter.deviceUid(MODEL), HipSrWriter.deviceUid(new ModelRef("other", MODEL.version())));
        assertTrue(HipSrWriter.deviceUid(MODEL).matches("2\\.25\\.[1-9][0-9]{0,38}"));
        byte[] once = HipSrWriter.write(source(0), hips(), MODEL, WHEN), twice = HipSrWriter.write(source(0), hips(), MODEL, WHEN);
        assertTrue(java.util.Arrays.equals(once, twice), "the same grading must give the same SR bytes");
        AttributeList newer = HipSrWriter.build(source(0), hips(), new ModelRef(MODEL.name(), "0.4.0"), WHEN);
        assertNotEquals(Attribute.getSingleStringValueOrNull(read(writeSr(0)), TagFromName.SOPInstanceUID),
                Attribute.getSingleStringValueOrNull(newer, TagFromName.SOPInstanceUID));
    }

    @Test
    void aHeaderWithoutStudyUid_isRefusedWithAReasonForPeople() throws Exception {
        AttributeList src = source(0);
        src.remove(TagFromName.StudyInstanceUID);
        var e = assertThrows(HipSrWriter.SourceIncompleteException.class, () -> HipSrWriter.build(src, hips(), MODEL, WHEN));
        // Its code on the item, SR_SOURCE_INCOMPLETE, is the export's to record: ExportFailureTest.
        assertTrue(e.getMessage().contains("Study Instance UID"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception") || e.getMessage().contains("org."), e.getMessage());
    }

    /** A GRADED result holds both hips; anything less is no report. */
    @Test
    void aMissingHip_isRefused() throws Exception {
        var e = assertThrows(IllegalArgumentException.class,
                () -> HipSrWriter.build(source(0), Map.of(Side.RIGHT, hips().get(Side.RIGHT)), MODEL, WHEN));
        assertEquals("no left hip to report", e.getMessage());
    }

    @Test
    void aHipCentreOffTheImageOrNaN_isRefused_notDrawn() throws Exception {
        for (double x : new double[] {Double.NaN, -5.0, 1e6}) {
            Map<Side, HipResult> g = both(hip(0, 0, 0, 0, 0, x, 100), hip(0, 0, 0, 0, 0, 290, 100));
            var e = assertThrows(IllegalArgumentException.class, () -> HipSrWriter.build(source(0), g, MODEL, WHEN));
            assertTrue(e.getMessage().contains("right hip centre lies outside the image"), e.getMessage());
        }
    }

    static double[] divide(double[] v, double by) {
        return new double[] {v[0] / by, v[1] / by};
    }
}
