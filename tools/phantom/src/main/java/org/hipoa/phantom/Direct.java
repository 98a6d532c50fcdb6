package org.hipoa.phantom;

/**
 * Primitives added straight to the attenuation map rather than max-combined into a bone group:
 * lucencies and gas (negative mu), and thin dense ridges (cortical lines seen edge-on, osteophyte
 * beaks) that must stay visible where they cross bulkier bone.
 */
final class Direct {

    private Direct() {
    }

    /**
     * A solid ridge along a polyline (elliptic cross-section, radius per vertex), mu * chord added
     * straight to the attenuation. Inner joints draw no caps (no double counting), so the polyline
     * is first smoothed (Catmull-Rom, 8 sub-segments per span) to keep its bends gentle.
     */
    static void ridge(Raster r, double[] xs, double[] ys, double[] radii, double depthRatio, double mu) {
        int n = xs.length;
        int sub = 8;
        int m = (n - 1) * sub + 1;
        double[] sx = new double[m];
        double[] sy = new double[m];
        double[] sr = new double[m];
        for (int k = 0; k < n - 1; k++) {
            int a = Math.max(0, k - 1);
            int d = Math.min(n - 1, k + 2);
            for (int q = 0; q < sub; q++) {
                double t = (double) q / sub;
                sx[k * sub + q] = catmullRom(xs[a], xs[k], xs[k + 1], xs[d], t);
                sy[k * sub + q] = catmullRom(ys[a], ys[k], ys[k + 1], ys[d], t);
                sr[k * sub + q] = radii[k] + (radii[k + 1] - radii[k]) * t;
            }
        }
        sx[m - 1] = xs[n - 1];
        sy[m - 1] = ys[n - 1];
        sr[m - 1] = radii[n - 1];
        r.tube(sx, sy, sr, depthRatio, 0, true, mu);
    }

    private static double catmullRom(double p0, double p1, double p2, double p3, double t) {
        return 0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t * t
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t * t * t);
    }

    /** Directly adds mu * chord of a sphere (negative mu: a lucency such as a cyst or gas). */
    static void addSphere(Raster r, double cx, double cy, double radius, double mu) {
        addEllipsoid(r, cx, cy, radius, radius, 0, radius, mu);
    }

    /** Directly adds mu * chord of an ellipsoid (no cortex, no group). */
    static void addEllipsoid(Raster r, double cx, double cy, double a, double b, double angle, double c, double mu) {
        double ca = Math.cos(angle);
        double sa = Math.sin(angle);
        double ex = Math.sqrt(a * a * ca * ca + b * b * sa * sa);
        double ey = Math.sqrt(a * a * sa * sa + b * b * ca * ca);
        int j0 = r.col0(cx - ex);
        int j1 = r.col1(cx + ex);
        int i0 = r.row0(cy - ey);
        int i1 = r.row1(cy + ey);
        double ia2 = 1 / (a * a);
        double ib2 = 1 / (b * b);
        for (int i = i0; i <= i1; i++) {
            double dy = i * r.s - cy;
            int row = i * r.cols;
            for (int j = j0; j <= j1; j++) {
                double dx = j * r.s - cx;
                double u = dx * ca + dy * sa;
                double v = -dx * sa + dy * ca;
                double q = u * u * ia2 + v * v * ib2;
                if (q < 1) {
                    r.att[row + j] += (float) (mu * 2 * c * Math.sqrt(1 - q));
                }
            }
        }
    }
}
