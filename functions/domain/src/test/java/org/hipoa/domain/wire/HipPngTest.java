package org.hipoa.domain.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.domain.Feature;
import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Side;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What the viewer shows: the grader's crop as a PNG in the contract's window, and the CAM margins per feature. */
class HipPngTest {
    @Test
    void png_isTheCropInTheContractsWindow_sameSizeAndOrientation() throws Exception {
        int n = 4;
        float[] px = new float[n * n];
        px[0] = -2f;         // v = 0: the crop's 1st percentile -> black
        px[1] = 0f;          // v = 0.5 -> mid grey
        px[2] = 2f;          // v = 1: the 99th percentile -> white
        px[3] = 9f;          // beyond the window: clipped
        px[n] = Float.NaN;   // never expected; shows black instead of failing a finished grade
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(HipPng.encode(new HipCrop(Side.LEFT, n, px, 0, 0))));
        assertEquals(n, img.getWidth());
        assertEquals(n, img.getHeight());
        int[] grey = img.getRaster().getPixels(0, 0, n, 2, (int[]) null);
        assertEquals(0, grey[0]);
        assertEquals(128, grey[1]);
        assertEquals(255, grey[2]);
        assertEquals(255, grey[3]);
        assertEquals(0, grey[n]);
    }

    @Test
    void heatmaps_holdTheGivenGradesMarginOverTheClassMean_perCell() throws Exception {
        int rows = 1, cols = 2;
        Map<Feature, float[]> classMaps = new EnumMap<>(Feature.class);
        Map<Feature, Integer> grades = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            float[] m = new float[f.classes() * 2];
            for (int k = 0; k < f.classes(); k++) {
                m[2 * k] = k;       // cell 0: class k scores k
                m[2 * k + 1] = -k;  // cell 1: class k scores -k
            }
            classMaps.put(f, m);
            grades.put(f, f.classes() - 1);
        }
        HipHeatmaps h = HipHeatmaps.ofClassMaps(rows, cols, classMaps, grades);
        JsonNode json = new ObjectMapper().readTree(h.toJson());
        assertEquals("CAM", json.get("method").asText());
        // JSN: 4 classes, mean of 0..3 = 1.5; grade 3 -> +1.5 in cell 0, -1.5 in cell 1.
        JsonNode jsn = json.get("features").get("jsn");
        assertEquals(3, jsn.get("grade").asInt());
        assertEquals(1.5, jsn.get("values").get(0).asDouble(), 1e-6);
        assertEquals(-1.5, jsn.get("values").get(1).asDouble(), 1e-6);
        assertEquals(0.5, json.get("features").get("cysts").get("values").get(0).asDouble(), 1e-6);
        classMaps.remove(Feature.CYSTS);
        assertThrows(IllegalArgumentException.class, () -> HipHeatmaps.ofClassMaps(rows, cols, classMaps, grades));
    }
}
