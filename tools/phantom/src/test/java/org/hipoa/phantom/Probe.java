package org.hipoa.phantom;

import org.hipoa.domain.Side;

/** Measurements on stored pixel values, in patient-plane mm, for the renderer tests. */
final class Probe {

    private Probe() {
    }

    /** Bilinear sample at (x, y) mm. */
    static double at(RenderedFilm f, double x, double y) {
        double s = f.phantomCase().pixelSpacingMm();
        double cx = x / s;
        double cy = y / s;
        int j = (int) Math.floor(cx);
        int i = (int) Math.floor(cy);
        double wx = cx - j;
        double wy = cy - i;
        return (1 - wy) * ((1 - wx) * f.value(i, j) + wx * f.value(i, j + 1))
                + wy * ((1 - wx) * f.value(i + 1, j) + wx * f.value(i + 1, j + 1));
    }

    private static double sign(HipTruth h, RenderedFilm f) {
        return h == f.phantomCase().right() ? -1 : 1;
    }

    /**
     * Minimum superior joint-space width: along rays from the head centre every 2 deg over the
     * superior/superolateral sector (vertical up to 5 deg short of the lateral sourcil margin, i.e.
     * the CE angle), the distance from the head contour (steepest fall of intensity near R) to the
     * sourcil's lower edge (where the profile climbs half-way from the gap's minimum to the sourcil's
     * peak). Each profile averages three rays 1 deg apart so trabecular texture does not steer it.
     */
    static double minSuperiorJsw(RenderedFilm f, HipTruth h) {
        PhantomCase c = f.phantomCase();
        double ce = c.num(PhantomRenderer.key(h == c.right() ? Side.RIGHT : Side.LEFT) + "ceAngleDeg");
        double best = Double.MAX_VALUE;
        for (double th = 0; th <= ce - 5; th += 2) {
            best = Math.min(best, jswAt(f, h, th));
        }
        return best;
    }

    /** Joint-space width measured along the ray at theta (deg lateral of vertical). */
    static double jswAt(RenderedFilm f, HipTruth h, double thetaDeg) {
        double sgn = sign(h, f);
        double step = 0.05;
        double big = h.headRadiusMm();
        double r0 = big - 3;
        int n = (int) ((h.normalJswMm() + 7) / step);
        double[] p = new double[n];
        for (int k = 0; k < n; k++) {
            double r = r0 + k * step;
            for (int d = -1; d <= 1; d++) {
                double t = Math.toRadians(thetaDeg + d);
                p[k] += at(f, h.centerXmm() + sgn * r * Math.sin(t), h.centerYmm() - r * Math.cos(t)) / 3;
            }
        }
        p = smooth(p, 2);
        int head = -1;
        double fall = Double.MAX_VALUE;
        for (int k = 1; k < n - 1; k++) {
            double r = r0 + k * step;
            double d = p[k + 1] - p[k - 1];
            if (r > big - 1.5 && r < big + 1.0 && d < fall) {
                fall = d;
                head = k;
            }
        }
        int peak = head;
        int kMax = Math.min(n - 1, (int) ((big + h.normalJswMm() + 2.5 - r0) / step));
        for (int k = head; k <= kMax; k++) {
            if (p[k] > p[peak]) {
                peak = k;
            }
        }
        int low = head;
        for (int k = head; k <= peak; k++) {
            if (p[k] < p[low]) {
                low = k;
            }
        }
        double half = (p[low] + p[peak]) / 2;
        int roof = low;
        while (roof < peak && p[roof] < half) {
            roof++;
        }
        return (roof - head) * step;
    }

    private static double[] smooth(double[] p, int half) {
        double[] o = new double[p.length];
        for (int k = 0; k < p.length; k++) {
            double sum = 0;
            int cnt = 0;
            for (int q = Math.max(0, k - half); q <= Math.min(p.length - 1, k + half); q++) {
                sum += p[q];
                cnt++;
            }
            o[k] = sum / cnt;
        }
        return o;
    }

    /** Area (mm^2) within 50 mm of the head centre where on exceeds off by more than frac of the range. */
    static double brightenedAreaMm2(RenderedFilm on, RenderedFilm off, HipTruth h, double frac) {
        return changedAreaMm2(on, off, h, frac, 1);
    }

    /** Area (mm^2) within 50 mm of the head centre where on is darker than off by more than frac. */
    static double darkenedAreaMm2(RenderedFilm on, RenderedFilm off, HipTruth h, double frac) {
        return changedAreaMm2(on, off, h, frac, -1);
    }

    private static double changedAreaMm2(RenderedFilm on, RenderedFilm off, HipTruth h, double frac, int dir) {
        PhantomCase c = on.phantomCase();
        double s = c.pixelSpacingMm();
        double thr = frac * c.maxValue();
        int ci = (int) Math.round(h.centerYmm() / s);
        int cj = (int) Math.round(h.centerXmm() / s);
        int half = (int) (50 / s);
        int count = 0;
        for (int i = Math.max(0, ci - half); i <= Math.min(c.rows() - 1, ci + half); i++) {
            for (int j = Math.max(0, cj - half); j <= Math.min(c.columns() - 1, cj + half); j++) {
                if (dir * (on.value(i, j) - off.value(i, j)) > thr) {
                    count++;
                }
            }
        }
        return count * s * s;
    }

    /** Mean value in the band 0.5..3 mm above the sourcil (as rendered), 0..30 deg lateral of vertical. */
    static double roofBandMean(RenderedFilm f, PhantomRendererTest.Hip hip) {
        HipTruth h = hip.truth();
        PhantomCase c = hip.c();
        HipGeometry g = new HipGeometry(hip.side(), h, c);
        double sgn = sign(h, f);
        double sum = 0;
        int n = 0;
        for (double th = 0; th <= 30; th += 1) {
            double t = Math.toRadians(th);
            double top = h.headRadiusMm() + g.jsw(th) + g.sourcilMm;
            for (double r = top + 0.5; r <= top + 3; r += 0.1) {
                sum += at(f, h.centerXmm() + sgn * r * Math.sin(t), h.centerYmm() - r * Math.cos(t));
                n++;
            }
        }
        return sum / n;
    }
}
