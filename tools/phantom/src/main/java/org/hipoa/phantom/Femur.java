package org.hipoa.phantom;

/**
 * Proximal femur as one bone group: head (sphere with a thin subchondral cortex), neck (tube),
 * trochanteric mass, greater and lesser trochanters, shaft with thick cortical walls, plus the
 * femoral osteophytes. Positioning: the neck-shaft angle is measured against the anatomical shaft
 * axis (7 deg distal-medial); abduction swings the whole femur about the head centre; leg rotation
 * foreshortens the neck (projected length ~ cos(15 deg femoral anteversion + external rotation)) and
 * brings the lesser trochanter into profile on external rotation.
 */
final class Femur {

    private Femur() {
    }

    /** theta (deg) of the neck axis, head centre towards the shaft. */
    static double neckTheta(PhantomCase c, String key) {
        return c.num(key + "neckShaftDeg") + 7 - c.num(key + "abductionDeg");
    }

    /** Draws the femur into the current group; its sizes scale with the head radius. */
    static void draw(Raster r, HipGeometry g, PhantomCase c, String key, boolean osteophytes) {
        double R = g.headR;
        double rot = c.num(key + "legRotationDeg");
        double shaftTheta = 180 + 7 - c.num(key + "abductionDeg");
        double neckTheta = neckTheta(c, key);
        double foreshorten = Math.cos(Math.toRadians(15 + rot));
        double lesserVis = PhantomSampler.clamp((rot + 15) / 45.0, 0, 1);

        // Head and neck, unless an arthroplasty took them (v1 cases have no hardware).
        Object hw = c.params().get(key + "hardware");
        boolean resected = hw instanceof String s && (s.equals("total-hip") || s.equals("hemiarthroplasty"));
        double neckLen = 2.1 * R * foreshorten;
        double bx = g.px(neckTheta, neckLen);
        double by = g.py(neckTheta, neckLen);
        if (!resected) {
            r.ellipsoid(g.cx, g.cy, R, R, 0, R, 0.7);
            r.tube(new double[] {g.cx, bx}, new double[] {g.cy, by},
                    new double[] {0.66 * R, 0.86 * R}, 0.9, 1.3, true);
        }

        // Shaft frame at the base, local (lat, down): (al, ad) distal along the shaft, (ll, ld) lateral normal.
        double st = Math.toRadians(shaftTheta);
        double al = Math.sin(st);
        double ad = -Math.cos(st);
        double ll = ad;
        double ld = -al;
        // Trochanteric mass.
        double tl = 0.15 * R * al + 0.1 * R * ll;
        double td = 0.15 * R * ad + 0.1 * R * ld;
        r.blob(bx + g.sgn * tl, by + td, 1.1 * R, 0.85 * R, Math.atan2(ad, g.sgn * al), 0.95 * R);
        // Greater trochanter: superolateral, its tip near the level of the head centre.
        placeEllipsoid(r, g, bx, by, al, ad, ll, ld, -0.45 * R, 0.34 * R, 0.8 * R, 0.38 * R, 0.7 * R, 1.3);
        // Lesser trochanter: posteromedial, in profile on external rotation.
        placeEllipsoid(r, g, bx, by, al, ad, ll, ld, 1.45 * R, -(0.5 + 0.2 * lesserVis) * R,
                0.45 * R, (0.12 + 0.14 * lesserVis) * R, 0.3 * R, 1.0);
        // Shaft: tube from inside the trochanteric mass to well beyond the film edge.
        double sx0 = bx + g.sgn * (al * 0.3 * R);
        double sy0 = by + ad * 0.3 * R;
        double len = 400;
        r.tube(new double[] {sx0, sx0 + g.sgn * al * len}, new double[] {sy0, sy0 + ad * len},
                new double[] {0.62 * R, 0.56 * R}, 1.0, 0.24 * R, false);

        if (osteophytes) {
            drawOsteophytes(r, g, c, key, neckTheta);
        }
    }

    /** Angle (deg) between the neck axis and the head-neck junctions on the head circle. */
    static final double JUNCTION_DEG = 47;

    /**
     * Femoral osteophytes: an ellipsoid centred on the head contour whose radial semi-axis is foMm, so
     * its tip protrudes exactly foMm beyond the native (head) contour. The "capital drop" sits
     * foOffsetDeg past the inferior head-neck junction (inferomedially, on the free head contour);
     * optionally a smaller lateral one 7 deg short of the superior junction. The tangential semi-axis
     * stays below sqrt(p R), so no point of a spur protrudes more than its tip.
     */
    static void drawOsteophytes(Raster r, HipGeometry g, PhantomCase c, String key, double neckTheta) {
        double p = c.num(key + "foMm");
        if (p <= 0) {
            return;
        }
        spur(r, g, neckTheta + JUNCTION_DEG + c.num(key + "foOffsetDeg"), p);
        if (c.flag(key + "foLateral")) {
            spur(r, g, neckTheta - JUNCTION_DEG - 7, p * c.num(key + "foLateralFraction"));
        }
    }

    private static void spur(Raster r, HipGeometry g, double theta, double p) {
        double tang = Math.min(Math.max(3.0, 1.3 * p), 0.9 * Math.sqrt(p * g.headR));
        r.ellipsoid(g.px(theta, g.headR), g.py(theta, g.headR), p, tang, g.imageAngle(theta),
                Math.max(3.0, 1.1 * p), 1.0);
    }

    /** Ellipsoid placed in the shaft frame at (base + along*a + lateral*l), axis a along the shaft. */
    private static void placeEllipsoid(Raster r, HipGeometry g, double bx, double by,
                                       double al, double ad, double ll, double ld,
                                       double a, double l, double semiAlong, double semiAcross,
                                       double depth, double cortex) {
        double lat = a * al + l * ll;
        double down = a * ad + l * ld;
        double x = bx + g.sgn * lat;
        double y = by + down;
        double ang = Math.atan2(ad, g.sgn * al);
        r.ellipsoid(x, y, semiAlong, semiAcross, ang, depth, cortex);
    }
}
