package org.hipoa.phantom;

/**
 * The attenuation map A(x,y) = sum mu_k t_k(x,y) (line integrals, dimensionless) and the projected
 * chord primitives that build it. Solid bones are drawn into a "group": outer and inner (cortex-shrunk)
 * chords are max-combined over the group's parts, which approximates the projection of their union,
 * so overlapping parts of one bone (head and neck, rami and pubis) do not double-count, and a shared
 * cortex appears only on the union's surface. {@link #flushGroup} then converts chords to attenuation.
 * Every primitive touches only its bounding box; all buffers are float and reused.
 */
final class Raster {

    final int rows;
    final int cols;
    final double s;          // patient-plane mm per pixel
    final float[] att;
    private final float[] outer;
    private final float[] inner;
    private int gx0;
    private int gx1;
    private int gy0;
    private int gy1;

    Raster(int rows, int cols, double spacingMm) {
        this.rows = rows;
        this.cols = cols;
        this.s = spacingMm;
        this.att = new float[rows * cols];
        this.outer = new float[rows * cols];
        this.inner = new float[rows * cols];
        resetDirty();
    }

    private void resetDirty() {
        gx0 = Integer.MAX_VALUE;
        gy0 = Integer.MAX_VALUE;
        gx1 = -1;
        gy1 = -1;
    }

    int col0(double xMm) {
        return Math.max(0, (int) Math.ceil(xMm / s));
    }

    int col1(double xMm) {
        return Math.min(cols - 1, (int) Math.floor(xMm / s));
    }

    int row0(double yMm) {
        return Math.max(0, (int) Math.ceil(yMm / s));
    }

    int row1(double yMm) {
        return Math.min(rows - 1, (int) Math.floor(yMm / s));
    }

    private void markDirty(int j0, int j1, int i0, int i1) {
        gx0 = Math.min(gx0, j0);
        gx1 = Math.max(gx1, j1);
        gy0 = Math.min(gy0, i0);
        gy1 = Math.max(gy1, i1);
    }

    /**
     * Pixel bounds {j0, j1, i0, i1} of a rotated ellipse clipped to the film, marked dirty; null when it misses
     * the film entirely.
     */
    private int[] ellipseBox(double cx, double cy, double a, double b, double ca, double sa) {
        double ex = Math.sqrt(a * a * ca * ca + b * b * sa * sa);
        double ey = Math.sqrt(a * a * sa * sa + b * b * ca * ca);
        int j0 = col0(cx - ex);
        int j1 = col1(cx + ex);
        int i0 = row0(cy - ey);
        int i1 = row1(cy + ey);
        if (j0 > j1 || i0 > i1) {
            return null;
        }
        markDirty(j0, j1, i0, i1);
        return new int[] {j0, j1, i0, i1};
    }

    /**
     * Group part: ellipsoid with in-plane semi-axes a (along angle) and b, depth semi-axis c, and a
     * cortex of the given thickness (inner ellipsoid shrunk by it on every axis).
     */
    void ellipsoid(double cx, double cy, double a, double b, double angle, double c, double cortex) {
        double ca = Math.cos(angle);
        double sa = Math.sin(angle);
        int[] box = ellipseBox(cx, cy, a, b, ca, sa);
        if (box == null) {
            return;
        }
        int j0 = box[0], j1 = box[1], i0 = box[2], i1 = box[3];
        double ia2 = 1 / (a * a);
        double ib2 = 1 / (b * b);
        double ai = a - cortex;
        double bi = b - cortex;
        double ci = c - cortex;
        boolean hasInner = ai > 0 && bi > 0 && ci > 0;
        double iai2 = hasInner ? 1 / (ai * ai) : 0;
        double ibi2 = hasInner ? 1 / (bi * bi) : 0;
        for (int i = i0; i <= i1; i++) {
            double dy = i * s - cy;
            int row = i * cols;
            for (int j = j0; j <= j1; j++) {
                double dx = j * s - cx;
                double u = dx * ca + dy * sa;
                double v = -dx * sa + dy * ca;
                double q = u * u * ia2 + v * v * ib2;
                if (q >= 1) {
                    continue;
                }
                float to = (float) (2 * c * Math.sqrt(1 - q));
                int k = row + j;
                if (to > outer[k]) {
                    outer[k] = to;
                }
                if (hasInner) {
                    double qi = u * u * iai2 + v * v * ibi2;
                    if (qi < 1) {
                        float ti = (float) (2 * ci * Math.sqrt(1 - qi));
                        if (ti > inner[k]) {
                            inner[k] = ti;
                        }
                    }
                }
            }
        }
    }

