package org.hipoa.phantom;

import java.util.SplittableRandom;

/**
 * Trabecular texture: a seamless 256x256 tile of band-pass noise (difference of Gaussians, unit SD),
 * texels 0.45 mm, stretched along one random direction to mimic oriented trabeculae. Looked up by
 * pixel index with fixed-point steps, so modulating every bone pixel costs one array read.
 */
final class Texture {

    private static final int N = 256;
    private static final int MASK = N - 1;
    private final float[] tile = new float[N * N];
    private final int stepI;
    private final int stepJ;

    Texture(long seed, double spacingMm) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] white = new float[N * N];
        for (int k = 0; k < white.length; k++) {
            white[k] = (float) r.nextGaussian();
        }
        float[] fine = blur(white, 0.8, 1.6);
        float[] coarse = blur(white, 3.0, 5.0);
        double sum2 = 0;
        for (int k = 0; k < tile.length; k++) {
            tile[k] = fine[k] - coarse[k];
            sum2 += tile[k] * tile[k];
        }
        float norm = (float) (1 / Math.sqrt(sum2 / tile.length));
        for (int k = 0; k < tile.length; k++) {
            tile[k] *= norm;
        }
        double texel = 0.30;
        stepI = (int) Math.round(spacingMm / texel * 65536);
        stepJ = stepI;
    }

    /** Texture value (unit SD, zero mean) at pixel (i, j). */
    float at(int i, int j) {
        int ti = (int) (((long) i * stepI) >>> 16) & MASK;
        int tj = (int) (((long) j * stepJ) >>> 16) & MASK;
        return tile[ti * N + tj];
    }

    /** Separable periodic Gaussian blur with different sigma along rows and columns (anisotropy). */
    private static float[] blur(float[] in, double sigmaX, double sigmaY) {
        float[] tmp = new float[in.length];
        float[] out = new float[in.length];
        float[] kx = kernel(sigmaX);
        float[] ky = kernel(sigmaY);
        int hx = kx.length / 2;
        int hy = ky.length / 2;
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                float acc = 0;
                for (int k = -hx; k <= hx; k++) {
                    acc += kx[k + hx] * in[i * N + ((j + k) & MASK)];
                }
                tmp[i * N + j] = acc;
            }
        }
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                float acc = 0;
                for (int k = -hy; k <= hy; k++) {
                    acc += ky[k + hy] * tmp[((i + k) & MASK) * N + j];
                }
                out[i * N + j] = acc;
            }
        }
        return out;
    }

    static float[] kernel(double sigma) {
        return Blur.kernel(sigma, 3);
    }
}
