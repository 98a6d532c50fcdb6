package org.hipoa.phantom;

/**
 * The acetabulum and the OA findings that live on it. The acetabulum is a spherical shell around the
 * head centre, cut by the plane of its opening (tilted by the CE angle and the acetabular
 * anteversion): outer radius Ro, subchondral plate [Rc, Rc+sourcil], cavity radius
 * Rc(theta) = R + w(theta). Projecting that exactly (interval lengths along the beam) gives the
 * sourcil as a dense arc where the plate is tangent to the beam, the dark superior joint space
 * between Rc and R, and the anterior/posterior rims crossing the head.
 */
final class HipJoint {

    private HipJoint() {
    }

    /** Tip radius of an acetabular spur, mm. */
    static final double TIP = 0.6;

    /** Outer radius of the cup, mm. */
    static double outerRadius(HipGeometry g, double size) {
        return g.headR + g.w0 + g.sourcilMm + 6 * size;
    }

    /** Draws the cup into the current (hip bone) group. */
    static void drawCup(Raster r, HipGeometry g, double anteversionDeg, double size) {
        double ts = g.sourcilMm;
        double ro = outerRadius(g, size);
        double thN = Math.toRadians(g.ceDeg + 90);
        double av = Math.toRadians(anteversionDeg);
        double nLat = Math.sin(thN) * Math.cos(av);
        double nDown = -Math.cos(thN) * Math.cos(av);
        double invNz = 1 / Math.sin(av);
        float[] rc = cavityTable(g);
        int j0 = r.col0(g.cx - ro);
        int j1 = r.col1(g.cx + ro);
        int i0 = r.row0(g.cy - ro);
        int i1 = r.row1(g.cy + ro);
        if (j0 > j1 || i0 > i1) {
            return;
        }
        r.markGroupBox(j0, j1, i0, i1);
        double ro2 = ro * ro;
        // the plate goes into the group as "cortex"; scale its chord so it attenuates like subchondral bone
        double plate = Mu.SUBCHONDRAL / Mu.CORTICAL;
        for (int i = i0; i <= i1; i++) {
            double down = i * r.s - g.cy;
            int row = i * r.cols;
            for (int j = j0; j <= j1; j++) {
                double lat = g.sgn * (j * r.s - g.cx);
                double r2 = lat * lat + down * down;
                if (r2 >= ro2) {
                    continue;
                }
                double rcv = rc[tableIndex(lat, down)];
                double zc = -(nLat * lat + nDown * down) * invNz;
                // the cup's outer surface fades out so it does not draw a second circle around the joint
                double lo = clipped(ro, r2, zc) * Raster.smooth(ro, ro - 5, Math.sqrt(r2));
                double ls = clipped(rcv + ts, r2, zc);
                double lc = clipped(rcv, r2, zc);
                r.groupMax(row + j, (float) ((lo - ls) + plate * (ls - lc)), (float) (lo - ls));
            }
        }
    }

    /** Teardrop: the U-shaped dense line of the acetabular fossa floor and the pelvic wall. */
    static void drawTeardrop(Raster r, HipGeometry g, double size) {
        double lat1 = -(g.headR + g.w0 + g.sourcilMm + 2.5 * size);
        double lat2 = lat1 - 8 * size;
        double top = -0.2 * g.headR;
        double bot = 0.85 * g.headR;
        double[] lats = {lat1, lat1 - 0.3 * size, (lat1 + lat2) / 2, lat2 + 0.3 * size, lat2};
        double[] downs = {top, bot, bot + 3.5 * size, bot, top - 6 * size};
        double[] xs = new double[5];
        double[] ys = new double[5];
        for (int k = 0; k < 5; k++) {
            xs[k] = g.x(lats[k]);
            ys[k] = g.y(downs[k]);
        }
        Direct.ridge(r, xs, ys, new double[] {1.0, 1.2, 1.3, 1.2, 1.0}, 2.5, Mu.CORTICAL);
    }

    /**
     * Acetabular osteophytes: a spur continuing the lateral sourcil margin laterally/inferiorly whose
     * tip lies aoMm beyond its base on the margin; optionally a smaller medial/inferior spur.
     */
    static void drawAcetabularOsteophytes(Raster r, HipGeometry g, double aoMm, boolean medial) {
        if (aoMm <= 0) {
            return;
        }
        double te = g.ceDeg;
        double rho = g.headR + g.jsw(te) + g.sourcilMm;
        double ex = g.px(te, rho);
        double ey = g.py(te, rho);
        double t = Math.toRadians(te);
        double out = Math.toRadians(25);
        // direction: tangent (towards larger theta) turned 25 deg outwards, in local (lat, down)
        double dl = Math.cos(out) * Math.cos(t) + Math.sin(out) * Math.sin(t);
        double dd = Math.cos(out) * Math.sin(t) - Math.sin(out) * Math.cos(t);
        // a tapered beak from the margin point; its rounded tip (radius TIP) ends aoMm from the base
        double len = aoMm - TIP;
        double tx = ex + g.sgn * dl * len;
        double ty = ey + dd * len;
        // Added, not max-combined: a dense spur must show even where it overlaps the rim's own bone.
        Direct.ridge(r, new double[] {ex, tx}, new double[] {ey, ty}, new double[] {Math.max(1.4, 0.4 * aoMm), TIP},
                2.5, Mu.OSTEOPHYTE);
        if (medial) {
            double tm = te - 175;
            double rm = g.headR + g.w0 + g.sourcilMm + 3;
            double p = 0.6 * aoMm;
            double mx = g.px(tm, rm);
            double my = g.py(tm, rm);
            Direct.ridge(r, new double[] {mx, mx}, new double[] {my, my + p - TIP},
                    new double[] {Math.max(1.2, 0.4 * p), TIP}, 2.5, Mu.OSTEOPHYTE);
        }
    }

