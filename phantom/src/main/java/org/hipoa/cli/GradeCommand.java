package org.hipoa.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.core.Rejection;
import org.hipoa.core.dicom.DecodeResult;
import org.hipoa.core.dicom.RadiographDecoder;
import org.hipoa.core.model.Feature;
import org.hipoa.core.model.GradingOutcome;
import org.hipoa.core.model.GradingPipeline;
import org.hipoa.core.model.HipGrades;
import org.hipoa.core.model.StudyGrades;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./hipoa grade [--model-dir DIR] FILE...}: one JSON line per file, GRADED with both hips or FAILED with a
 * reason code (the decoder's, or HIPS_NOT_FOUND / NOT_AP_PELVIS). Exit 2 if any failed.
 */
final class GradeCommand {
    private GradeCommand() {}

    static final ObjectMapper JSON = new ObjectMapper();

    static int run(List<String> args, PrintStream out) throws IOException {
        List<String> files = new ArrayList<>(args);
        Path modelDir = ModelDirs.take(files);
        if (files.isEmpty()) throw new IllegalArgumentException("grade needs at least one DICOM file");
        RadiographDecoder decoder = new RadiographDecoder();
        boolean allGraded = true;
        try (GradingPipeline pipeline = new GradingPipeline(modelDir)) {
            for (String file : files) {
                ObjectNode line = JSON.createObjectNode().put("file", file);
                line.setAll(gradeOne(decoder, pipeline, Path.of(file)));
                allGraded &= line.get("status").asText().equals("GRADED");
                out.println(line);
            }
        }
        return allGraded ? 0 : 2;
    }

    /** Decodes and grades one file; never throws for bad input. */
    static ObjectNode gradeOne(RadiographDecoder decoder, GradingPipeline pipeline, Path file) throws IOException {
        long t0 = System.nanoTime();
        byte[] bytes = Files.readAllBytes(file);
        long t1 = System.nanoTime();
        DecodeResult decoded = decoder.decode(bytes);
        long t2 = System.nanoTime();
        return switch (decoded) {
            case DecodeResult.Rejected r -> failed(r.rejection());
            case DecodeResult.Decoded d -> switch (pipeline.grade(d.radiograph())) {
                case GradingOutcome.Rejected r -> failed(r.rejection());
                case GradingOutcome.Graded g -> graded(g.grades(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                        (System.nanoTime() - t0) / 1_000_000);
            };
        };
    }

    private static ObjectNode failed(Rejection r) {
        return JSON.createObjectNode().put("status", "FAILED").put("reason", r.reason().name()).put("message", r.message());
    }

    private static ObjectNode graded(StudyGrades g, long readMs, long decodeMs, long totalMs) {
        ObjectNode line = JSON.createObjectNode().put("status", "GRADED");
        ObjectNode hips = line.putObject("hips");
        for (HipGrades h : g.hips()) hip(hips.putObject(h.side().key()), h);
        line.putObject("model").put("name", g.grader().name()).put("version", g.grader().version())
                .put("localiser", g.localiser().name() + "@" + g.localiser().version());
        ObjectNode ms = line.putObject("timingsMs").put("read", readMs).put("decode", decodeMs);
        g.timingsMs().forEach(ms::put);
        ms.put("total", totalMs);
        return line;
    }

    private static void hip(ObjectNode node, HipGrades h) {
        node.put("fo", h.grade(Feature.FO)).put("ao", h.grade(Feature.AO)).put("jsn", h.grade(Feature.JSN))
                .put("sclerosis", h.present(Feature.SCLEROSIS)).put("cysts", h.present(Feature.CYSTS));
        ObjectNode p = node.putObject("probabilities");
        for (Map.Entry<Feature, float[]> e : new java.util.TreeMap<>(h.probabilities()).entrySet()) {
            var array = p.putArray(e.getKey().key());
            for (float v : e.getValue()) array.add(Math.round(v * 10000) / 10000.0);
        }
        node.putArray("centerMm").add(Math.round(h.centerXmm() * 100) / 100.0).add(Math.round(h.centerYmm() * 100) / 100.0);
    }
}