    /**
     * Group part: a tube along a polyline with an elliptic cross-section (in-plane half-width r(u),
     * depth half-width r(u)*depthRatio) and a cortex. With caps=false the two open ends are cut flat
     * (a shaft leaving the film, a vertebral body's end plate), otherwise rounded.
     */
    void tube(double[] xs, double[] ys, double[] radii, double depthRatio, double cortex, boolean caps) {
        tube(xs, ys, radii, depthRatio, cortex, caps, 0);
    }

    /** The tube rasteriser; addMu != 0 adds mu * chord straight to att instead (see {@link Direct#ridge}). */
    void tube(double[] xs, double[] ys, double[] radii, double depthRatio, double cortex, boolean caps,
              double addMu) {
        boolean add = addMu != 0;
        int last = xs.length - 2;
        for (int seg = 0; seg <= last; seg++) {
            double ax = xs[seg];
            double ay = ys[seg];
            double bx = xs[seg + 1];
            double by = ys[seg + 1];
            double ra = radii[seg];
            double rb = radii[seg + 1];
            double rm = Math.max(ra, rb);
            int j0 = col0(Math.min(ax, bx) - rm);
            int j1 = col1(Math.max(ax, bx) + rm);
            int i0 = row0(Math.min(ay, by) - rm);
            int i1 = row1(Math.max(ay, by) + rm);
            if (j0 > j1 || i0 > i1) {
                continue;
            }
            if (!add) {
                markDirty(j0, j1, i0, i1);
            }
            double vx = bx - ax;
            double vy = by - ay;
            double il2 = 1 / Math.max(1e-12, vx * vx + vy * vy);
            boolean openStart = !caps && seg == 0;
            boolean openEnd = !caps && seg == last;
            for (int i = i0; i <= i1; i++) {
                double py = i * s - ay;
                int row = i * cols;
                for (int j = j0; j <= j1; j++) {
                    double px = j * s - ax;
                    double t = (px * vx + py * vy) * il2;
                    if (t < 0) {
                        if (openStart || (add && seg > 0)) {
                            continue;
                        }
                        t = 0;
                    } else if (t > 1) {
                        if (openEnd || (add && seg < last)) {
                            continue;
                        }
                        t = 1;
                    }
                    double r = ra + (rb - ra) * t;
                    double ex = px - t * vx;
                    double ey = py - t * vy;
                    double d2 = ex * ex + ey * ey;
                    if (d2 >= r * r) {
                        continue;
                    }
                    int k = row + j;
                    float to = (float) (2 * r * depthRatio * Math.sqrt(1 - d2 / (r * r)));
                    if (add) {
                        att[k] += (float) (addMu * to);
                        continue;
                    }
                    if (to > outer[k]) {
                        outer[k] = to;
                    }
                    double ri = r - cortex;
                    double di = r * depthRatio - cortex;
                    if (ri > 0 && di > 0 && d2 < ri * ri) {
                        float ti = (float) (2 * di * Math.sqrt(1 - d2 / (ri * ri)));
                        if (ti > inner[k]) {
                            inner[k] = ti;
                        }
                    }
                }
            }
        }
    }

