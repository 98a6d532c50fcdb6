package org.hipoa.core.crop;

import org.hipoa.dicom.Radiograph;

import java.util.stream.IntStream;

/**
 * Box-filtered bilinear sampling of a radiograph on an axis-aligned output grid given in millimetres.
 *
 * <p>Why hand-written: the Python training code must reproduce it exactly (crop contract), which rules out
 * library resamplers whose filters differ between Java2D, OpenCV and PIL. Each output pixel averages k × k
 * bilinear samples spread evenly over its footprint (k = ceil(footprint in source pixels)), which is what keeps a
 * 4× downsampling of a noisy film from aliasing.
 *
 * <p>Why separable: the k sample positions along x depend only on the output column and those along y only on the
 * output row, the clamping is per axis, and a bilinear sample is the product of a weight along x and one along y.
 * So the k × k average is exactly {@code out = Wy · P · Wxᵀ}, with one short row of weights per output row and per
 * output column (about footprint + 1 source pixels). Precomputing those and applying them as two passes (rows of
 * the source first, contiguous in memory, then columns) costs about one multiply-add per source pixel instead of
 * 4 k² per output pixel (k = 14 for the localiser canvas of a 0.14 mm film): 48 → a few ms. It differs from
 * summing k² float-rounded bilinear samples only by that rounding (relative 1e-7), far inside the float16
 * tolerance of the Java/Python parity tests.
 */
final class Resampler {
    private Resampler() {}

    /**
     * The weights of one axis: output index o reads source indices {@code start[o] .. start[o] + width - 1} with
     * weights {@code w[o * width ..]} (already divided by k); {@code outside[o]} when the output centre is off the
     * image.
     */
    private record Axis(int[] start, int width, double[] w, boolean[] outside, int lo, int hi) {}

    /**
     * Output centres at c = c0 + (o + 0.5 - n/2) · step · dir (mm), k samples at c + ((s + 0.5)/k - 0.5) · step ·
     * dir, each split between two source pixels as {@link #bilinear} does; every expression is written as in the
     * per-pixel form so the sample positions are the same doubles.
     */
    private static Axis axis(double c0Mm, double stepMm, int n, int dir, double srcMm, int srcN, int k) {
        int[] first = new int[n], last = new int[n];
        int width = 1;
        for (int o = 0; o < n; o++) {
            double c = c0Mm + (o + 0.5 - n / 2.0) * stepMm * dir;
            int a = Integer.MAX_VALUE, b = Integer.MIN_VALUE;
            for (int s = 0; s < k; s++) {
                int i0 = cell((c + ((s + 0.5) / k - 0.5) * stepMm * dir) / srcMm, srcN);
                a = Math.min(a, i0);
                b = Math.max(b, Math.min(i0 + 1, srcN - 1));
            }
            first[o] = a;
            last[o] = b;
            width = Math.max(width, b - a + 1);
        }
        double[] w = new double[n * width];
        boolean[] outside = new boolean[n];
        int lo = Integer.MAX_VALUE, hi = Integer.MIN_VALUE;
        for (int o = 0; o < n; o++) {
            double c = c0Mm + (o + 0.5 - n / 2.0) * stepMm * dir;
            double centre = c / srcMm;
            outside[o] = centre < -0.5 || centre > srcN - 0.5;
            // Start so that the window stays inside the source; it is wide enough for the footprint by construction.
            int start = Math.min(first[o], Math.max(0, srcN - width));
            first[o] = start;
            lo = Math.min(lo, start);
            hi = Math.max(hi, Math.min(start + width, srcN));
            for (int s = 0; s < k; s++) {
                double x = Math.clamp((c + ((s + 0.5) / k - 0.5) * stepMm * dir) / srcMm, 0, srcN - 1);
                if (srcN == 1) {
                    w[o * width] += 1.0 / k;
                    continue;
                }
                int i0 = Math.min((int) x, srcN - 2);
                double f = x - i0;
                w[o * width + i0 - start] += (1 - f) / k;
                w[o * width + i0 + 1 - start] += f / k;
            }
        }
        return new Axis(first, width, w, outside, lo, hi);
    }

    /** The left neighbour {@link #bilinear} uses for source coordinate x. */
    private static int cell(double x, int srcN) {
        return Math.max(0, Math.min((int) Math.clamp(x, 0, srcN - 1), srcN - 2));
    }

    /**
     * Samples {@code width × height} output pixels whose centres lie at x = x0 + (j + 0.5 - width/2) · stepMm · sx,
     * y = y0 + (i + 0.5 - height/2) · stepMm (mm, image coordinates); {@code sx = -1} mirrors left-right. Output
     * pixels whose centre falls outside the image get {@code outside} (NaN to clamp to the edge instead).
     */
    static float[] sample(Radiograph r, double x0Mm, double y0Mm, double stepMm, int width, int height, int sx,
                          float outside) {
        double colMm = r.spacing().columnMm(), rowMm = r.spacing().rowMm();
        int k = Math.max(1, (int) Math.ceil(stepMm / Math.min(colMm, rowMm) - 1e-9));
        int cols = r.columns(), rows = r.rows();
        Axis ax = axis(x0Mm, stepMm, width, sx, colMm, cols, k);
        Axis ay = axis(y0Mm, stepMm, height, 1, rowMm, rows, k);
        float[] out = new float[width * height];
        // Output rows are independent: a large resampling (the localiser canvas reads the whole film) is split
        // between the cores, a crop's small one is not. Each row is computed alike whatever the split.
        long work = (long) (ax.hi() - ax.lo()) * ay.width() * height;
        int parts = work < PARALLEL_FROM ? 1 : Math.min(height, Runtime.getRuntime().availableProcessors());
        IntStream.range(0, parts).parallel().forEach(part ->
                rows(r, ax, ay, width, outside, out, height * part / parts, height * (part + 1) / parts));
        return out;
    }

    /** Below this many multiply-adds the split costs more than it saves. */
    static final long PARALLEL_FROM = 1 << 21;

    private static void rows(Radiograph r, Axis ax, Axis ay, int width, float outside, float[] out, int from, int to) {
        boolean markOutside = !Float.isNaN(outside);
        float[] p = r.pixels();
        int cols = r.columns();
        int span = ax.hi() - ax.lo(), wx = ax.width(), wy = ay.width();
        double[] line = new double[span];
        for (int i = from; i < to; i++) {
            if (markOutside && ay.outside()[i]) {
                java.util.Arrays.fill(out, i * width, (i + 1) * width, outside);
                continue;
            }
            // Pass 1: this output row's weighted sum of source rows, over the columns any output column reads.
            java.util.Arrays.fill(line, 0);
            for (int t = 0; t < wy; t++) {
                double w = ay.w()[i * wy + t];
                if (w == 0) continue;
                int base = (ay.start()[i] + t) * cols + ax.lo();
                for (int c = 0; c < span; c++) line[c] += w * p[base + c];
            }
            // Pass 2: each output column's weighted sum along that line.
            for (int j = 0; j < width; j++) {
                if (markOutside && ax.outside()[j]) {
                    out[i * width + j] = outside;
                    continue;
                }
                int base = ax.start()[j] - ax.lo(), at = j * wx;
                double sum = 0;
                for (int t = 0; t < wx; t++) sum += ax.w()[at + t] * line[base + t];
                out[i * width + j] = (float) sum;
            }
        }
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
