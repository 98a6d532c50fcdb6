package org.hipoa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.core.model.HipPrediction;
import org.hipoa.core.study.StudyGrader;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.domain.Feature;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.result.HipResult;
import org.hipoa.domain.result.HipResultJson;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ./hipoa eval [--model-dir DIR] DIR}: grades every image of a labelled phantom directory through the product
 * path ({@link GradeCommand#gradeOne}: DICOM decode → localise → crop → grade) and prints one JSON object:
 * per-feature agreement with the phantom's truth, localisation error against the true head centres, and failures
 * by reason. The grades are compared as the values a partner would get ({@link HipResult}).
 */
final class EvalCommand {
    private EvalCommand() {}

    static final Args.Spec SPEC = Args.Spec.of("model-dir");

    static int run(Args a, PrintStream out) throws IOException {
        if (a.positional().size() != 1) throw new IllegalArgumentException("eval needs one phantom directory");
        Path modelDir = a.modelDir();
        Path dir = Path.of(a.positional().getFirst());
        List<String> lines = Files.readAllLines(dir.resolve("labels.jsonl")).stream().filter(l -> !l.isBlank()).toList();
        Map<Feature, List<int[]>> pairs = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) pairs.put(f, new ArrayList<>());
        List<Double> errorsMm = new ArrayList<>();
        Map<String, Integer> failures = new TreeMap<>();
        ProgressBar progress = new ProgressBar("eval", lines.size());
        try (StudyPreparer preparer = new StudyPreparer(modelDir); StudyGrader grader = new StudyGrader(modelDir)) {
            for (String line : lines) {
                JsonNode truth = HipResultJson.JSON.readTree(line);
                switch (GradeCommand.gradeOne(preparer, grader, dir.resolve(truth.get("file").asText()))) {
                    case Outcome.Rejected<GradeCommand.Graded> r ->
                            failures.merge(r.rejection().reason().name(), 1, Integer::sum);
                    case Outcome.Ok<GradeCommand.Graded> ok -> {
                        for (HipPrediction h : ok.value().grades().hips()) {
                            HipResult p = h.result();
                            JsonNode t = truth.get("hips").get(h.side().key());
                            Map<Feature, Integer> trueGrades = HipResultJson.grades(t);
                            for (Feature f : Feature.values()) pairs.get(f).add(new int[] {trueGrades.get(f), p.grade(f)});
                            errorsMm.add(Math.hypot(t.get("centerMm").get(0).asDouble() - p.centerXmm(),
                                    t.get("centerMm").get(1).asDouble() - p.centerYmm()));
                        }
                    }
                }
                progress.step();
            }
        }
        out.println(report(pairs, errorsMm, failures, lines.size()).toPrettyString());
        return 0;
    }

    private static ObjectNode report(Map<Feature, List<int[]>> pairs, List<Double> errorsMm, Map<String, Integer> failures,
                                     int images) {
        ObjectNode root = HipResultJson.JSON.createObjectNode();
        root.put("images", images).put("dataStatement", "synthetic phantom images; says nothing about real patients");
        ObjectNode features = root.putObject("features");
        for (Feature f : Feature.values()) {
            Agreement a = Agreement.of(pairs.get(f), f.classes());
            ObjectNode node = features.putObject(f.key());
            node.put("n", a.n()).put("accuracy", round(a.accuracy()));
            node.putArray("accuracyCi95").add(round(a.accuracyCi95()[0])).add(round(a.accuracyCi95()[1]));
            node.put("kappaLinear", round(a.kappaLinear())).put("kappaQuadratic", round(a.kappaQuadratic()));
            ArrayNode confusion = node.putArray("confusion");
            for (long[] row : a.confusion()) {
                ArrayNode r = confusion.addArray();
                for (long c : row) r.add(c);
            }
        }
        List<Double> sorted = errorsMm.stream().sorted().toList();
        ObjectNode loc = root.putObject("localizationErrorMm");
        loc.put("median", sorted.isEmpty() ? Double.NaN : round(sorted.get(sorted.size() / 2)));
        loc.put("p95", sorted.isEmpty() ? Double.NaN : round(sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1)));
        ObjectNode fails = root.putObject("failures");
        failures.forEach(fails::put);
        return root;
    }

    private static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
