package org.hipoa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.domain.Outcome;
import org.hipoa.dicom.Radiograph;
import org.hipoa.dicom.RadiographDecoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user of {@code ./hipoa phantom} relies on: the files are valid DICOM that an independent reader (pydicom)
 * decodes to the same pixels and spacing as HipOA; labels match the files; the output does not depend on threads.
 */
class PhantomOutputTest {
    @TempDir static Path dir;
    static Path oneThread, twoThreads;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void generate() throws Exception {
        oneThread = dir.resolve("t1");
        twoThreads = dir.resolve("t2");
        assertEquals(0, Hipoa.run(new String[] {"phantom", "--count", "6", "--seed", "11", "--out", oneThread.toString(), "--threads", "1"}));
        assertEquals(0, Hipoa.run(new String[] {"phantom", "--count", "6", "--seed", "11", "--out", twoThreads.toString(), "--threads", "2"}));
    }

    static List<JsonNode> labels(Path d) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(d.resolve("labels.jsonl"))) out.add(JSON.readTree(line));
        return out;
    }

    @Test
    void outputDoesNotDependOnThreadCount() throws Exception {
        assertEquals(Files.readString(oneThread.resolve("labels.jsonl")), Files.readString(twoThreads.resolve("labels.jsonl")));
        for (JsonNode l : labels(oneThread)) {
            String f = l.get("file").asText();
            assertArrayEquals(Files.readAllBytes(oneThread.resolve(f)), Files.readAllBytes(twoThreads.resolve(f)), f);
        }
    }

    @Test
    void labels_describeEveryFile_withBothHips() throws Exception {
        List<JsonNode> labels = labels(oneThread);
        assertEquals(6, labels.size());
        for (JsonNode l : labels) {
            assertTrue(Files.isRegularFile(oneThread.resolve(l.get("file").asText())));
            JsonNode right = l.get("hips").get("right"), left = l.get("hips").get("left");
            assertEquals("v2", l.get("phantom").asText(), "the command line's default");
            for (JsonNode hip : List.of(right, left)) {
                if (hip.get("gradable").asBoolean()) {
                    JsonNode g = hip.get("grades");
                    for (String k : List.of("fo", "ao", "jsn")) assertTrue(g.get(k).asInt() >= 0 && g.get(k).asInt() <= 3);
                    for (String k : List.of("sclerosis", "cysts")) {
                        assertTrue(g.get(k).isInt() && g.get(k).asInt() >= 0 && g.get(k).asInt() <= 1, g.toString());
                    }
                } else {
                    assertTrue(hip.get("hardware").isTextual() && !hip.has("grades"), hip.toString());
                }
                double spacing = l.get("params").get("pixelSpacingMm").asDouble();
                assertEquals(hip.get("centerMm").get(0).asDouble(), hip.get("centerPx").get(0).asDouble() * spacing, 0.01);
            }
            // The patient's right hip is on the image's left in an AP view.
            assertTrue(right.get("centerPx").get(0).asDouble() < left.get("centerPx").get(0).asDouble());
        }
    }

    @Test
    void pydicom_readsTheSamePixelsAndSpacing_asHipoa() throws Exception {
        List<JsonNode> labels = labels(oneThread);
        Set<String> photometrics = new HashSet<>(), spacingSources = new HashSet<>();
        for (JsonNode l : labels) {
            Path file = oneThread.resolve(l.get("file").asText());
            JsonNode py = assertPydicomAgrees(file);
            assertEquals(l.get("params").get("pixelSpacingMm").asDouble(), py.get("spacingMm").get(0).asDouble(), 1e-5,
                    "labels and file disagree on spacing");
            photometrics.add(py.get("photometric").asText());
            spacingSources.add(py.get("spacingSource").asText());
        }
        // The sample must exercise both photometric interpretations and both spacing encodings, or it proves less.
        assertEquals(Set.of("MONOCHROME1", "MONOCHROME2"), photometrics);
        assertEquals(2, spacingSources.size());
    }

    /** The phantom's other encodings (implicit, deflated, and RLE from our own encoder) are valid for pydicom too. */
    @Test
    void everyPhantomTransferSyntax_isReadIdenticallyByPydicomAndHipoa() throws Exception {
        Path explicit = oneThread.resolve("hip00000.dcm");
        float[] reference = decode(explicit).pixels();
        for (String syntax : List.of("implicit-vr-le", "deflated-explicit-vr-le", "rle")) {
            Path out = dir.resolve(syntax);
            assertEquals(0, Hipoa.run(new String[] {"phantom", "--count", "1", "--seed", "11", "--out", out.toString(),
                    "--transfer-syntax", syntax}));
            Path file = out.resolve("hip00000.dcm");
            assertPydicomAgrees(file);
            assertArrayEquals(reference, decode(file).pixels(), syntax);
        }
    }

    static Radiograph decode(Path file) {
        return ((Outcome.Ok<Radiograph>) new RadiographDecoder().decode(file)).value();
    }

    /** Runs the pydicom reader on one file and checks HipOA decodes the same pixels and spacing; returns its JSON. */
    static JsonNode assertPydicomAgrees(Path file) throws Exception {
        List<String> cmd = List.of("python3", Path.of("src/test/python/read_with_pydicom.py").toString(), file.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0,
                "pydicom reader failed (is pydicom installed? run infra/setup.sh): " + output);
        Radiograph r = decode(file);
        JsonNode py = JSON.readTree(file.resolveSibling(file.getFileName() + ".pydicom.json").toFile());
        assertEquals(py.get("rows").asInt(), r.rows());
        assertEquals(py.get("columns").asInt(), r.columns());
        assertEquals(py.get("spacingMm").get(0).asDouble(), r.spacing().rowMm(), 1e-9);
        assertEquals(py.get("spacingMm").get(1).asDouble(), r.spacing().columnMm(), 1e-9);
        assertEquals(py.get("spacingSource").asText(), r.spacing().source().name());
        ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(file.resolveSibling(file.getFileName() + ".pydicom.u16")))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(r.pixels().length * 2, raw.capacity());
        for (int i = 0; i < r.pixels().length; i++) {
            int expected = raw.getShort(i * 2) & 0xFFFF;
            if (r.pixels()[i] != expected) throw new AssertionError(file + " pixel " + i + ": pydicom " + expected + ", hipoa " + r.pixels()[i]);
        }
        return py;
    }
}
