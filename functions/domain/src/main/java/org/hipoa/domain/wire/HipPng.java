package org.hipoa.domain.wire;

import org.hipoa.domain.HipCrop;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A hip crop as a person can look at it: the grader's input, 8-bit grey PNG, same size and orientation (the left hip
 * stays mirrored into right orientation, as the grader saw it). The crop contract normalises to (v − 0.5) / 0.25
 * after scaling the 1st–99th percentile to 0–1, so undoing that and clipping to 0–1 is the display window: the same
 * percentiles the grader's scaling used, nothing chosen after the fact. The float crops in the work bucket expire;
 * these small files are what lasts beside a result.
 */
public final class HipPng {
    /** The crop contract's normalisation (crop-contract.json): x = (v − MEAN) / STD. */
    private static final float MEAN = 0.5f;
    private static final float STD = 0.25f;

    private HipPng() {}

    public static byte[] encode(HipCrop crop) {
        int n = crop.size();
        BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = img.getRaster();
        int[] row = new int[n];
        float[] px = crop.pixels();
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                float v = px[y * n + x] * STD + MEAN;
                // NaN (never expected from the cropper) shows as black rather than failing a finished grade.
                row[x] = v > 0f ? Math.min(255, Math.round(v * 255f)) : 0;
            }
            raster.setPixels(0, y, n, 1, row);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(n * n / 2);
        try {
            if (!ImageIO.write(img, "png", out)) throw new IllegalStateException("no PNG writer in this JDK");
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory stream does not fail
        }
        return out.toByteArray();
    }
}
