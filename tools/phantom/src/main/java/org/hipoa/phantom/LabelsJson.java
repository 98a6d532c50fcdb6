package org.hipoa.phantom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * One {@code labels.jsonl} line per image: the phantom's exact ground truth in the schema the grader's output uses
 * ({@code right}/{@code left} are the patient's sides; x along columns, y along rows, from the centre of the top-left
 * pixel; mm = px × pixel spacing at the patient plane).
 */
public final class LabelsJson {
    private LabelsJson() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static String line(String file, PhantomCase c, Map<String, Object> extraParams) {
        ObjectNode root = JSON.createObjectNode().put("file", file);
        ObjectNode hips = root.putObject("hips");
        hip(hips.putObject("right"), c.right(), c.pixelSpacingMm());
        hip(hips.putObject("left"), c.left(), c.pixelSpacingMm());
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

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
