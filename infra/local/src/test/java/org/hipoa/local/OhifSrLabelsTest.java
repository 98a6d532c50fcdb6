package org.hipoa.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.HipResult;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.domain.result.NotGradable;
import org.hipoa.phantom.PhantomSet;
import org.hipoa.report.HipSrWriter;
import org.hipoa.report.SrFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a radiologist sees of HipOA's SR in a real PACS viewer: a phantom film and HipOA's SR for it (one hip graded,
 * the other not gradable) filed into Debian's Orthanc, then the prebuilt OHIF viewer from npm (infra/setup.sh unpacks
 * {@code @ohif/app}'s dist/) opens the study in Debian's chromium (viewer/test/ohif.test.mjs) and reads each hip's
 * label off the film. Each label must name the side and the grades, or the reason there are none. The screenshot is
 * left in infra/local/target/ohif/ (README's picture). Skipped only where chromium, Orthanc or the OHIF dist are absent
 * and CI is not "true"; under CI a missing part fails the test.
 */
class OhifSrLabelsTest {
    static final String OHIF_VERSION = "3.13.2";

    @Test
    void ohifLabelsEachHipWithItsSideAndGrades_orWhyItHasNone(@TempDir Path tmp) throws Exception {
        Path root = EmbeddedAws.repositoryRoot();
        Path dist = root.resolve("viewer/test/ohif/" + OHIF_VERSION + "/dist");
        boolean ci = "true".equals(System.getenv("CI"));
        boolean present = Files.isExecutable(BrowserScript.CHROMIUM) && OrthancPacs.installed()
                && Files.isRegularFile(dist.resolve("index.html"))
                && Files.isDirectory(root.resolve("viewer/test/node_modules/puppeteer-core"));
        assertTrue(present || !ci, "chromium, Orthanc, puppeteer-core or the OHIF dist missing under CI: run infra/setup.sh");
        assumeTrue(present, "chromium, Orthanc, puppeteer-core or @ohif/app's dist not installed (infra/setup.sh)");

        PhantomSet.Study film = PhantomSet.write(271828L, 3, 1, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN,
                tmp.resolve("films"), 1, () -> { }).get(0);
        AttributeList header = new AttributeList();
        byte[] filmBytes = Files.readAllBytes(film.file());
        header.read(new DicomInputStream(new ByteArrayInputStream(filmBytes)));
        Map<Side, HipResult> hips = SrFixtures.both(
                SrFixtures.hip(2, 1, 2, 1, 0, film.right().centerXmm(), film.right().centerYmm()),
                HipResult.notGradable(NotGradable.ARTHROPLASTY, film.left().centerXmm(), film.left().centerYmm()));
        byte[] sr = HipSrWriter.write(header, hips, new ModelRef("hipoa-grader", "0.3.0-phantom-v2"),
                ZonedDateTime.parse("2026-12-08T12:00:00Z"));

        try (OrthancPacs pacs = OrthancPacs.start()) {
            HttpClient http = HttpClient.newHttpClient();
            for (byte[] instance : List.of(filmBytes, sr)) {
                // Orthanc's own REST upload: the film stands for what the provider's PACS already holds.
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(pacs.httpRoot() + "/instances"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(instance)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
            }
            Path out = root.resolve("infra/local/target/ohif");
            Files.createDirectories(out);
            Files.write(out.resolve("film.dcm"), filmBytes);   // kept beside the screenshot, to open again by hand
            Files.write(out.resolve("sr.dcm"), sr);
            Path log = out.resolve("ohif.test.log");
            BrowserScript.run(root, "viewer/test/ohif.test.mjs", Map.of(
                    "OHIF_DIST", dist.toString(),
                    "DICOMWEB_ROOT", pacs.dicomWebRoot().toString(),
                    "STUDY_UID", film.studyInstanceUid(),
                    "EXPECT", new ObjectMapper().writeValueAsString(Map.of(
                            "right", List.of("Right hip", "FO 2, AO 1, JSN 2", "sclerosis present, cysts absent"),
                            "left", List.of("Left hip", "not gradable: arthroplasty"))),
                    "OUT_DIR", out.toString()), log, Duration.ofMinutes(6));
        }
    }
}
