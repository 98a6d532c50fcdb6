package org.hipoa.phantom;

import java.util.SplittableRandom;

/**
 * Image formation from the attenuation map: collimator shutters, primary fluence with anode heel,
 * focal-spot/detector blur, scatter (SPR x a heavily low-passed primary), quantum + electronic noise,
 * log transform, the dynamic-range compression DR consoles apply, and a linear map onto the stored
 * bit depth. Everything smooth (scatter, compression) lives on a 1/16 grid and is interpolated
 * bilinearly; the per-pixel work is one fused pass after the blur.
 */
final class Exposure {

    private Exposure() {
    }

    /** Added to the log signal outside the field: enough to clamp it to the top stored value. */
    private static final float SHUTTER_PAINT = 50f;

    /** Smooth fields are computed on a grid this many pixels coarser per axis. */
    static final int STEP = 16;

    /** How open the shutters are at coordinate x between field edges lo and hi (1.5 mm penumbra). */
    private static double open(double lo, double hi, double x) {
        return Raster.smooth(lo - 0.75, lo + 0.75, x) * Raster.smooth(hi + 0.75, hi - 0.75, x);
    }

    /** Exposed field {left, top, right, bottom} in mm. */
    static double[] field(PhantomCase c) {
        return new double[] {
            c.num("collimationLeftMm"),
            c.num("collimationTopMm"),
            c.widthMm() - c.num("collimationRightMm"),
            c.heightMm() - c.num("collimationBottomMm"),
        };
    }

    /**
     * Turns att (destroyed; reused as the fluence and then the log-signal buffer) into stored values.
     * tmp is zeroed scratch of the same size. noise=false skips the noise draw (measurement tests).
     */
    static short[] expose(float[] att, float[] tmp, PhantomCase c, SplittableRandom rng, boolean noise) {
        return expose(att, tmp, c, rng, noise, null);
    }

    /**
     * As above; metal (null when the film has none) marks pixels behind hardware, which are painted to the top value
     * like the shutters and left out of the auto-ranging. Phantom v2's external site adds its console's unsharp
     * masking and sigmoid look-up table (v1 cases have neither parameter).
     */
    static short[] expose(float[] att, float[] tmp, PhantomCase c, SplittableRandom rng, boolean noise, boolean[] metal) {
        int rows = c.rows();
        int cols = c.columns();
        double s = c.pixelSpacingMm();
        double i0 = c.num("i0");
        float[] p = att;
        // Coarse means of the primary and of the scatter source, gathered in the same pass (the blur
        // below is far too small to matter on a 16-pixel grid).
        Grid box = Grid.empty(rows, cols);
        Grid source = Grid.empty(rows, cols);
        primary(p, c, rows, cols, s, i0, box, source);
        Blur.gaussian(p, tmp, rows, cols, c.num("blurSigmaMm") / s);

        // Coarse fields: scatter = SPR x low-passed primary; compression = low-passed log signal.
        Grid scatter = source;
        scatter.blur(c.num("scatterSigmaMm") / (s * STEP));
        scatter.scale((float) c.num("spr"));
        Grid low = box.copy();
        for (int k = 0; k < low.v.length; k++) {
            low.v[k] = (float) Math.log(i0 / Math.max(1.0, box.v[k] + scatter.v[k]));
        }
        low.blur(c.num("equalizationSigmaMm") / (s * STEP));
        low.scale((float) c.num("equalizationStrength"));

        float e2 = (float) (c.num("electronicNoise") * c.num("electronicNoise"));
        float lnI0 = (float) Math.log(i0);
        // Electronic shuttering, as DR consoles do: outside the field the physics leaves some scatter,
        // the console then paints it bright. Pushing v far up makes it clamp to the top value.
        double[] f = field(c);
        float[] outX = new float[cols];
        for (int j = 0; j < cols; j++) {
            outX[j] = (float) open(f[0], f[2], j * s);
        }
        float[] scRow = new float[cols];
        float[] loRow = new float[cols];
        boolean unsharp = c.params().containsKey("unsharpAmount");
        // With unsharp masking the shutter paint comes after it, so the mask does not smear the field edges.
        float paint = unsharp ? 0f : SHUTTER_PAINT;
        for (int i = 0; i < rows; i++) {
            int row = i * cols;
            float inY = (float) open(f[1], f[3], i * s);
            scatter.interpolateRow(i, scRow);
            low.interpolateRow(i, loRow);
            for (int j = 0; j < cols; j++) {
                float lo = loRow[j];
                float d = p[row + j] + scRow[j];
                if (noise) {
                    d += (float) Math.sqrt(d + e2) * gauss(rng);
                }
                if (d < 1f) {
                    d = 1f;
                }
                p[row + j] = lnI0 - FastMath.log(d) - lo + paint * (1 - inY * outX[j]);
            }
        }
        if (unsharp) {
            Unsharp.apply(p, rows, cols, c.num("unsharpSigmaMm") / s, c.num("unsharpAmount"));
            for (int i = 0; i < rows; i++) {
                float inY = (float) open(f[1], f[3], i * s);
                int row = i * cols;
                for (int j = 0; j < cols; j++) p[row + j] += SHUTTER_PAINT * (1 - inY * outX[j]);
            }
        }
        if (metal != null) {
            for (int k = 0; k < p.length; k++) if (metal[k]) p[k] += SHUTTER_PAINT;
        }
        short[] out = quantise(p, c, metal);
        if (c.params().containsKey("lutSlope")) sigmoid(out, c.maxValue(), c.num("lutSlope"), c.num("lutCentre"));
        return out;
    }

