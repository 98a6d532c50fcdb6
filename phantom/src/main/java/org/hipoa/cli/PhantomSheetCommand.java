package org.hipoa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.core.dicom.DecodeResult;
import org.hipoa.core.dicom.Radiograph;
import org.hipoa.core.dicom.RadiographDecoder;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./hipoa phantom-sheet DIR OUT.png}: hip crops from a phantom directory, one row per feature, grouped by
 * grade, so a person can check that the grades look as the rules say. Crops come from the written DICOM files
 * through the product's own decoder, and left hips are mirrored into right orientation as the grader sees them.
 */
final class PhantomSheetCommand {
    private PhantomSheetCommand() {}

    private static final String[] FEATURES = {"fo", "ao", "jsn", "sclerosis", "cysts"};
    private static final int PER_GRADE = 3, CELL = 168, GAP = 6, HEADER = 22, LEFT = 120;
    private static final double CROP_MM = 110;

    private record Hip(Path file, String side, JsonNode truth) {}

    static int run(String dir, String outPng) throws IOException {
        Path root = Path.of(dir);
        List<Hip> hips = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(root.resolve("labels.jsonl"))) {
            if (line.isBlank()) continue;
            JsonNode n = json.readTree(line);
            for (String side : List.of("right", "left")) {
                hips.add(new Hip(root.resolve(n.get("file").asText()), side, n.get("hips").get(side)));
            }
        }
        int columns = 4 * PER_GRADE;
        BufferedImage sheet = new BufferedImage(LEFT + columns * (CELL + GAP), FEATURES.length * (CELL + GAP + HEADER),
                BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = sheet.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.DARK_GRAY);
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        Map<Path, Radiograph> cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override protected boolean removeEldestEntry(Map.Entry<Path, Radiograph> e) { return size() > 4; }
        };
        RadiographDecoder decoder = new RadiographDecoder();
        for (int f = 0; f < FEATURES.length; f++) {
            String feature = FEATURES[f];
            boolean binary = feature.equals("sclerosis") || feature.equals("cysts");
            int y = f * (CELL + GAP + HEADER);
            g.setColor(Color.WHITE);
            g.drawString(feature.toUpperCase(), 8, y + HEADER + CELL / 2);
            for (int grade = 0; grade < (binary ? 2 : 4); grade++) {
                int x0 = LEFT + grade * PER_GRADE * (CELL + GAP);
                g.setColor(Color.WHITE);
                g.drawString(binary ? (grade == 1 ? "present" : "absent") : "grade " + grade, x0, y + HEADER - 6);
                int placed = 0;
                for (Hip hip : hips) {
                    if (placed == PER_GRADE) break;
                    JsonNode v = hip.truth().get(feature);
                    int value = binary ? (v.asBoolean() ? 1 : 0) : v.asInt();
                    if (value != grade) continue;
                    Radiograph r = cache.computeIfAbsent(hip.file(), p -> decode(decoder, p));
                    if (r == null) continue;
                    g.drawImage(crop(r, hip), x0 + placed * (CELL + GAP), y + HEADER, null);
                    placed++;
                }
            }
        }
        g.dispose();
        Path out = Path.of(outPng);
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        ImageIO.write(sheet, "png", out.toFile());
        System.err.println("phantom-sheet: wrote " + out);
        return 0;
    }

    private static Radiograph decode(RadiographDecoder decoder, Path p) {
        return decoder.decode(p) instanceof DecodeResult.Decoded d ? d.radiograph() : null;
    }

    /** A CROP_MM square around the head centre, bilinear-resampled to CELL px, windowed to its own 1–99 %. */
    private static BufferedImage crop(Radiograph r, Hip hip) {
        double cx = hip.truth().get("centerMm").get(0).asDouble() / r.spacing().columnMm();
        double cy = hip.truth().get("centerMm").get(1).asDouble() / r.spacing().rowMm();
        double step = CROP_MM / CELL / r.spacing().columnMm();
        boolean mirror = hip.side().equals("left");
        float[] cell = new float[CELL * CELL];
        for (int i = 0; i < CELL; i++) {
            for (int j = 0; j < CELL; j++) {
                double dx = (j - CELL / 2.0) * step * (mirror ? -1 : 1);
                cell[i * CELL + j] = bilinear(r, cx + dx, cy + (i - CELL / 2.0) * step);
            }
        }
        float[] sorted = cell.clone();
        java.util.Arrays.sort(sorted);
        float lo = sorted[(int) (0.01 * sorted.length)], hi = sorted[(int) (0.99 * sorted.length)];
        BufferedImage img = new BufferedImage(CELL, CELL, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int k = 0; k < cell.length; k++) {
            data[k] = (byte) Math.clamp(Math.round(255 * (cell[k] - lo) / Math.max(hi - lo, 1e-6f)), 0, 255);
        }
        return img;
    }

    private static float bilinear(Radiograph r, double x, double y) {
        x = Math.clamp(x, 0, r.columns() - 1.001);
        y = Math.clamp(y, 0, r.rows() - 1.001);
        int x0 = (int) x, y0 = (int) y;
        double fx = x - x0, fy = y - y0;
        double top = r.at(y0, x0) * (1 - fx) + r.at(y0, x0 + 1) * fx;
        double bottom = r.at(y0 + 1, x0) * (1 - fx) + r.at(y0 + 1, x0 + 1) * fx;
        return (float) (top * (1 - fy) + bottom * fy);
    }
}
