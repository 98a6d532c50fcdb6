package org.hipoa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.domain.result.HipResultJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./hipoa phantom --phantom v2 --site external} writes v2 labels, and {@code ./hipoa ceiling} reads them. */
class PhantomV2CommandTest {
    @TempDir Path dir;
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void externalSetCarriesReaderLabelsAndACeiling() throws Exception {
        assertEquals(0, Hipoa.run(new String[] {"phantom", "--count", "3", "--seed", "17", "--out", dir.toString(),
                "--phantom", "v2", "--site", "external", "--threads", "2"}));
        List<String> lines = Files.readAllLines(dir.resolve("labels.jsonl"));
        assertEquals(3, lines.size());
        for (String line : lines) {
            JsonNode film = JSON.readTree(line);
            assertEquals("v2", film.get("phantom").asText());
            assertEquals("external", film.get("site").asText());
            assertEquals("B", film.get("reader").asText());
            assertTrue(Files.isRegularFile(dir.resolve(film.get("file").asText())));
            for (JsonNode hip : film.get("hips")) {
                if (!hip.get("gradable").asBoolean()) continue;
                for (String f : new String[] {"fo", "ao", "jsn", "sclerosis", "cysts"}) {
                    assertTrue(hip.get("grades").has(f) && hip.get("truth").has(f) && hip.get("severity").has(f));
                    assertEquals(f.equals("sclerosis") || f.equals("cysts") ? 2 : 4, hip.get("readerP").get(f).size());
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, CeilingCommand.run(Args.parse(List.of(dir.toString()), Args.Spec.of()),
                new PrintStream(out, true, StandardCharsets.UTF_8)));
        JsonNode c = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(3, c.get("films").asInt());
        double ao = c.get("features").get("ao").get("ceiling").asDouble();
        assertTrue(ao > 0.25 && ao < 1.0, "AO ceiling " + ao);
    }

    @Test
    void trainingData_carriesTheSameReaderAndReaderPAsThePhantomsLabels() throws Exception {
        Path films = dir.resolve("films"), train = dir.resolve("train");
        assertEquals(0, Hipoa.run(new String[] {"phantom", "--count", "2", "--seed", "23", "--out", films.toString(),
                "--phantom", "v2", "--site", "external", "--threads", "2"}));
        assertEquals(0, Hipoa.run(new String[] {"phantom-train-data", "--count", "2", "--seed", "23", "--out",
                train.toString(), "--phantom", "v2", "--site", "external", "--threads", "2"}));
        List<JsonNode> labelled = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(films.resolve("labels.jsonl"))) {
            for (JsonNode hip : JSON.readTree(line).get("hips")) labelled.add(hip);
        }
        List<String> hipLines;
        try (var found = Files.walk(train)) {
            Path hips = found.filter(p -> p.getFileName().toString().equals("hips.jsonl")).findFirst().orElseThrow();
            hipLines = Files.readAllLines(hips);
        }
        assertEquals(labelled.size(), hipLines.size());
        int gradable = 0;
        for (int i = 0; i < hipLines.size(); i++) {
            JsonNode t = JSON.readTree(hipLines.get(i)), l = labelled.get(i);
            assertEquals(l.get("gradable").asBoolean(), t.get("gradable").asBoolean(), "hip " + i);
            if (!t.get("gradable").asBoolean()) continue;
            gradable++;
            assertEquals("B", t.get("reader").asText(), "the external site's reader");
            for (String f : new String[] {"fo", "ao", "jsn", "sclerosis", "cysts"}) {
                assertEquals(l.get("readerP").get(f), t.get("readerP").get(f), "hip " + i + " " + f);
            }
        }
        assertTrue(gradable > 0, "no gradable hip among " + hipLines.size());
    }

    @Test
    void v1HasNoExternalSiteAndNoCeiling() throws Exception {
        assertEquals(64, Hipoa.run(new String[] {"phantom", "--count", "1", "--seed", "1", "--out", dir.toString(),
                "--phantom", "v1", "--site", "external"}));
        assertEquals(64, Hipoa.run(new String[] {"phantom", "--count", "1", "--seed", "1", "--out", dir.toString(),
                "--phantom", "v9"}));
        assertEquals(0, Hipoa.run(new String[] {"phantom", "--count", "1", "--seed", "1", "--out", dir.toString(),
                "--phantom", "v1"}));
        assertEquals(64, Hipoa.run(new String[] {"ceiling", dir.toString()}));
    }

    @Test
    void v2IsTheDefault_withItsLabels() throws Exception {
        Path d = dir.resolve("default");
        assertEquals(0, Hipoa.run(new String[] {"phantom", "--count", "1", "--seed", "1", "--out", d.toString()}));
        JsonNode line = HipResultJson.JSON.readTree(Files.readAllLines(d.resolve("labels.jsonl")).getFirst());
        assertEquals("v2", line.get("phantom").asText());
        assertEquals("internal", line.get("site").asText());
        assertTrue(line.get("hips").get("right").has("readerP") || !line.get("hips").get("right").get("gradable").asBoolean());
    }
}