    /**
     * Fluence behind the patient: heel-modulated I0 x exp(-(A + shutter)), shutters with 1.5 mm
     * penumbra. Accumulates the coarse scatter source, P x (1 - exp(-A)): scatter arises where the beam
     * interacts, so the direct beam beside the patient (and a lead marker there) gets little of it,
     * while under the body scatter/primary tends to SPR. Fills box with the coarse mean of P.
     */
    private static void primary(float[] a, PhantomCase c, int rows, int cols, double s, double i0,
                                Grid box, Grid src) {
        float[] g = src.v;
        float[] b = box.v;
        double[] f = field(c);
        float[] inX = new float[cols];
        float[] heel = new float[cols];
        double heelGain = c.num("heelGain");
        for (int j = 0; j < cols; j++) {
            double x = j * s;
            inX[j] = (float) open(f[0], f[2], x);
            heel[j] = (float) (i0 * (1 + heelGain * (2 * x / c.widthMm() - 1)));
        }
        if (c.params().containsKey("gridDepth")) {
            // A stationary grid's lead strips, sampled at the detector's pitch: they alias into coarse line patterns.
            double pitch = c.num("detectorSpacingMm") * c.num("gridLinesPerMm");
            double depth = c.num("gridDepth");
            for (int j = 0; j < cols; j++) {
                heel[j] *= (float) (1 - depth * (0.5 + 0.5 * Math.cos(2 * Math.PI * pitch * j)));
            }
        }
        float shutter = (float) Mu.SHUTTER_LINE_INTEGRAL;
        for (int i = 0; i < rows; i++) {
            double y = i * s;
            float fy = (float) open(f[1], f[3], y);
            int row = i * cols;
            int base = (i / STEP) * src.w;
            for (int j = 0; j < cols; j++) {
                float ea = FastMath.expNeg(a[row + j]);
                float open = fy * inX[j];
                float p = heel[j] * ea * (open == 1f ? 1f : FastMath.expNeg(shutter * (1 - open)));
                a[row + j] = p;
                int k = base + j / STEP;
                g[k] += p * (1 - ea);
                b[k] += p;
            }
        }
        src.finishAverage(rows, cols);
        box.finishAverage(rows, cols);
    }

    /** Maps v linearly so its 0.05th..99.95th percentiles inside the exposed field fill 2 %..98 % of the range. */
    private static short[] quantise(float[] v, PhantomCase c, boolean[] metal) {
        // Auto-ranging over the exposed field only: the shutter region then clamps to the top (bright).
        double[] f = field(c);
        double s = c.pixelSpacingMm();
        int cols = c.columns();
        // 2 mm inside the field edge, clear of the penumbra that electronic shuttering paints bright
        int ci0 = (int) Math.ceil((f[1] + 2) / s);
        int ci1 = Math.min(c.rows() - 1, (int) Math.floor((f[3] - 2) / s));
        int cj0 = (int) Math.ceil((f[0] + 2) / s);
        int cj1 = Math.min(cols - 1, (int) Math.floor((f[2] - 2) / s));
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (int i = ci0; i <= ci1; i += 3) {
            for (int j = cj0; j <= cj1; j += 3) {
                if (metal != null && metal[i * cols + j]) {
                    continue;
                }
                lo = Math.min(lo, v[i * cols + j]);
                hi = Math.max(hi, v[i * cols + j]);
            }
        }
        int bins = 4096;
        int[] hist = new int[bins];
        float scale = (bins - 1) / Math.max(1e-6f, hi - lo);
        int n = 0;
        for (int i = ci0; i <= ci1; i += 3) {
            for (int j = cj0; j <= cj1; j += 3) {
                if (metal != null && metal[i * cols + j]) {
                    continue;
                }
                hist[(int) ((v[i * cols + j] - lo) * scale)]++;
                n++;
            }
        }
        float pLo = lo + percentileBin(hist, n, 0.0005) / scale;
        float pHi = lo + (percentileBin(hist, n, 0.9995) + 1) / scale;
        int max = c.maxValue();
        float gain = 0.96f * max / Math.max(1e-6f, pHi - pLo);
        float off = 0.02f * max;
        short[] out = new short[v.length];
        for (int k = 0; k < v.length; k++) {
            int val = (int) (off + (v[k] - pLo) * gain + 0.5f);
            out[k] = (short) (val < 0 ? 0 : (val > max ? max : val));
        }
        return out;
    }