    /**
     * Sclerosis: a dense band sclerosisMm thick above the subchondral plate of the roof and a thinner
     * one under the superior head surface, both confined to the weight-bearing cap (a 3-D cap about
     * the narrowing direction, which projects to a band). Added directly to the attenuation.
     */
    static void drawSclerosis(Raster r, HipGeometry g, double thickMm, double gain, double anteversionDeg) {
        if (thickMm <= 0) {
            return;
        }
        double mu = gain * Mu.TRABECULAR_TOTAL;
        double ts = g.sourcilMm;
        double thN = Math.toRadians(g.ceDeg + 90);
        double av = Math.toRadians(anteversionDeg);
        double nLat = Math.sin(thN) * Math.cos(av);
        double nDown = -Math.cos(thN) * Math.cos(av);
        double invNz = 1 / Math.sin(av);
        double tw = Math.toRadians(g.wThetaDeg);
        double axL = Math.sin(tw);
        double axD = -Math.cos(tw);
        float[] rc = cavityTable(g);
        double rmax = g.headR + g.w0 + ts + thickMm;
        double rcap = g.headR + g.w0;
        double a0 = rcap * Math.cos(Math.toRadians(70));
        double a1 = rcap * Math.cos(Math.toRadians(45));
        double hIn = g.headR - 0.8 * thickMm;
        double hOut = g.headR - 0.3;
        int j0 = r.col0(g.cx - rmax);
        int j1 = r.col1(g.cx + rmax);
        int i0 = r.row0(g.cy - rmax);
        int i1 = r.row1(g.cy + rmax * 0.3);
        for (int i = i0; i <= i1; i++) {
            double down = i * r.s - g.cy;
            int row = i * r.cols;
            for (int j = j0; j <= j1; j++) {
                double lat = g.sgn * (j * r.s - g.cx);
                double along = lat * axL + down * axD;
                if (along <= a0) {
                    continue;
                }
                double win = Raster.smooth(a0, a1, along);
                double r2 = lat * lat + down * down;
                double rcv = rc[tableIndex(lat, down)];
                double zc = -(nLat * lat + nDown * down) * invNz;
                double roof = clipped(rcv + ts + thickMm, r2, zc) - clipped(rcv + ts, r2, zc);
                double head = Raster.chord(hOut, r2) - Raster.chord(hIn, r2);
                r.att[row + j] += (float) (mu * win * (roof + head));
            }
        }
    }

    /** Cysts: round lucencies with a thin sclerotic rim, in the roof or the head. */
    static void drawCysts(Raster r, HipGeometry g, PhantomCase c, String key) {
        int n = (int) c.num(key + "cystCount");
        for (int k = 1; k <= n; k++) {
            String ck = key + "cyst" + k;
            double theta = c.num(ck + "ThetaDeg");
            double rad = c.num(ck + "DiamMm") / 2;
            double depth = c.num(ck + "DepthMm");
            double rho = "head".equals(c.str(ck + "Where"))
                    ? g.headR - depth - rad
                    : g.headR + g.jsw(theta) + g.sourcilMm + depth + rad;
            double x = g.px(theta, rho);
            double y = g.py(theta, rho);
            Direct.addSphere(r, x, y, rad + 0.4, Mu.CYST_RIM);
            Direct.addSphere(r, x, y, rad, Mu.CYST - Mu.CYST_RIM);
        }
    }

    /** Length of the beam chord through a sphere (radius rad, squared in-plane distance r2) on the bony side z < zc. */
    private static double clipped(double rad, double r2, double zc) {
        double h2 = rad * rad - r2;
        if (h2 <= 0) {
            return 0;
        }
        double h = Math.sqrt(h2);
        double v = zc + h;
        return v <= 0 ? 0 : (v >= 2 * h ? 2 * h : v);
    }

    /** Cavity radius Rc(theta) = R + w(theta), tabulated every 0.5 degree. */
    private static float[] cavityTable(HipGeometry g) {
        float[] t = new float[721];
        for (int k = 0; k < t.length; k++) {
            t[k] = (float) (g.headR + g.jsw(-180 + 0.5 * k));
        }
        return t;
    }

    private static int tableIndex(double lat, double down) {
        double deg = Math.toDegrees(FastMath.atan2(lat, -down));
        int k = (int) Math.round((deg + 180) * 2);
        return k < 0 ? 0 : (k > 720 ? 720 : k);
    }
}
