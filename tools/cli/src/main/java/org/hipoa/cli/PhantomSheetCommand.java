package org.hipoa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.domain.Side;
import org.hipoa.core.crop.CropContract;
import org.hipoa.domain.Feature;
import org.hipoa.domain.HipCrop;
import org.hipoa.core.crop.HipCropper;
import org.hipoa.domain.Outcome;
import org.hipoa.dicom.Radiograph;
import org.hipoa.dicom.RadiographDecoder;

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
 * through the product's own decoder and crop contract: each cell is exactly what the grader is given.
 */
final class PhantomSheetCommand {
    private PhantomSheetCommand() {}

    private static final String[] FEATURES = java.util.Arrays.stream(Feature.values()).map(Feature::key)
            .toArray(String[]::new);
    private static final int PER_GRADE = 3, CELL = 168, GAP = 6, HEADER = 22, LEFT = 120;
    private static final HipCropper CROPPER = new HipCropper(CropContract.bundled());

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
        return decoder.decode(p) instanceof Outcome.Ok<Radiograph> d ? d.value() : null;
    }

    /**
     * The grader's own input for this hip (crop contract: size, mirroring, normalisation), shown at CELL px. The
     * contract maps the crop's 1st/99th percentiles to -2/+2, which become black/white here.
     */
    private static BufferedImage crop(Radiograph r, Hip hip) {
        Side side = hip.side().equals("left") ? Side.LEFT : Side.RIGHT;
        HipCrop crop = CROPPER.crop(r, side, hip.truth().get("centerMm").get(0).asDouble(),
                hip.truth().get("centerMm").get(1).asDouble());
        BufferedImage img = new BufferedImage(crop.size(), crop.size(), BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int k = 0; k < data.length; k++) {
            data[k] = (byte) Math.clamp(Math.round(255 * (crop.pixels()[k] + 2) / 4), 0, 255);
        }
        BufferedImage cell = new BufferedImage(CELL, CELL, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = cell.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, CELL, CELL, null);
        g.dispose();
        return cell;
    }
}