    /**
     * A console's sigmoid look-up table on the stored values: steeper in the middle grey than at the ends, so local
     * contrast depends on brightness (a linear window change would cancel in the crops' percentile scaling).
     */
    private static void sigmoid(short[] out, int max, double slope, double centre) {
        double lo = 1 / (1 + Math.exp(slope * centre)), hi = 1 / (1 + Math.exp(-slope * (1 - centre)));
        short[] lut = new short[max + 1];
        for (int v = 0; v <= max; v++) {
            double y = 1 / (1 + Math.exp(-slope * ((double) v / max - centre)));
            lut[v] = (short) Math.round(max * (y - lo) / (hi - lo));
        }
        for (int k = 0; k < out.length; k++) out[k] = lut[out[k] & 0xFFFF];
    }

    private static int percentileBin(int[] hist, int n, double p) {
        long target = (long) Math.ceil(p * n);
        long acc = 0;
        for (int b = 0; b < hist.length; b++) {
            acc += hist[b];
            if (acc >= target) {
                return b;
            }
        }
        return hist.length - 1;
    }

    /** Approximately standard normal: sum of four 16-bit uniforms from one 64-bit draw (Irwin-Hall). */
    static float gauss(SplittableRandom r) {
        long b = r.nextLong();
        long sum = (b & 0xFFFF) + ((b >>> 16) & 0xFFFF) + ((b >>> 32) & 0xFFFF) + (b >>> 48);
        return (sum - 131070f) * (1f / 37837.2f);
    }

    /** A coarse (1/STEP) grid with one extra row and column so bilinear lookups never leave it. */
    static final class Grid {
        final int w;
        final int h;
        final float[] v;

        private Grid(int w, int h, float[] v) {
            this.w = w;
            this.h = h;
            this.v = v;
        }

        /** A zero grid covering a rows x cols image. */
        static Grid empty(int rows, int cols) {
            int gh = (rows + STEP - 1) / STEP + 1;
            int gw = (cols + STEP - 1) / STEP + 1;
            return new Grid(gw, gh, new float[gh * gw]);
        }

        /** Turns per-cell sums into means; cells past the image edge copy their inner neighbour. */
        void finishAverage(int rows, int cols) {
            float[] g = v;
            int gh = h;
            int gw = w;
            int lastI = (rows - 1) / STEP;
            int lastJ = (cols - 1) / STEP;
            for (int gi = 0; gi < gh; gi++) {
                for (int gj = 0; gj < gw; gj++) {
                    int ii = Math.min(gi, lastI);
                    int jj = Math.min(gj, lastJ);
                    int n = (Math.min(rows, (ii + 1) * STEP) - ii * STEP)
                            * (Math.min(cols, (jj + 1) * STEP) - jj * STEP);
                    // cells past the edge copy their inner neighbour (filled in row-major order)
                    g[gi * gw + gj] = (gi == ii && gj == jj) ? g[gi * gw + gj] / n : g[ii * gw + jj];
                }
            }
        }

        /** Bilinear interpolation of full-resolution row i into out (pixel i maps to grid i/STEP). */
        void interpolateRow(int i, float[] out) {
            float gy = (float) i / STEP;
            int gi = (int) gy;
            float wy = gy - gi;
            int r0 = gi * w;
            int r1 = r0 + w;
            for (int j = 0; j < out.length; j++) {
                int gj = j / STEP;
                float wx = (j - gj * STEP) * (1f / STEP);
                float a = v[r0 + gj] + wy * (v[r1 + gj] - v[r0 + gj]);
                float b = v[r0 + gj + 1] + wy * (v[r1 + gj + 1] - v[r0 + gj + 1]);
                out[j] = a + wx * (b - a);
            }
        }

        Grid copy() {
            return new Grid(w, h, v.clone());
        }

        void blur(double sigma) {
            Blur.gaussian(v, new float[v.length], h, w, sigma);
        }

        void scale(float f) {
            for (int k = 0; k < v.length; k++) {
                v[k] *= f;
            }
        }
    }
}
