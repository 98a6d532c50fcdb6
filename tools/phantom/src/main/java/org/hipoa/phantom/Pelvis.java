package org.hipoa.phantom;

/**
 * Pelvic ring: lumbosacral spine (one bone group) and each hip bone (one group per side: iliac wing
 * and crest, supra-acetabular column, pelvic brim, pubis and rami, ischium, then the cup, teardrop and
 * acetabular osteophytes). Positions are in mm about the mid-hip point O, scaled by the patient size.
 * Pelvic tilt scales the vertical offsets of the anterior ring (obturator foramina, symphysis);
 * rotation shifts the anterior ring sideways (symphysis vs sacrum offset), which widens one
 * obturator foramen and narrows the other, and broadens/narrows the iliac wings the opposite way.
 */
final class Pelvis {

    private final Raster r;
    private final double ox;
    private final double oy;
    private final double size;
    private final double half;
    private final double tilt;
    private final double rotOff;
    /** tan(pelvic obliquity): image y grows by this per mm of x from the mid-hip point (0 in v1). */
    private final double slope;

    Pelvis(Raster r, PhantomCase c) {
        this.r = r;
        this.ox = (c.right().centerXmm() + c.left().centerXmm()) / 2;
        this.oy = (c.right().centerYmm() + c.left().centerYmm()) / 2;
        this.size = c.num("sizeFactor");
        this.half = (c.left().centerXmm() - c.right().centerXmm()) / 2;
        this.tilt = c.num("tiltFactor");
        this.rotOff = c.num("rotationOffsetMm");
        this.slope = Math.tan(Math.toRadians(c.numOr("pelvicObliquityDeg", 0)));
    }

    /**
     * Anteriority weight: 1 over the pubic bodies (so the symphysis moves by exactly
     * rotationOffsetMm), falling to 0 at the acetabulum and behind.
     */
    private double anterior(double lat) {
        return PhantomSampler.clamp(1 - (lat - 15 * size) / (half - 40 * size), 0, 1);
    }

    /** Image x of local (lat, down) on side sgn, anterior structures shifted by the rotation. */
    private double ax(double sgn, double lat, double down, boolean ant) {
        return ox + sgn * lat + (ant && down > 0 ? rotOff * anterior(lat) : 0);
    }

    private double ay(double lat, double down, boolean ant) {
        return oy + (ant && down > 0 ? down * (1 + (tilt - 1) * anterior(lat) * 1.6) : down);
    }

    /** Image y of local (lat, down) on side sgn: {@link #ay} sheared by the obliquity (a small in-plane tilt). */
    private double ay(double sgn, double lat, double down, boolean ant) {
        double y = ay(lat, down, ant);
        return slope == 0 ? y : y + slope * (ax(sgn, lat, down, ant) - ox);
    }

    /** Local points and radii in image mm: {xs, ys, radii}. */
    private double[][] toImage(double sgn, double[] lat, double[] down, double[] rad, boolean ant) {
        int n = lat.length;
        double[][] p = new double[3][n];
        for (int k = 0; k < n; k++) {
            p[0][k] = ax(sgn, lat[k], down[k], ant);
            p[1][k] = ay(sgn, lat[k], down[k], ant);
            p[2][k] = rad[k] * size;
        }
        return p;
    }

    /** A tube through local points (sizes in units of the size factor). */
    private void tube(double sgn, double[] lat, double[] down, double[] rad, double depth, double cortex,
                      boolean caps, boolean ant) {
        double[][] p = toImage(sgn, lat, down, rad, ant);
        r.tube(p[0], p[1], p[2], depth, cortex, caps);
    }

    /** A cortical ridge added directly to the attenuation (see {@link Direct#ridge}). */
    private void ridge(double sgn, double[] lat, double[] down, double[] rad, double depth, boolean ant) {
        double[][] p = toImage(sgn, lat, down, rad, ant);
        Direct.ridge(r, p[0], p[1], p[2], depth, Mu.CORTICAL);
    }

    private void ellipsoid(double sgn, double lat, double down, double a, double b, double angDeg,
                           double depth, double cortex, boolean ant) {
        double t = Math.toRadians(angDeg);
        // angle given in local (lat, down) terms; mirror for the image
        double ang = Math.atan2(Math.sin(t), sgn * Math.cos(t));
        r.ellipsoid(ax(sgn, lat, down, ant), ay(sgn, lat, down, ant), a, b, ang, depth, cortex);
    }

    private static double[] v(double... x) {
        return x;
    }

