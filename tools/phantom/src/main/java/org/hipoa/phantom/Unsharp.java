package org.hipoa.phantom;

/**
 * Unsharp masking as CR consoles apply it to the log image: v += amount·(v − lowpass(v)). The low-pass is a Gaussian
 * of a few millimetres, computed on a 4× coarser image (box means) and interpolated back bilinearly, so it costs two
 * passes over the film instead of a wide full-resolution convolution.
 */
final class Unsharp {

    private Unsharp() {
    }

    private static final int F = 4;

    static void apply(float[] v, int rows, int cols, double sigmaPx, double amount) {
        int h = (rows + F - 1) / F, w = (cols + F - 1) / F;
        float[] small = new float[h * w];
        int[] n = new int[h * w];
        for (int i = 0; i < rows; i++) {
            int row = i * cols, srow = (i / F) * w;
            for (int j = 0; j < cols; j++) {
                small[srow + j / F] += v[row + j];
                n[srow + j / F]++;
            }
        }
        for (int k = 0; k < small.length; k++) small[k] /= n[k];
        Blur.gaussian(small, new float[small.length], h, w, sigmaPx / F);
        float a = (float) amount;
        float[] low = new float[cols];
        for (int i = 0; i < rows; i++) {
            // pixel i sits at coarse coordinate (i + 0.5)/F − 0.5, between coarse rows gi and gi + 1
            double gy = Math.max(0, Math.min(h - 1, (i + 0.5) / F - 0.5));
            int gi = Math.min((int) gy, h - 2 < 0 ? 0 : h - 2);
            float wy = (float) (h == 1 ? 0 : gy - gi);
            int r0 = gi * w, r1 = Math.min(h - 1, gi + 1) * w;
            for (int j = 0; j < cols; j++) {
                double gx = Math.max(0, Math.min(w - 1, (j + 0.5) / F - 0.5));
                int gj = Math.min((int) gx, Math.max(0, w - 2));
                float wx = (float) (w == 1 ? 0 : gx - gj);
                int gj1 = Math.min(w - 1, gj + 1);
                float top = small[r0 + gj] + wx * (small[r0 + gj1] - small[r0 + gj]);
                float bot = small[r1 + gj] + wx * (small[r1 + gj1] - small[r1 + gj]);
                low[j] = top + wy * (bot - top);
            }
            int row = i * cols;
            for (int j = 0; j < cols; j++) v[row + j] += a * (v[row + j] - low[j]);
        }
    }
}
