package org.hipoa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.hipoa.dicom.BadInputCorpus;
import org.hipoa.core.model.ShippedModel;
import org.hipoa.core.study.StudyGrader;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.HipResultJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The decoder's bad-input corpus through the two commands a provider's engineer runs on a folder of files:
 * {@code inspect} reports each with the decoder's exact verdict, and {@code grade} ends each as GRADED or FAILED with
 * the same reason, within a time bound, in one JVM that must not crash.
 */
class BadInputThroughCliTest {
    static final Path MODEL_DIR = ShippedModel.DIR;
    /** Reasons the grading step may add to a file the decoder accepts (QA of the film, not of its encoding). */
    static final Set<Reason> QA_REASONS = Set.of(Reason.HIPS_NOT_FOUND, Reason.NOT_AP_PELVIS, Reason.TOO_LARGE);

    @TempDir static Path work;
    static final Map<Path, BadInputCorpus.Case> files = new LinkedHashMap<>();
    static StudyPreparer preparer;
    static StudyGrader grader;

    @BeforeAll
    static void setUp() throws Exception {
        int i = 0;
        Files.createDirectories(work.resolve("gen"));
        for (BadInputCorpus.Case c : BadInputCorpus.generate(work.resolve("gen"))) {
            Path f = work.resolve(String.format("case%03d.dcm", i++));
            Files.write(f, c.bytes());
            files.put(f, c);
        }
        preparer = new StudyPreparer(MODEL_DIR);
        grader = new StudyGrader(MODEL_DIR);
    }

    @AfterAll
    static void tearDown() {
        if (preparer != null) preparer.close();
        if (grader != null) grader.close();
    }

    @Test
    void inspect_reportsTheDecodersExactVerdict_forEveryCase() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> names = files.keySet().stream().map(Path::toString).toList();
        int exit = assertTimeoutPreemptively(Duration.ofMinutes(5),
                () -> InspectCommand.run(names, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        assertEquals(2, exit, "some cases are refused, so inspect exits 2");
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(files.size(), lines.size(), "one line per file");
        List<String> wrong = new ArrayList<>();
        for (String line : lines) {
            JsonNode n = HipResultJson.JSON.readTree(line);
            BadInputCorpus.Case c = files.get(Path.of(n.get("file").asText()));
            switch (c.expected()) {
                case BadInputCorpus.Expected.Refused want -> {
                    if (!n.path("status").asText().equals("REJECTED") || !n.path("reason").asText().equals(want.reason().name())) {
                        wrong.add(c.name() + ": " + line);
                    }
                }
                case BadInputCorpus.Expected.Gated want -> {
                    if (!n.path("status").asText().equals("OK") || n.path("rows").asInt() != want.rows()
                            || n.path("columns").asInt() != want.columns()) {
                        wrong.add(c.name() + ": " + line);
                    }
                }
                case BadInputCorpus.Expected.Decoded want -> {
                    if (!n.path("status").asText().equals("OK") || n.path("rows").asInt() != want.rows()
                            || n.path("columns").asInt() != want.columns() || line.contains("Infinity") || line.contains("NaN")) {
                        wrong.add(c.name() + ": " + line);
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " wrong verdicts, e.g. " + wrong.stream().limit(3).toList());
    }

    @Test
    void grade_endsEveryCaseGradedOrFailedWithTheSameReason_quickly() {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<Path, BadInputCorpus.Case> e : files.entrySet()) {
            BadInputCorpus.Case c = e.getValue();
            Outcome<GradeCommand.Graded> outcome = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> GradeCommand.gradeOne(preparer, grader, e.getKey()), c.name());
            switch (c.expected()) {
                case BadInputCorpus.Expected.Refused want -> {
                    if (!(outcome instanceof Outcome.Rejected<GradeCommand.Graded> r) || r.rejection().reason() != want.reason()) {
                        wrong.add(c.name() + " expected " + want.reason() + ", got " + outcome);
                    }
                }
                case BadInputCorpus.Expected.Gated want -> {
                    if (!(outcome instanceof Outcome.Rejected<GradeCommand.Graded> r) || r.rejection().reason() != want.reason()) {
                        wrong.add(c.name() + " decodes, then expected " + want.reason() + ", got " + outcome);
                    }
                }
                case BadInputCorpus.Expected.Decoded ignored -> {
                    if (outcome instanceof Outcome.Rejected<GradeCommand.Graded> r && !QA_REASONS.contains(r.rejection().reason())) {
                        wrong.add(c.name() + " decodes, but grading refused it as " + r.rejection());
                    }
                }
            }
        }
        if (!wrong.isEmpty()) fail(wrong.size() + " cases ended wrongly, e.g. " + wrong.stream().limit(3).toList());
    }
}