    /**
     * Group part without its own surface: trabecular bulk whose chord falls off softly, 2c(1-q)^1.5,
     * so it thickens a bone without drawing an outline of its own (supra-acetabular column,
     * trochanteric mass, ilium body).
     */
    void blob(double cx, double cy, double a, double b, double angle, double c) {
        double ca = Math.cos(angle);
        double sa = Math.sin(angle);
        int[] box = ellipseBox(cx, cy, a, b, ca, sa);
        if (box == null) {
            return;
        }
        int j0 = box[0], j1 = box[1], i0 = box[2], i1 = box[3];
        double ia2 = 1 / (a * a);
        double ib2 = 1 / (b * b);
        for (int i = i0; i <= i1; i++) {
            double dy = i * s - cy;
            int row = i * cols;
            for (int j = j0; j <= j1; j++) {
                double dx = j * s - cx;
                double u = dx * ca + dy * sa;
                double v = -dx * sa + dy * ca;
                double q = 1 - (u * u * ia2 + v * v * ib2);
                if (q <= 0) {
                    continue;
                }
                float t = (float) (2 * c * q * Math.sqrt(q));
                int k = row + j;
                if (t > outer[k]) {
                    outer[k] = t;
                }
                if (t > inner[k]) {
                    inner[k] = t;
                }
            }
        }
    }

    /** Group part with chords already computed by the caller (the acetabular cup). */
    void groupMax(int k, float total, float trabecular) {
        if (total > outer[k]) {
            outer[k] = total;
        }
        if (trabecular > inner[k]) {
            inner[k] = trabecular;
        }
    }

    /**
     * Fades the group's chords to zero inside radius r0 of (cx, cy) (full strength beyond r1): clears
     * the acetabular cavity of neighbouring parts before the cup is drawn, so the joint space stays
     * free of bone that the cup geometry does not put there.
     */
    void fadeGroupInside(double cx, double cy, double r0, double r1) {
        int j0 = col0(cx - r1);
        int j1 = col1(cx + r1);
        int i0 = row0(cy - r1);
        int i1 = row1(cy + r1);
        for (int i = i0; i <= i1; i++) {
            double dy = i * s - cy;
            int row = i * cols;
            for (int j = j0; j <= j1; j++) {
                double dx = j * s - cx;
                double rr = Math.sqrt(dx * dx + dy * dy);
                if (rr < r1) {
                    float f = (float) smooth(r0, r1, rr);
                    outer[row + j] *= f;
                    inner[row + j] *= f;
                }
            }
        }
    }

    void markGroupBox(int j0, int j1, int i0, int i1) {
        markDirty(j0, j1, i0, i1);
    }

    /**
     * Converts the group's chords to attenuation (trabecular core, cortical shell = outer - inner),
     * with the trabecular part modulated by a texture, then clears the group.
     */
    void flushGroup(double muTrabecular, double muCortical, Texture texture, double textureDepth) {
        if (gx1 < 0) {
            return;
        }
        float mt = (float) muTrabecular;
        float mc = (float) muCortical;
        for (int i = gy0; i <= gy1; i++) {
            int row = i * cols;
            for (int j = gx0; j <= gx1; j++) {
                int k = row + j;
                float o = outer[k];
                if (o == 0) {
                    continue;
                }
                float in = inner[k];
                float tex = texture == null ? 1f : 1f + (float) textureDepth * texture.at(i, j);
                att[k] += mt * in * tex + mc * (o - in);
                outer[k] = 0;
                inner[k] = 0;
            }
        }
        resetDirty();
    }

    /** A full-size float buffer for later stages; only valid once every group has been flushed. */
    float[] scratch() {
        if (gx1 >= 0) {
            throw new IllegalStateException("a bone group is still open");
        }
        return outer;
    }

    /** Chord length through a sphere of radius rad at squared in-plane distance r2 from its centre. */
    static double chord(double rad, double r2) {
        double h = rad * rad - r2;
        return h > 0 ? 2 * Math.sqrt(h) : 0;
    }

    /** Smoothstep from 0 at e0 to 1 at e1 (either order). */
    static double smooth(double e0, double e1, double x) {
        double t = (x - e0) / (e1 - e0);
        t = t < 0 ? 0 : (t > 1 ? 1 : t);
        return t * t * (3 - 2 * t);
    }
}
