package org.hipoa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.core.dicom.RadiographDecoder;
import org.hipoa.core.model.Feature;
import org.hipoa.core.model.GradingPipeline;

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
 * path (DICOM decode → localise → crop → grade) and prints one JSON object: per-feature agreement with the phantom's
 * truth, localisation error against the true head centres, and failures by reason.
 */
final class EvalCommand {
    private EvalCommand() {}

    static int run(List<String> args, PrintStream out) throws IOException {
        List<String> rest = new ArrayList<>(args);
        Path modelDir = ModelDirs.take(rest);
        if (rest.size() != 1) throw new IllegalArgumentException("eval needs one phantom directory");
        Path dir = Path.of(rest.getFirst());
        List<String> lines = Files.readAllLines(dir.resolve("labels.jsonl")).stream().filter(l -> !l.isBlank()).toList();
        Map<Feature, List<int[]>> pairs = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) pairs.put(f, new ArrayList<>());
        List<Double> errorsMm = new ArrayList<>();
        Map<String, Integer> failures = new TreeMap<>();
        ProgressBar progress = new ProgressBar("eval", lines.size());
        RadiographDecoder decoder = new RadiographDecoder();
        try (GradingPipeline pipeline = new GradingPipeline(modelDir)) {
            for (String line : lines) {
                JsonNode truth = GradeCommand.JSON.readTree(line);
                ObjectNode result = GradeCommand.gradeOne(decoder, pipeline, dir.resolve(truth.get("file").asText()));
                if (result.get("status").asText().equals("GRADED")) {
                    for (String side : List.of("right", "left")) {
                        JsonNode t = truth.get("hips").get(side), p = result.get("hips").get(side);
                        for (Feature f : Feature.values()) pairs.get(f).add(new int[] {value(t, f), value(p, f)});
                        errorsMm.add(Math.hypot(t.get("centerMm").get(0).asDouble() - p.get("centerMm").get(0).asDouble(),
                                t.get("centerMm").get(1).asDouble() - p.get("centerMm").get(1).asDouble()));
                    }
                } else {
                    failures.merge(result.get("reason").asText(), 1, Integer::sum);
                }
                progress.step();
            }
        }
        out.println(report(pairs, errorsMm, failures, lines.size()).toPrettyString());
        return 0;
    }

    private static int value(JsonNode hip, Feature f) {
        JsonNode v = hip.get(f.key());
        return v.isBoolean() ? (v.asBoolean() ? 1 : 0) : v.asInt();
    }

    private static ObjectNode report(Map<Feature, List<int[]>> pairs, List<Double> errorsMm, Map<String, Integer> failures,
                                     int images) {
        ObjectNode root = GradeCommand.JSON.createObjectNode();
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
