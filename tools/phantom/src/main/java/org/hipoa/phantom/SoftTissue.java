package org.hipoa.phantom;

import java.util.SplittableRandom;

/**
 * Soft tissue: the trunk as an elliptic cylinder (muscle core inside a subcutaneous fat layer) that
 * narrows above the iliac crests and splits into two thighs below the perineum, plus a few bowel gas
 * pockets. Computed row by row over the whole film (the one full-frame primitive).
 */
final class SoftTissue {

    private SoftTissue() {
    }

    private static final int STEP = 4;

    static void draw(Raster r, PhantomCase c) {
        double size = c.num("sizeFactor");
        double ox = (c.right().centerXmm() + c.left().centerXmm()) / 2;
        double oy = (c.right().centerYmm() + c.left().centerYmm()) / 2;
        double half = (c.left().centerXmm() - c.right().centerXmm()) / 2;
        double w0 = c.num("bodyWidthMm");
        double depthRatio = c.num("bodyDepthRatio");
        double fat = c.num("fatMm");
        double crotch = oy + 78 * size;
        double thighW = 0.56 * w0;
        double thighD = 0.80 * w0 * depthRatio;
        double thighOff = half + 4 * size;
        float[] line = new float[r.cols];
        double lastWaist = -1;
        double lastSplit = -1;
        for (int i = 0; i < r.rows; i++) {
            double y = i * r.s;
            double waist = 1 - 0.10 * Raster.smooth(oy - 110 * size, oy - 200 * size, y);
            double bw = w0 * waist;
            double bd = bw * depthRatio;
            double split = Raster.smooth(crotch - 45 * size, crotch + 20 * size, y);
            boolean same = waist == lastWaist && split == lastSplit;   // most rows: reuse the profile
            lastWaist = waist;
            lastSplit = split;
            // Evaluated every STEP columns and interpolated: the profile is smooth on a 0.5 mm scale.
            for (int j = 0; j < r.cols && !same; j += STEP) {
                double x = j * r.s;
                double body = layered(x - ox, bw / 2, bd / 2, fat);
                double t = body;
                if (split > 0) {
                    double th = Math.max(layered(x - ox + thighOff, thighW / 2, thighD / 2, fat * 0.8),
                            layered(x - ox - thighOff, thighW / 2, thighD / 2, fat * 0.8));
                    t = (1 - split) * body + split * th;
                }
                line[j] = (float) t;
                int prev = j - STEP;
                if (prev >= 0) {
                    for (int q = 1; q < STEP; q++) {
                        line[prev + q] = line[prev] + (line[j] - line[prev]) * q / STEP;
                    }
                }
            }
            for (int j = (r.cols - 1) / STEP * STEP + 1; j < r.cols && !same; j++) {
                line[j] = line[j - 1];
            }
            int row = i * r.cols;
            for (int j = 0; j < r.cols; j++) {
                r.att[row + j] += line[j];
            }
        }
        drawGas(r, c, ox, oy, size);
    }

    /** Line integral through an elliptic cylinder (semi-axes a wide, b deep) with a fat layer. */
    private static double layered(double dx, double a, double b, double fat) {
        double q = dx / a;
        if (q * q >= 1) {
            return 0;
        }
        double outer = 2 * b * Math.sqrt(1 - q * q);
        double ai = a - fat;
        double bi = b - fat;
        double inner = 0;
        double qi = dx / ai;
        if (ai > 0 && qi * qi < 1) {
            inner = 2 * bi * Math.sqrt(1 - qi * qi);
        }
        return Mu.MUSCLE * inner + Mu.FAT * (outer - inner);
    }

    /** Bowel gas: a few low-attenuation ellipsoids in the lower abdomen/pelvis. */
    private static void drawGas(Raster r, PhantomCase c, double ox, double oy, double size) {
        int n = (int) c.num("gasPockets");
        SplittableRandom g = new SplittableRandom((long) c.num("textureSeed") * 31 + 7);
        for (int k = 0; k < n; k++) {
            double x = ox + (g.nextDouble() * 2 - 1) * 85 * size;
            double y = oy - (40 + g.nextDouble() * 110) * size;
            double a = (5 + g.nextDouble() * 14) * size;
            double b = a * (0.5 + 0.5 * g.nextDouble());
            double depth = 4 + g.nextDouble() * 12;
            Direct.addEllipsoid(r, x, y, a, b, g.nextDouble() * Math.PI, depth, Mu.GAS);
        }
    }
}
