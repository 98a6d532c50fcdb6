package org.hipoa.core.crop;

import org.hipoa.core.dicom.Radiograph;

/**
 * Box-filtered bilinear sampling of a radiograph on an axis-aligned output grid given in millimetres.
 *
 * <p>Why hand-written: the Python training code must reproduce it exactly (crop contract), which rules out
 * library resamplers whose filters differ between Java2D, OpenCV and PIL. Each output pixel averages k × k
 * bilinear samples spread evenly over its footprint (k = ceil(footprint in source pixels)), which is what keeps a
 * 4× downsampling of a noisy film from aliasing.
 */
final class Resampler {
    private Resampler() {}

    /**
     * Samples {@code width × height} output pixels whose centres lie at x = x0 + (j + 0.5 - width/2) · stepMm · sx,
     * y = y0 + (i + 0.5 - height/2) · stepMm (mm, image coordinates); {@code sx = -1} mirrors left-right. Output
     * pixels whose centre falls outside the image get {@code outside} (NaN to clamp to the edge instead).
     */
    static float[] sample(Radiograph r, double x0Mm, double y0Mm, double stepMm, int width, int height, int sx,
                          float outside) {
        double colMm = r.spacing().columnMm(), rowMm = r.spacing().rowMm();
        int k = Math.max(1, (int) Math.ceil(stepMm / Math.min(colMm, rowMm) - 1e-9));
        float[] out = new float[width * height];
        for (int i = 0; i < height; i++) {
            double yc = y0Mm + (i + 0.5 - height / 2.0) * stepMm;
            for (int j = 0; j < width; j++) {
                double xc = x0Mm + (j + 0.5 - width / 2.0) * stepMm * sx;
                double px = xc / colMm, py = yc / rowMm;
                if (!Float.isNaN(outside) && (px < -0.5 || py < -0.5 || px > r.columns() - 0.5 || py > r.rows() - 0.5)) {
                    out[i * width + j] = outside;
                    continue;
                }
                double sum = 0;
                for (int a = 0; a < k; a++) {
                    double y = (yc + ((a + 0.5) / k - 0.5) * stepMm) / rowMm;
                    for (int b = 0; b < k; b++) {
                        double x = (xc + ((b + 0.5) / k - 0.5) * stepMm * sx) / colMm;
                        sum += bilinear(r, x, y);
                    }
                }
                out[i * width + j] = (float) (sum / (k * k));
            }
        }
        return out;
    }

    static float bilinear(Radiograph r, double x, double y) {
        x = Math.clamp(x, 0, r.columns() - 1);
        y = Math.clamp(y, 0, r.rows() - 1);
        int x0 = Math.min((int) x, r.columns() - 2), y0 = Math.min((int) y, r.rows() - 2);
        double fx = x - x0, fy = y - y0;
        float[] p = r.pixels();
        int w = r.columns(), at = y0 * w + x0;
        double top = p[at] * (1 - fx) + p[at + 1] * fx;
        double bottom = p[at + w] * (1 - fx) + p[at + w + 1] * fx;
        return (float) (top * (1 - fy) + bottom * fy);
    }
}
