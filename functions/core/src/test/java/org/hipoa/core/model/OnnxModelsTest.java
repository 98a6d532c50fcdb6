package org.hipoa.core.model;

import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the ONNX Runtime session DJL builds for us really got: ONNX Runtime writes the graph it optimised for that
 * session, and with {@code session.disable_quant_qdq} in force the int8 weights' DequantizeLinear nodes are folded
 * into fp32 constants there. (The speed claim in model/MODEL_CARD.md rests on this; an option that silently does
 * not arrive leaves the nodes in and costs 1.9× per grade.)
 */
class OnnxModelsTest {
    static final Path GRADER = ShippedModel.DIR.resolve("grader.onnx");

    @TempDir
    Path dir;

    /** How often an op type's name occurs in a serialised ONNX graph (each node stores it as a plain string). */
    static int occurrences(Path onnx, String opType) throws IOException {
        String s = new String(Files.readAllBytes(onnx), StandardCharsets.ISO_8859_1);
        int n = 0;
        for (int at = s.indexOf(opType); at >= 0; at = s.indexOf(opType, at + 1)) n++;
        return n;
    }

    Path optimisedGraph(Consumer<OrtSession.SessionOptions> more) {
        Path out = dir.resolve("optimised.onnx");
        try (ZooModel<?, ?> model = OnnxModels.load(GRADER, new NoopTranslator(), 2, options -> {
            try {
                options.setOptimizedModelFilePath(out.toString());
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
            more.accept(options);
        })) {
            return out;
        }
    }

    @Test
    void graderSession_hasItsInt8WeightsFoldedToFp32() throws IOException {
        assertTrue(occurrences(GRADER, "DequantizeLinear") > 100, "the shipped grader stores int8 weights");
        assertEquals(0, occurrences(optimisedGraph(o -> {}), "DequantizeLinear"),
                "with disable_quant_qdq the session folds every weight's DequantizeLinear at load");
    }

    @Test
    void withoutTheOption_theDequantizeNodesStay() throws IOException {
        // The control for the check above: the count does see unfolded nodes when the option is switched off.
        Path graph = optimisedGraph(o -> {
            try {
                o.addConfigEntry("session.disable_quant_qdq", "0");
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(occurrences(graph, "DequantizeLinear") > 100);
    }
}
