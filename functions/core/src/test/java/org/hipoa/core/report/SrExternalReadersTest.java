package org.hipoa.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.dicom.Dciodvfy;
import org.hipoa.domain.Feature;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.HipResult;
import org.hipoa.domain.result.NotGradable;
import org.hipoa.report.HipSrWriter;
import org.hipoa.report.SrCodes;
import org.hipoa.report.SrFixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.hipoa.report.SrFixtures.MODEL;
import static org.hipoa.report.SrFixtures.WHEN;
import static org.hipoa.report.SrFixtures.hips;
import static org.hipoa.report.SrFixtures.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HipOA's SR (functions/report HipSrWriter) checked by the two readers that run outside the JVM and share no code
 * with the writer: dciodvfy (IOD) and highdicom (reads the groups back, src/test/python/read_sr_with_highdicom.py).
 * They live here beside the dciodvfy driver (core's test-jar, which the phantom's film checks use too); the
 * in-JVM checks are the report module's HipSrWriterTest.
 */
class SrExternalReadersTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;

    static Path writeSr(int film) throws Exception {
        Path p = dir.resolve("sr-" + film + ".dcm");
        Files.write(p, HipSrWriter.write(source(film), hips(), MODEL, WHEN));
        return p;
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
    void highdicom_readsBothHipsFiveFeatures_asWritten() throws Exception {
        Path sr = writeSr(1);
        JsonNode out = highdicom(sr);
        assertEquals(Attribute.getSingleStringValueOrNull(source(1), TagFromName.StudyInstanceUID),
                out.get("studyUid").asText());
        JsonNode groups = out.get("groups");
        assertEquals(2, groups.size());
        Map<Side, HipResult> expected = hips();
        String imageUid = Attribute.getSingleStringValueOrNull(source(1), TagFromName.SOPInstanceUID);
        for (JsonNode g : groups) {
            Side side = switch (g.get("laterality").asText()) {
                case "24028007" -> Side.RIGHT;
                case "7771000" -> Side.LEFT;
                default -> throw new AssertionError("laterality " + g.get("laterality"));
            };
            HipResult hip = expected.get(side);
            assertEquals("24136001", g.get("findingSite").asText());
            assertEquals("POINT", g.get("graphicType").asText());
            assertEquals(imageUid, g.get("referencedSop").asText());
            JsonNode e = g.get("evaluations");
            assertEquals(5, e.size(), e::toString);
            for (Feature f : Feature.values()) {
                SrCodes.Code want = SrCodes.grade(f, hip.grades().orElseThrow().grade(f));
                JsonNode got = e.get(SrCodes.feature(f).value());
                assertEquals(want.value(), got.get(0).asText(), side + " " + f);
                assertEquals(want.scheme(), got.get(1).asText(), side + " " + f);
            }
        }
    }

    @Test
    void aHipNotGradable_passesDciodvfy_andHighdicomReadsItsReason_andTheOtherHipsGrades() throws Exception {
        Path sr = dir.resolve("sr-not-gradable.dcm");
        Files.write(sr, HipSrWriter.write(source(0), SrFixtures.both(
                HipResult.notGradable(NotGradable.HARDWARE, 100.25, 160.5), hips().get(Side.LEFT)), MODEL, WHEN));
        Dciodvfy.assumeInstalled();
        Dciodvfy.Report r = Dciodvfy.check(sr);
        assertTrue(r.errors().isEmpty(), r::toString);
        JsonNode groups = highdicom(sr).get("groups");
        assertEquals(2, groups.size());
        for (JsonNode g : groups) {
            JsonNode e = g.get("evaluations");
            assertEquals("POINT", g.get("graphicType").asText(), "a refused hip is still located on the film");
            if ("24028007".equals(g.get("laterality").asText())) {          // right: refused
                assertEquals(1, e.size(), e::toString);
                assertEquals("HARDWARE", e.get("NOTASSESSED").get(0).asText());
                assertEquals("99HIPOA", e.get("NOTASSESSED").get(1).asText());
                assertEquals(0.0, g.get("measurements").get("NGRADED").asDouble());
                assertEquals("[\"Right hip\",\"not gradable: hardware\"]", g.get("caption").toString());
            } else {
                assertEquals(5, e.size(), e::toString);
                assertEquals(5.0, g.get("measurements").get("NGRADED").asDouble());
                assertEquals("Left hip", g.get("caption").get(0).asText());
            }
        }
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
