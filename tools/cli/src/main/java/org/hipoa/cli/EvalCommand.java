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
 * path ({@link GradeCommand#gradeOne}: DICOM decode → localise → crop → grade) and prints one JSON object: per feature
 * agreement with the labels (accuracy with Wilson and film-bootstrap intervals, κ, confusion), localisation error
 * against the true head centres, and failures by reason. A rejected film's hips count once more as misses in
 * {@code withRejectedAsMisses}. For a phantom v2 set the labels are the reader's grades, and each feature also reports
 * accuracy against the noise-free truth, the ceiling (mean max readerP, the best any model can reach) and
 * accuracy ÷ ceiling; hips with hardware are not scored but reported apart (what the product did with them).
 *
 * <p>Per-hip refusals (issue 19): accuracy is over the gradable hips the product graded; {@code notGradable} gives the
 * share of gradable hips it graded, the sensitivity and specificity of its "not gradable" against the labels, and its
 * reasons. Calibration: per feature the expected calibration error of the probabilities the product returns (top
 * class, 15 equal-width bins, Guo et al. 2017) and the reliability bins it is computed from.
 */
final class EvalCommand {
    private EvalCommand() {}

    static final Args.Spec SPEC = Args.Spec.of("model-dir");

    /** What the evaluation gathers; pairs are {reference, predicted, film}. */
    private static final class Tally {
        final Map<Feature, List<int[]>> vsReader = perFeature(), vsTruth = perFeature();
        final Map<Feature, double[]> ceilingSum = new EnumMap<>(Feature.class);
        final Map<Feature, int[]> missedByRejection = new EnumMap<>(Feature.class);
        final List<Double> errorsMm = new ArrayList<>();
        final Map<String, Integer> failures = new TreeMap<>();
        final Map<String, int[]> hardware = new TreeMap<>();   // kind -> {hips, graded by the product}
        final Map<String, Integer> refusedGradable = new TreeMap<>(), refusedHardware = new TreeMap<>();
        final Map<Feature, Reliability> reliability = new EnumMap<>(Feature.class);
        int gradableHips, gradableSeen, gradableGraded, hardwareRead;
        boolean v2;
        String site;

        Tally() {
            for (Feature f : Feature.values()) {
                ceilingSum.put(f, new double[1]);
                missedByRejection.put(f, new int[1]);
                reliability.put(f, new Reliability(15));
            }
        }

        private static Map<Feature, List<int[]>> perFeature() {
            Map<Feature, List<int[]>> m = new EnumMap<>(Feature.class);
            for (Feature f : Feature.values()) m.put(f, new ArrayList<>());
            return m;
        }
    }

    static int run(Args a, PrintStream out) throws IOException {
        if (a.positional().size() != 1) throw new IllegalArgumentException("eval needs one phantom directory");
        Path modelDir = a.modelDir();
        Path dir = Path.of(a.positional().getFirst());
        List<String> lines = Files.readAllLines(dir.resolve("labels.jsonl")).stream().filter(l -> !l.isBlank()).toList();
        Tally t = new Tally();
        ProgressBar progress = new ProgressBar("eval", lines.size());
        try (StudyPreparer preparer = new StudyPreparer(modelDir); StudyGrader grader = new StudyGrader(modelDir)) {
            for (int film = 0; film < lines.size(); film++) {
                JsonNode labels = HipResultJson.JSON.readTree(lines.get(film));
                boolean v2 = "v2".equals(labels.path("phantom").asText());
                t.v2 |= v2;
                if (v2) t.site = labels.path("site").asText();
                switch (GradeCommand.gradeOne(preparer, grader, dir.resolve(labels.get("file").asText()))) {
                    case Outcome.Rejected<GradeCommand.Graded> r -> {
                        t.failures.merge(r.rejection().reason().name(), 1, Integer::sum);
                        for (String side : new String[] {"right", "left"}) {
                            JsonNode hip = labels.get("hips").get(side);
                            if (v2 && !hip.path("gradable").asBoolean()) {
                                t.hardware.computeIfAbsent(hip.get("hardware").asText(), k -> new int[2])[0]++;
                                continue;
                            }
                            t.gradableHips++;
                            for (Feature f : Feature.values()) t.missedByRejection.get(f)[0]++;
                            if (v2) addCeiling(t, hip);
                        }
                    }
                    case Outcome.Ok<GradeCommand.Graded> ok -> {
                        for (HipPrediction h : ok.value().grades().hips()) {
                            HipResult p = h.result();
                            JsonNode hip = labels.get("hips").get(h.side().key());
                            if (v2 && !hip.path("gradable").asBoolean()) {
                                String kind = hip.get("hardware").asText();
                                t.hardware.computeIfAbsent(kind, k -> new int[2])[0]++;
                                t.hardwareRead++;
                                if (h.graded()) t.hardware.get(kind)[1]++;
                                else t.refusedHardware.merge(p.notGradable().get().name(), 1, Integer::sum);
                                continue;
                            }
                            t.gradableHips++;
                            t.gradableSeen++;
                            if (v2) addCeiling(t, hip);
                            if (!h.graded()) {
                                // Refused: no grade to score; counted as a miss in withRejectedAsMisses.
                                t.refusedGradable.merge(p.notGradable().get().name(), 1, Integer::sum);
                                for (Feature f : Feature.values()) t.missedByRejection.get(f)[0]++;
                                continue;
                            }
                            t.gradableGraded++;
                            Map<Feature, Integer> reader = HipResultJson.grades(v2 ? hip.get("grades") : hip);
                            Map<Feature, Integer> truth = v2 ? HipResultJson.grades(hip.get("truth")) : reader;
                            for (Feature f : Feature.values()) {
                                t.vsReader.get(f).add(new int[] {reader.get(f), h.grade(f), film});
                                t.vsTruth.get(f).add(new int[] {truth.get(f), h.grade(f), film});
                                t.reliability.get(f).add(h.probabilities().get(f), reader.get(f));
                            }
                            t.errorsMm.add(Math.hypot(hip.get("centerMm").get(0).asDouble() - p.centerXmm(),
                                    hip.get("centerMm").get(1).asDouble() - p.centerYmm()));
                        }
                    }
                }
                progress.step();
            }
        }
        out.println(report(t, lines.size()).toPrettyString());
        return 0;
    }

    private static void addCeiling(Tally t, JsonNode hip) {
        for (Feature f : Feature.values()) {
            double best = 0;
            for (JsonNode p : hip.get("readerP").get(f.key())) best = Math.max(best, p.asDouble());
            t.ceilingSum.get(f)[0] += best;
        }
    }

    private static ObjectNode report(Tally t, int images) {
        ObjectNode root = HipResultJson.JSON.createObjectNode();
        root.put("images", images).put("dataStatement", "synthetic phantom images; says nothing about real patients");
        root.put("phantom", t.v2 ? "v2" : "v1");
        if (t.v2) root.put("site", t.site).put("labels", "the site's simulated reader; truth = noise-free grade");
        root.put("intervals", "accuracyCi95: percentile bootstrap over films (1000 rounds); accuracyWilson95: Wilson score");
        ObjectNode features = root.putObject("features");
        for (Feature f : Feature.values()) {
            Agreement a = Agreement.of(t.vsReader.get(f), f.classes());
            ObjectNode node = features.putObject(f.key());
            node.put("n", a.n()).put("accuracy", round(a.accuracy()));
            node.putArray("accuracyCi95").add(round(a.accuracyCi95()[0])).add(round(a.accuracyCi95()[1]));
            node.putArray("accuracyWilson95").add(round(a.wilson95()[0])).add(round(a.wilson95()[1]));
            node.put("kappaLinear", round(a.kappaLinear())).put("kappaQuadratic", round(a.kappaQuadratic()));
            confusion(node.putArray("confusion"), a.confusion());
            if (t.v2) {
                Agreement vt = Agreement.of(t.vsTruth.get(f), f.classes());
                double ceiling = t.ceilingSum.get(f)[0] / t.gradableHips;
                node.put("accuracyVsTruth", round(vt.accuracy()))
                        .put("kappaLinearVsTruth", round(vt.kappaLinear()))
                        .put("ceiling", round(ceiling))
                        .put("accuracyOverCeiling", round(a.accuracy() / ceiling));
                confusion(node.putArray("confusionVsTruth"), vt.confusion());
            }
            // Rejected films' hips as misses: the product gave no grade, a reader would have.
            int missed = t.missedByRejection.get(f)[0];
            long hits = t.vsReader.get(f).stream().filter(p -> p[0] == p[1]).count();
            ObjectNode all = node.putObject("withRejectedAsMisses");
            all.put("n", a.n() + missed).put("accuracy", round(a.n() + missed == 0 ? Double.NaN : (double) hits / (a.n() + missed)));
            t.reliability.get(f).write(node.putObject("calibration"));
        }
        ObjectNode ng = root.putObject("notGradable");
        int hardwareSeen = t.hardwareRead;   // hips with hardware on films the product read (not those of rejected films)
        int hardwareRefused = t.refusedHardware.values().stream().mapToInt(Integer::intValue).sum();
        ng.put("note", "over hips of films the product read; gradable = the labels' gradable hips");
        ng.put("gradableHips", t.gradableSeen).put("gradableGraded", t.gradableGraded);
        ratio(ng, "gradableGradedShare", t.gradableGraded, t.gradableSeen);
        ng.put("hardwareHips", hardwareSeen).put("hardwareRefused", hardwareRefused);
        // Without a hip of either kind there is no rate to state: null, not 0 (a NaN rounded would read as 0).
        ratio(ng, "sensitivity", hardwareRefused, hardwareSeen);
        ratio(ng, "specificity", t.gradableGraded, t.gradableSeen);
        ObjectNode reasons = ng.putObject("reasonsOnGradableHips");
        t.refusedGradable.forEach(reasons::put);
        ObjectNode hwReasons = ng.putObject("reasonsOnHardwareHips");
        t.refusedHardware.forEach(hwReasons::put);
        if (t.v2) {
            ObjectNode hw = root.putObject("hardwareHips");
            hw.put("note", "not gradable, not scored; hips counts those of rejected films too; gradedByProduct counts hips "
                    + "the product graded anyway");
            t.hardware.forEach((kind, c) -> hw.putObject(kind).put("hips", c[0]).put("gradedByProduct", c[1]));
        }
        List<Double> sorted = t.errorsMm.stream().sorted().toList();
        ObjectNode loc = root.putObject("localizationErrorMm");
        loc.put("median", sorted.isEmpty() ? Double.NaN : round(sorted.get(sorted.size() / 2)));
        loc.put("p95", sorted.isEmpty() ? Double.NaN : round(sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1)));
        ObjectNode fails = root.putObject("failures");
        t.failures.forEach(fails::put);
        return root;
    }

    private static void confusion(ArrayNode out, long[][] m) {
        for (long[] row : m) {
            ArrayNode r = out.addArray();
            for (long c : row) r.add(c);
        }
    }

    private static void ratio(ObjectNode n, String name, int part, int whole) {
        if (whole == 0) n.putNull(name);
        else n.put(name, round((double) part / whole));
    }

    /** To 4 decimals; NaN stays NaN (Math.round would make it 0, a figure nobody measured). */
    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 10000) / 10000.0 : v;
    }
}
