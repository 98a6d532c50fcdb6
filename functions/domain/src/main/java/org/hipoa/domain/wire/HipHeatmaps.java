package org.hipoa.domain.wire;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.domain.Feature;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where the grader looked, per feature of one hip: class activation maps (CAM) on the grader's final feature grid
 * ({@code rows × cols} cells over the crop, in the crop's orientation). The grader is global average pooling plus
 * one linear head per feature, so a class's logit is exactly the mean of its map; {@code maps} holds, for the grade
 * given, its map minus the mean of all classes' maps — the per-cell share of that grade's logit margin over the
 * average class, which is what decides the arg-max (softmax ignores a common shift). Positive cells speak for
 * the grade given.
 */
public record HipHeatmaps(int rows, int cols, Map<Feature, Integer> grades, Map<Feature, float[]> maps) {
    public static final String CONTENT_TYPE = "application/json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public HipHeatmaps {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("empty heatmap grid");
        grades = Map.copyOf(new EnumMap<>(grades));
        maps = Map.copyOf(new EnumMap<>(maps));
        for (Feature f : Feature.values()) {
            if (!grades.containsKey(f) || maps.get(f) == null || maps.get(f).length != rows * cols) {
                throw new IllegalArgumentException("a heatmap for every feature, " + rows + " x " + cols);
            }
        }
    }

    /**
     * From the raw maps of every class ({@code [classes][rows * cols]} flattened, row-major) and the grades given.
     */
    public static HipHeatmaps ofClassMaps(int rows, int cols, Map<Feature, float[]> classMaps,
                                          Map<Feature, Integer> grades) {
        int cells = rows * cols;
        Map<Feature, float[]> maps = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            float[] all = classMaps.get(f);
            int k = f.classes();
            if (all == null || all.length != k * cells) throw new IllegalArgumentException("maps of " + f.key());
            int g = grades.get(f);
            float[] d = new float[cells];
            for (int i = 0; i < cells; i++) {
                double mean = 0;
                for (int c = 0; c < k; c++) mean += all[c * cells + i];
                d[i] = (float) (all[g * cells + i] - mean / k);
            }
            maps.put(f, d);
        }
        return new HipHeatmaps(rows, cols, grades, maps);
    }

    /** {@code {"method":"CAM","rows","cols","features":{"fo":{"grade","values":[rows*cols]}, …}}}, 4 decimals. */
    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode().put("method", "CAM").put("rows", rows).put("cols", cols);
        ObjectNode fs = n.putObject("features");
        for (Feature f : Feature.values()) {
            ObjectNode o = fs.putObject(f.key()).put("grade", grades.get(f));
            ArrayNode values = o.putArray("values");
            for (float v : maps.get(f)) values.add(Math.round(v * 1e4) / 1e4);
        }
        return n.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
