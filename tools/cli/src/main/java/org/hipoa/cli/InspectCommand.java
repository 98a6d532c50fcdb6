package org.hipoa.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.domain.Outcome;
import org.hipoa.dicom.PixelStats;
import org.hipoa.dicom.Radiograph;
import org.hipoa.dicom.RadiographDecoder;
import org.hipoa.dicom.TransferSyntaxes;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code ./hipoa inspect FILE...}: one JSON line per file, what the decoder makes of it. Exit 2 if any is refused. */
final class InspectCommand {
    private InspectCommand() {}

    static int run(List<String> files, PrintStream out) {
        ObjectMapper json = new ObjectMapper();
        RadiographDecoder decoder = new RadiographDecoder();
        boolean allOk = true;
        for (String file : files) {
            ObjectNode line = json.createObjectNode().put("file", file);
            Path path = Path.of(file);
            if (!Files.isRegularFile(path)) {
                line.put("status", "ERROR").put("message", "no such file");
                allOk = false;
            } else {
                switch (decoder.decode(path)) {
                    case Outcome.Ok<Radiograph> d -> describe(line, d.value());
                    case Outcome.Rejected<Radiograph> r -> {
                        line.put("status", "REJECTED").put("reason", r.rejection().reason().name())
                                .put("message", r.rejection().message());
                        allOk = false;
                    }
                }
            }
            out.println(line);
        }
        return allOk ? 0 : 2;
    }

    private static void describe(ObjectNode line, Radiograph r) {
        PixelStats stats = r.stats();
        line.put("status", "OK")
                .put("transferSyntax", r.transferSyntaxUid())
                .put("transferSyntaxName", TransferSyntaxes.name(r.transferSyntaxUid()))
                .put("rows", r.rows())
                .put("columns", r.columns());
        line.putArray("spacingMm").add(round(r.spacing().rowMm(), 6)).add(round(r.spacing().columnMm(), 6));
        line.put("spacingSource", r.spacing().source().name())
                .put("photometric", r.sourcePhotometric())
                .put("bitsStored", r.bitsStored())
                .put("modality", r.modality())
                .put("viewPosition", r.viewPosition())
                .put("min", stats.min())
                .put("max", stats.max())
                .put("mean", round(stats.mean(), 4));
    }

    private static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
