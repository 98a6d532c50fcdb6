package org.hipoa.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.domain.Feature;
import org.hipoa.domain.result.HipResultJson;
import org.hipoa.phantom.Ceiling;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./hipoa ceiling DIR}: for a phantom v2 set, the best accuracy any model can reach against its reader's labels
 * (per feature, the mean over gradable hips of max(readerP)) and the expected weighted κ between readers A and B and
 * between two reads of the set's reader, as one JSON object. A v1 set is refused: its labels are exact.
 */
final class CeilingCommand {
    private CeilingCommand() {}

    static int run(Args a, PrintStream out) throws IOException {
        if (a.positional().size() != 1) throw new IllegalArgumentException("ceiling needs one phantom directory");
        Path labels = Path.of(a.positional().getFirst()).resolve("labels.jsonl");
        if (!Files.isRegularFile(labels)) throw new IllegalArgumentException("no labels.jsonl in " + a.positional().getFirst());
        Ceiling c = Ceiling.of(Files.readAllLines(labels));
        ObjectNode root = HipResultJson.JSON.createObjectNode();
        root.put("films", c.films()).put("hips", c.hips()).put("gradableHips", c.gradableHips());
        ObjectNode features = root.putObject("features");
        for (Feature f : Feature.values()) {
            ObjectNode n = features.putObject(f.key());
            n.put("ceiling", round(c.ceiling().get(f)));
            n.putArray("kappaBetweenReaders").add(round(c.kappaBetweenReaders().get(f)[0]))
                    .add(round(c.kappaBetweenReaders().get(f)[1]));
            n.putArray("kappaWithinReader").add(round(c.kappaWithinReader().get(f)[0]))
                    .add(round(c.kappaWithinReader().get(f)[1]));
        }
        root.put("kappaNote", "[linear, quadratic] weighted; expected over the hips' severities");
        out.println(root.toPrettyString());
        return 0;
    }

    private static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