    private double[] sc(double... x) {
        double[] o = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            o[k] = x[k] * size;
        }
        return o;
    }

    private void blob(double sgn, double lat, double down, double a, double b, double angDeg, double depth) {
        double t = Math.toRadians(angDeg);
        double ang = Math.atan2(Math.sin(t), sgn * Math.cos(t));
        r.blob(ax(sgn, lat, down, false), ay(sgn, lat, down, false), a, b, ang, depth);
    }

    /** Lumbosacral spine: sacrum (central column, alae, lateral masses), L5 and L4. */
    void drawSpine(PhantomCase c, Texture tex) {
        double s = size;
        double wf = c.num("sacrumWidthFactor");
        tube(1, v(0, 0, 0, 0), sc(-110, -65, -28, -2), v(23 * wf, 18 * wf, 11, 5), 0.9, 1.5, false, false);
        for (double sgn : new double[] {-1, 1}) {
            ellipsoid(sgn, 30 * s * wf, -94 * s, 24 * s * wf, 15 * s, -15, 14 * s, 1.2, false);
            tube(sgn, sc(42 * wf, 36 * wf, 23, 9), sc(-100, -72, -40, -10), v(11, 11, 9, 5), 1.0, 1.2, true, false);
            // L5 and L4 transverse processes
            tube(sgn, sc(20, 36, 44), sc(-134, -132, -128), v(4.5, 3.8, 3), 1.0, 1.0, true, false);
            tube(sgn, sc(20, 34, 40), sc(-176, -175, -173), v(4, 3.5, 2.8), 1.0, 1.0, true, false);
        }
        // vertebral bodies: flat end plates, disc spaces between them
        tube(1, v(0, 0), sc(-147, -121), v(25, 25), 0.72, 1.3, false, false);
        tube(1, v(0, 0), sc(-190, -158), v(24, 24), 0.72, 1.3, false, false);
        r.flushGroup(Mu.TRABECULAR, Mu.CORTICAL, tex, PhantomRenderer.TEXTURE_DEPTH);
        // sacral foramina (canals through the lateral masses) and pedicle rings, added directly
        double[] fy = {-86, -67, -50, -34};
        double[] fr = {5.5, 5.0, 4.2, 3.4};
        for (double sgn : new double[] {-1, 1}) {
            for (int k = 0; k < 4; k++) {
                Direct.addEllipsoid(r, ox + sgn * 17 * s * wf, oy + fy[k] * s, fr[k] * s, fr[k] * s * 0.85, 0,
                        9 * s, -0.022);
            }
            for (double py : new double[] {-137, -179}) {
                double px = ox + sgn * 15 * s;
                Direct.addEllipsoid(r, px, oy + py * s, 5 * s, 7 * s, 0, 5 * s, Mu.CORTICAL * 0.5);
                Direct.addEllipsoid(r, px, oy + py * s, 3.6 * s, 5.6 * s, 0, 3.6 * s, -Mu.CORTICAL * 0.5);
            }
            Direct.addEllipsoid(r, ox, oy - 127 * s, 4 * s, 10 * s, 0, 5 * s, Mu.CORTICAL * 0.5);
        }
    }

    /** One hip bone, including its acetabulum and acetabular osteophytes. */
    void drawHipBone(HipGeometry g, PhantomCase c, String key, boolean osteophytes, Texture tex) {
        double s = size;
        double sgn = g.sgn;
        double h = half;
        double flare = c.num("iliacFlare") * (1 + sgn * rotOff / 70);
        double av = c.num(key + "acetabularAnteversionDeg");
        double rc0 = g.headR + g.w0 + g.sourcilMm;
        double medWall = h - rc0 - 9 * s;      // lat of the medial acetabular wall / brim

        // Iliac wing: thin plate, long axis tilted up-laterally; crest rim along its upper border.
        double wcL = h + 4 * s * flare;
        double wcD = -78 * s;
        double wa = 52 * s * flare;
        double wb = 42 * s;
        double tilt = 25;
        ellipsoid(sgn, wcL, wcD, wa, wb, -tilt, 7.5 * s, 1.2, false);
        // medial part of the wing over the sacroiliac joint and the posterior ilium
        blob(sgn, 52 * s, -88 * s, 20 * s, 34 * s, -70, 16 * s);
        int nCrest = 14;
        double[] cl = new double[nCrest];
        double[] cd = new double[nCrest];
        double[] cr = new double[nCrest];
        double ct = Math.toRadians(tilt);
        for (int k = 0; k < nCrest; k++) {
            double phi = Math.toRadians(-55 + 190.0 * k / (nCrest - 1));
            double u = (wa - 4 * s) * Math.cos(phi);
            double w = (wb - 4 * s) * Math.sin(phi);
            cl[k] = wcL + u * Math.cos(ct) - w * Math.sin(ct);
            cd[k] = wcD - u * Math.sin(ct) - w * Math.cos(ct);
            cr[k] = k == 0 ? 3.0 : 4.6 - 2.4 * Math.max(0, k - nCrest / 2.0) / (nCrest / 2.0);
        }
        tube(sgn, cl, cd, cr, 1.5, 1.2, true, false);
        // Lateral border: crest front (ASIS) down past the AIIS to the lateral acetabular rim.
        double ro = HipJoint.outerRadius(g, s);
        double rimL = h + (ro - 3) * Math.sin(Math.toRadians(g.ceDeg));
        double rimD = -(ro - 3) * Math.cos(Math.toRadians(g.ceDeg));
        tube(sgn, v(cl[0], h + 27 * s, h + 22 * s, rimL), v(cd[0], -45 * s, -33 * s, rimD),
                v(3.0, 4.5, 5, 5), 1.3, 1.2, true, false);
        // Supra-acetabular column and the thick sciatic buttress up to the sacroiliac joint.
        // The ilium body is thick front-to-back, so bone above the sourcil outshines the joint space.
        blob(sgn, h - 4 * s, -38 * s, 34 * s, 27 * s, -60, 20 * s);
        blob(sgn, h - 24 * s, -62 * s, 50 * s, 30 * s, -58, 12 * s);
        // quadrilateral plate: bone between the ilioischial line and the cup
        blob(sgn, medWall + 12 * s, 12 * s, 16 * s, 34 * s, 80, 12 * s);
        // Pelvic brim (iliopectineal line): a cortical ridge seen tangentially.
        ridge(sgn, v(36 * s, 50 * s, 60 * s, medWall + 2 * s, medWall, medWall - 4 * s, 48 * s, 30 * s, 11 * s),
                v(-76 * s, -66 * s, -50 * s, -20 * s, 0, 18 * s, 31 * s, 37 * s, 40 * s),
                v(1.4, 1.6, 1.6, 1.5, 1.5, 1.5, 1.5, 1.4, 1.2), 1.8, true);
        // Ilioischial line down the medial wall into the ischium.
        ridge(sgn, v(medWall + 1 * s, medWall - 1 * s, medWall + 3 * s), v(-8 * s, 22 * s, 48 * s),
                v(1.1, 1.1, 0.8), 1.8, false);
        // Superior pubic ramus, pubic body, inferior pubic and ischial rami.
        tube(sgn, v(h - 0.9 * g.headR, 48 * s, 30 * s, 12 * s), v(12 * s, 27 * s, 37 * s, 45 * s),
                v(10, 9, 8.5, 9), 1.0, 1.5, true, true);
        ellipsoid(sgn, 13 * s, 53 * s, 10 * s, 17 * s, 0, 13 * s, 1.5, true);
        tube(sgn, v(8 * s, 20 * s, 38 * s, 55 * s, h - 25 * s), v(65 * s, 80 * s, 90 * s, 90 * s, 82 * s),
                v(7, 6.5, 6, 7, 10), 1.0, 1.3, true, true);
        // Ischium and its tuberosity; the ischial spine juts medially into the inlet.
        tube(sgn, v(h - 0.55 * g.headR, h - 15 * s, h - 20 * s, h - 26 * s), v(20 * s, 48 * s, 72 * s, 84 * s),
                v(13, 12, 11, 12), 1.3, 1.3, true, false);
        ellipsoid(sgn, h - 25 * s, 84 * s, 13 * s, 11 * s, 0, 18 * s, 1.5, false);
        ellipsoid(sgn, medWall - 3 * s, 12 * s, 7 * s, 3.0 * s, 35, 5 * s, 1.0, false);

        // Clear the joint of neighbouring parts, then the cup, teardrop and acetabular osteophytes.
        r.fadeGroupInside(g.cx, g.cy, rc0, rc0 + 7 * s);
        HipJoint.drawCup(r, g, av, s);
        HipJoint.drawTeardrop(r, g, s);
        if (osteophytes) {
            HipJoint.drawAcetabularOsteophytes(r, g, c.num(key + "aoMm"), c.flag(key + "aoMedial"));
        }
        r.flushGroup(Mu.TRABECULAR, Mu.CORTICAL, tex, PhantomRenderer.TEXTURE_DEPTH);
    }
}
