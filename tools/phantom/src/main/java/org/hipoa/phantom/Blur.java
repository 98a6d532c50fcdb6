package org.hipoa.phantom;

/**
 * Separable Gaussian blur with clamped edges. The inner loops run over contiguous rows with the tap
 * loop outside, which the JIT vectorises; this is the dominant cost of a render after the anatomy.
 */
final class Blur {

    private Blur() {
    }

    /** Normalised Gaussian taps out to 2.5 sigma (the truncated tail is < 1.3 % of the weight). */
    static float[] kernel(double sigma) {
        return kernel(sigma, 2.5);
    }

    /** Normalised Gaussian taps out to {@code extent} sigma. */
    static float[] kernel(double sigma, double extent) {
        int h = Math.max(1, (int) Math.ceil(extent * sigma));
        float[] k = new float[2 * h + 1];
        double sum = 0;
        for (int i = -h; i <= h; i++) {
            k[i + h] = (float) Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += k[i + h];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= (float) sum;
        }
        return k;
    }

    /** Blurs data (rows x cols) in place with sigma in pixels; tmp is scratch of at least the same size. */
    static void gaussian(float[] data, float[] tmp, int rows, int cols, double sigma) {
        if (sigma < 0.05) {
            return;
        }
        float[] k = kernel(sigma);
        int h = k.length / 2;
        // Horizontal pass: data -> tmp. Interior by the vectorisable tap-outer loop, edges clamped.
        for (int i = 0; i < rows; i++) {
            int row = i * cols;
            java.util.Arrays.fill(tmp, row, row + cols, 0f);
            for (int t = -h; t <= h; t++) {
                float w = k[t + h];
                int jStart = Math.max(0, -t);
                int jEnd = Math.min(cols, cols - t);
                for (int j = jStart; j < jEnd; j++) {
                    tmp[row + j] += w * data[row + j + t];
                }
                for (int j = 0; j < jStart; j++) {
                    tmp[row + j] += w * data[row];
                }
                for (int j = jEnd; j < cols; j++) {
                    tmp[row + j] += w * data[row + cols - 1];
                }
            }
        }
        // Vertical pass: tmp -> data, one output row at a time, symmetric taps paired.
        float wc = k[h];
        for (int i = 0; i < rows; i++) {
            int out = i * cols;
            for (int j = 0; j < cols; j++) {
                data[out + j] = wc * tmp[out + j];
            }
            for (int t = 1; t <= h; t++) {
                float w = k[h + t];
                int a = Math.max(0, i - t) * cols;
                int b = Math.min(rows - 1, i + t) * cols;
                for (int j = 0; j < cols; j++) {
                    data[out + j] += w * (tmp[a + j] + tmp[b + j]);
                }
            }
        }
    }
}
