package org.hipoa.phantom;

import java.util.Locale;

/**
 * Arthroplasty and fixation hardware, drawn as metal whose line integral is far beyond any tissue's so the film
 * saturates there (the renderer paints it to the top value, as consoles show metal). Positions follow the hip's own
 * frame: the neck axis ({@link Femur#neckTheta}) and the shaft axis. A hip with hardware is not gradable.
 */
final class Hardware {

    private Hardware() {
    }

    public enum Kind {
        TOTAL_HIP, HEMIARTHROPLASTY, RESURFACING, DYNAMIC_HIP_SCREW, CANNULATED_SCREWS, ACETABULAR_SCREWS;

        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Whether the native femoral head (and with it its OA findings) is gone or capped. */
        boolean replacesHead() {
            return this == TOTAL_HIP || this == HEMIARTHROPLASTY || this == RESURFACING;
        }

        static Kind ofKey(String key) {
            for (Kind k : values()) if (k.key().equals(key)) return k;
            throw new IllegalArgumentException("unknown hardware '" + key + "'");
        }
    }

    /** Relative frequencies of the kinds among hips with hardware. */
    static final double[] KIND_WEIGHTS = {0.35, 0.12, 0.08, 0.15, 0.15, 0.15};

    /** Excess attenuation of the metal (1/mm): a few mm of it put the line integral beyond {@link #SATURATES}. */
    static final double MU_METAL = 6.0;

    /** A line integral above this is metal (tissue and bone of a pelvis stay below 10). */
    static final float SATURATES = 20f;

    static Kind draw(Raster r, HipGeometry g, PhantomCase c, String key) {
        Object v = c.params().get(key + "hardware");
        if (!(v instanceof String s) || s.equals("none")) return null;
        Kind kind = Kind.ofKey(s);
        double R = g.headR;
        double neck = Femur.neckTheta(c, key);
        double shaft = 180 + 7 - c.num(key + "abductionDeg");
        double neckLen = 2.1 * R * Math.cos(Math.toRadians(15 + c.num(key + "legRotationDeg")));
        double[] base = {g.px(neck, neckLen), g.py(neck, neckLen)};
        switch (kind) {
            case TOTAL_HIP -> {
                double head = c.num(key + "hardwareHeadMm") / 2;
                Direct.addSphere(r, g.cx, g.cy, head, MU_METAL);
                arc(r, g, neck + 180 - 95, neck + 180 + 85, R + 2.5, 1.8, 5);   // acetabular shell
                stem(r, g, base, shaft, neckLen, 5.5);
            }
            case HEMIARTHROPLASTY -> {
                Direct.addSphere(r, g.cx, g.cy, R, MU_METAL);
                stem(r, g, base, shaft, neckLen, 5.5);
            }
            case RESURFACING -> {
                arc(r, g, neck + 180 - 80, neck + 180 + 80, R + 0.8, 1.2, 8);
                line(r, g.cx, g.cy, g.px(neck, 0.9 * R), g.py(neck, 0.9 * R), 2.5);
            }
            case DYNAMIC_HIP_SCREW -> {
                double[] tip = {g.px(neck + 180, 0.55 * R), g.py(neck + 180, 0.55 * R)};
                double[] entry = {g.px(neck, neckLen + 1.1 * R), g.py(neck, neckLen + 1.1 * R)};
                line(r, tip[0], tip[1], entry[0], entry[1], 4.0);
                double st = Math.toRadians(shaft);
                double lat = Math.toRadians(shaft - 90);   // the plate lies on the lateral cortex
                double px = entry[0] + g.sgn * Math.sin(lat) * 3, py = entry[1] - Math.cos(lat) * 3;
                Direct.ridge(r, new double[] {px, px + g.sgn * Math.sin(st) * 110},
                        new double[] {py, py - Math.cos(st) * 110}, new double[] {2.5, 2.5}, 3.0, MU_METAL);
            }
            case CANNULATED_SCREWS -> {
                double across = Math.toRadians(neck + 90);
                for (double off : new double[] {-0.32 * R, 0.0, 0.32 * R}) {
                    double ox = g.sgn * Math.sin(across) * off, oy = -Math.cos(across) * off;
                    line(r, g.px(neck + 180, 0.65 * R) + ox, g.py(neck + 180, 0.65 * R) + oy,
                            g.px(neck, neckLen + 1.0 * R) + ox, g.py(neck, neckLen + 1.0 * R) + oy, 3.2);
                }
            }
            case ACETABULAR_SCREWS -> {
                int n = (int) c.num(key + "hardwareScrews");
                for (int k = 0; k < n; k++) {
                    double theta = -15 + 22 * k;
                    double rho0 = R + g.w0 + g.sourcilMm + 1;
                    line(r, g.px(theta, rho0), g.py(theta, rho0), g.px(theta - 12, rho0 + 38),
                            g.py(theta - 12, rho0 + 38), 3.0);
                }
            }
        }
        return kind;
    }

    /** A femoral stem: a neck from the head centre to the base, then tapering down the shaft. */
    private static void stem(Raster r, HipGeometry g, double[] base, double shaftTheta, double neckLen, double width) {
        line(r, g.cx, g.cy, base[0], base[1], width * 0.8);
        double st = Math.toRadians(shaftTheta);
        double ex = base[0] + g.sgn * Math.sin(st) * 130, ey = base[1] - Math.cos(st) * 130;
        Direct.ridge(r, new double[] {base[0], ex}, new double[] {base[1], ey}, new double[] {width * 1.4, width * 0.6},
                1.0, MU_METAL);
    }

    private static void line(Raster r, double x0, double y0, double x1, double y1, double radius) {
        Direct.ridge(r, new double[] {x0, x1}, new double[] {y0, y1}, new double[] {radius, radius}, 1.0, MU_METAL);
    }

    /** A metal shell seen edge-on along an arc about the head centre (theta in degrees, increasing laterally). */
    private static void arc(Raster r, HipGeometry g, double from, double to, double rho, double thick, double depth) {
        int n = 12;
        double[] xs = new double[n + 1], ys = new double[n + 1], rs = new double[n + 1];
        for (int k = 0; k <= n; k++) {
            double t = from + (to - from) * k / n;
            xs[k] = g.px(t, rho);
            ys[k] = g.py(t, rho);
            rs[k] = thick;
        }
        Direct.ridge(r, xs, ys, rs, depth, MU_METAL);
    }

    /** Marks the pixels metal covers (null when a film has none). */
    static boolean[] mask(float[] att) {
        boolean[] m = null;
        for (int k = 0; k < att.length; k++) {
            if (att[k] > SATURATES) {
                if (m == null) m = new boolean[att.length];
                m[k] = true;
            }
        }
        return m;
    }
}
