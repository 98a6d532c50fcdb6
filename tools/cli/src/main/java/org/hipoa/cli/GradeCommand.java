package org.hipoa.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.core.study.StudyGrader;
import org.hipoa.core.study.StudyGrades;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.Rejection;
import org.hipoa.domain.Side;
import org.hipoa.domain.Timings;
import org.hipoa.domain.result.HipResultJson;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ./hipoa grade [--model-dir DIR] FILE...}: one JSON line per file, GRADED with both hips or FAILED with a
 * reason code. The file goes through the same two steps as an upload through the functions
 * ({@link StudyPreparer}, then {@link StudyGrader}). Exit 2 if any failed.
 */
final class GradeCommand {
    private GradeCommand() {}

    static final Args.Spec SPEC = Args.Spec.of("model-dir");

    /** One graded file: what preparation found, the grades, and stage timings in ms. */
    record Graded(PreparedStudy study, StudyGrades grades, Map<String, Long> timingsMs) {}

    static int run(Args a, PrintStream out) throws IOException {
        if (a.positional().isEmpty()) throw new IllegalArgumentException("grade needs at least one DICOM file");
        Path modelDir = a.modelDir();
        boolean allGraded = true;
        try (StudyPreparer preparer = new StudyPreparer(modelDir); StudyGrader grader = new StudyGrader(modelDir)) {
            for (String file : a.positional()) {
                Outcome<Graded> outcome = gradeOne(preparer, grader, Path.of(file));
                allGraded &= outcome instanceof Outcome.Ok;
                out.println(json(file, outcome, preparer, grader));
            }
        }
        return allGraded ? 0 : 2;
    }

    /** Reads, prepares and grades one file; bad input is a rejection, never an exception. */
    static Outcome<Graded> gradeOne(StudyPreparer preparer, StudyGrader grader, Path file) throws IOException {
        long t0 = System.nanoTime();
        Outcome<byte[]> read = preparer.read(file);
        long readMs = Timings.msSince(t0);
        return read.then(preparer::prepare).then(study -> {
            long t1 = System.nanoTime();
            StudyGrades grades = grader.grade(StudyGrader.Hips.of(study));
            Map<String, Long> ms = new LinkedHashMap<>();
            ms.put(Timings.READ, readMs);
            ms.putAll(study.timingsMs());
            ms.put(Timings.GRADE, Timings.msSince(t1));
            ms.put(Timings.TOTAL, Timings.msSince(t0));
            return Outcome.ok(new Graded(study, grades, ms));
        });
    }

    static ObjectNode json(String file, Outcome<Graded> outcome, StudyPreparer preparer, StudyGrader grader) {
        ObjectNode line = HipResultJson.JSON.createObjectNode().put("file", file);
        return switch (outcome) {
            case Outcome.Rejected<Graded> r -> failed(line, r.rejection());
            case Outcome.Ok<Graded> ok -> {
                Graded g = ok.value();
                line.put("status", "GRADED");
                line.set("hips", HipResultJson.hips(Map.of(Side.RIGHT, g.grades().right().result(),
                        Side.LEFT, g.grades().left().result())));
                line.putObject("model").put("name", grader.info().name()).put("version", grader.info().version())
                        .put("localiser", preparer.localiser().name() + "@" + preparer.localiser().version())
                        .put("calibrated", grader.calibrated()).put("refusesHips", grader.refusesHips());
                line.set("spacing", HipResultJson.spacing(g.study().spacing()));
                ObjectNode ms = line.putObject("timingsMs");
                g.timingsMs().forEach(ms::put);
                yield line;
            }
        };
    }

    private static ObjectNode failed(ObjectNode line, Rejection r) {
        return line.put("status", "FAILED").put("reason", r.reason().name()).put("message", r.message());
    }
}
