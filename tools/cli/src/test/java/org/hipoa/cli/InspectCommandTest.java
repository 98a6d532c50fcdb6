package org.hipoa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.dicom.Gdcm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code ./hipoa inspect} on a phantom film and on copies re-encoded by GDCM: lossless copies report the original's
 * statistics, JPEG-LS is refused as unsupported, a truncated copy as truncated, text as not DICOM.
 */
class InspectCommandTest {
    @TempDir static Path dir;
    static Path original;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void generate() {
        assertEquals(0, Hipoa.run(new String[] {"phantom", "--count", "1", "--seed", "5", "--out", dir.toString()}));
        original = dir.resolve("hip00000.dcm");
    }

    private static List<JsonNode> inspect(List<Path> files, int expectedExit) throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit = InspectCommand.run(files.stream().map(Path::toString).toList(), new PrintStream(buffer, true));
        assertEquals(expectedExit, exit);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : buffer.toString().split("\n")) lines.add(JSON.readTree(line));
        return lines;
    }

    @Test
    void losslessReencodings_reportTheOriginalStatistics() throws Exception {
        List<Path> files = new ArrayList<>(List.of(original));
        // Deflated comes from PixelMed's writer: gdcmconv -d aborts (an assertion in GDCM 3.0.21) on data sets
        // over ~10 MB; the core tests cover GDCM's deflate on small files.
        assertEquals(0, Hipoa.run(new String[] {"phantom", "--count", "1", "--seed", "5", "--out",
                dir.resolve("deflated").toString(), "--transfer-syntax", "deflated-explicit-vr-le"}));
        files.add(dir.resolve("deflated").resolve("hip00000.dcm"));
        for (String[] c : new String[][] {{"implicit", "-w", "-M"}, {"rle", "-R"}, {"jpegll", "-J"}, {"j2k", "-K"}}) {
            files.add(Gdcm.convert(original, dir.resolve(c[0] + ".dcm"), Arrays.copyOfRange(c, 1, c.length)));
        }
        List<JsonNode> lines = inspect(files, 0);
        JsonNode reference = lines.get(0);
        assertEquals("OK", reference.get("status").asText());
        for (JsonNode line : lines.subList(1, lines.size())) {
            assertEquals("OK", line.get("status").asText(), line.toString());
            for (String k : List.of("rows", "columns", "spacingMm", "photometric", "bitsStored", "min", "max", "mean")) {
                assertEquals(reference.get(k), line.get(k), k + " differs for " + line.get("file"));
            }
        }
        assertEquals(6, lines.stream().map(l -> l.get("transferSyntax").asText()).distinct().count());
    }

    @Test
    void jpegLsTruncatedAndText_areRefusedWithTheirReasons() throws Exception {
        Path jls = Gdcm.convert(original, dir.resolve("jls.dcm"), "-L");
        byte[] bytes = Files.readAllBytes(original);
        Path truncated = Files.write(dir.resolve("truncated.dcm"), Arrays.copyOf(bytes, bytes.length * 2 / 3));
        Path text = Files.writeString(dir.resolve("notes.txt"), "not an image\n");
        List<JsonNode> lines = inspect(List.of(jls, truncated, text, original), 2);
        assertEquals("UNSUPPORTED_TRANSFER_SYNTAX", lines.get(0).get("reason").asText());
        assertEquals("TRUNCATED", lines.get(1).get("reason").asText());
        assertEquals("NOT_DICOM", lines.get(2).get("reason").asText());
        assertEquals("OK", lines.get(3).get("status").asText());
        for (JsonNode refused : lines.subList(0, 3)) {
            assertEquals("REJECTED", refused.get("status").asText());
            assertEquals(false, refused.get("message").asText().isBlank());
        }
    }
}
