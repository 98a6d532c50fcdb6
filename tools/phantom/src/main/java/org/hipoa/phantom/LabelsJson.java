package org.hipoa.phantom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.domain.Feature;

import java.util.Map;

/**
 * One {@code labels.jsonl} line per image: the phantom's exact ground truth in the schema the grader's output uses
 * ({@code right}/{@code left} are the patient's sides; x along columns, y along rows, from the centre of the top-left
 * pixel; mm = px × pixel spacing at the patient plane). A v1 line carries each hip's grades as {@code fo} … {@code cysts};
 * a v2 line says {@code phantom}, {@code site} and {@code reader}, and each hip carries {@code gradable},
 * {@code hardware}, {@code grades}, {@code truth}, {@code severity} and {@code readerP} (see {@link HipLabel}).
 */
public final class LabelsJson {
    private LabelsJson() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static String line(String file, PhantomCase c, Map<String, Object> extraParams) {
        ObjectNode root = JSON.createObjectNode().put("file", file);
        if (c.labels() != null) {
            root.put("phantom", "v2").put("site", c.labels().site().key()).put("reader", c.labels().reader().name());
        }
        ObjectNode hips = root.putObject("hips");
        if (c.labels() == null) {
            hip(hips.putObject("right"), c.right(), c.pixelSpacingMm());
            hip(hips.putObject("left"), c.left(), c.pixelSpacingMm());
        } else {
            hipV2(hips.putObject("right"), c.right(), c.labels().right(), c.pixelSpacingMm());
            hipV2(hips.putObject("left"), c.left(), c.labels().left(), c.pixelSpacingMm());
        }
        ObjectNode params = root.putObject("params");
        params.put("seed", c.seed())
                .put("rows", c.rows())
                .put("columns", c.columns())
                .put("pixelSpacingMm", c.pixelSpacingMm())
                .put("magnification", c.magnification())
                .put("bitsStored", c.bitsStored())
                .put("photometric", c.monochrome1() ? "MONOCHROME1" : "MONOCHROME2");
        extraParams.forEach((k, v) -> params.set(k, JSON.valueToTree(v)));
        c.params().forEach((k, v) -> params.set(k, JSON.valueToTree(v)));
        return root.toString();
    }

    private static void hip(ObjectNode node, HipTruth h, double spacing) {
        node.put("fo", h.fo()).put("ao", h.ao()).put("jsn", h.jsn())
                .put("sclerosis", h.sclerosis()).put("cysts", h.cysts());
        node.putArray("centerPx").add(round(h.centerXmm() / spacing)).add(round(h.centerYmm() / spacing));
        node.putArray("centerMm").add(round(h.centerXmm())).add(round(h.centerYmm()));
        node.put("headRadiusMm", round(h.headRadiusMm()))
                .put("jswMm", round(h.jswMm()))
                .put("normalJswMm", round(h.normalJswMm()));
    }

    /**
     * A v2 hip: the reader's {@code grades}, the noise-free {@code truth}, {@code severity} and {@code readerP} per
     * feature (null for a hip with hardware, which is not gradable), then the geometry as in v1.
     */
    private static void hipV2(ObjectNode node, HipTruth h, HipLabel l, double spacing) {
        node.put("gradable", l.gradable());
        if (l.hardware() == null) node.putNull("hardware"); else node.put("hardware", l.hardware().key());
        if (!l.gradable()) {
            node.putNull("grades").putNull("truth").putNull("severity").putNull("readerP");
        } else {
            ObjectNode grades = node.putObject("grades"), truth = node.putObject("truth");
            ObjectNode severity = node.putObject("severity"), p = node.putObject("readerP");
            for (Feature f : Feature.values()) {
                int k = f.ordinal();
                grades.put(f.key(), l.grades()[k]);
                truth.put(f.key(), l.truth()[k]);
                severity.put(f.key(), l.severity()[k]);
                ArrayNode probs = p.putArray(f.key());
                for (double v : l.readerP()[k]) probs.add(Math.round(v * 1e6) / 1e6);
            }
        }
        node.putArray("centerPx").add(round(h.centerXmm() / spacing)).add(round(h.centerYmm() / spacing));
        node.putArray("centerMm").add(round(h.centerXmm())).add(round(h.centerYmm()));
        node.put("headRadiusMm", round(h.headRadiusMm()))
                .put("jswMm", round(h.jswMm()))
                .put("normalJswMm", round(h.normalJswMm()));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
