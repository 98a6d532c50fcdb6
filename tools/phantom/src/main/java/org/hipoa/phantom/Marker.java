package org.hipoa.phantom;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/**
 * The burned-in lead laterality marker "R" in its plastic holder, near the patient's right side
 * (image left), in the top or bottom corner of the collimated field. The glyph is a hand-built
 * outline rather than a system font so the pixels do not depend on the fonts a machine has.
 */
final class Marker {

    private Marker() {
    }

    /** The letter R in a unit-height box (x right, y down), about 0.72 wide. */
    static Area glyphR() {
        Area a = new Area(new Rectangle2D.Double(0, 0, 0.19, 1));
        a.add(new Area(new Rectangle2D.Double(0, 0, 0.42, 0.16)));
        a.add(new Area(new Rectangle2D.Double(0, 0.44, 0.42, 0.15)));
        Area bowl = new Area(new Ellipse2D.Double(0.12, 0, 0.56, 0.59));
        bowl.subtract(new Area(new Ellipse2D.Double(0.20, 0.16, 0.32, 0.28)));
        bowl.intersect(new Area(new Rectangle2D.Double(0.40, 0, 0.4, 0.59)));
        a.add(bowl);
        Path2D.Double leg = new Path2D.Double();
        leg.moveTo(0.27, 0.55);
        leg.lineTo(0.47, 0.55);
        leg.lineTo(0.74, 1.0);
        leg.lineTo(0.53, 1.0);
        leg.closePath();
        a.add(new Area(leg));
        return a;
    }

    /** Adds the marker's attenuation. field = {left, top, right, bottom} of the exposed field in mm. */
    static void draw(Raster r, PhantomCase c, double[] field) {
        double h = c.num("markerHeightMm");
        double holderW = 1.25 * h;
        double holderH = 1.45 * h;
        double x0 = field[0] + c.num("markerInsetXmm");
        boolean top = "top".equals(c.str("markerCorner"));
        double y0 = top ? field[1] + c.num("markerInsetYmm") : field[3] - c.num("markerInsetYmm") - holderH;
        double angle = Math.toRadians(c.num("markerAngleDeg"));
        double cx = x0 + holderW / 2;
        double cy = y0 + holderH / 2;

        // Rasterise in a local pixel box around the holder (diagonal covers any rotation).
        double ext = Math.hypot(holderW, holderH) / 2 + 1;
        int j0 = r.col0(cx - ext);
        int j1 = r.col1(cx + ext);
        int i0 = r.row0(cy - ext);
        int i1 = r.row1(cy + ext);
        if (j0 > j1 || i0 > i1) {
            return;
        }
        int w = j1 - j0 + 1;
        int hh = i1 - i0 + 1;
        AffineTransform toPx = new AffineTransform();
        toPx.translate(-j0 + 0.5, -i0 + 0.5);     // pixel centres sit at integer mm/s positions
        toPx.scale(1 / r.s, 1 / r.s);
        toPx.rotate(angle, cx, cy);
        AffineTransform holder = new AffineTransform(toPx);
        holder.translate(x0, y0);
        AffineTransform glyph = new AffineTransform(toPx);
        glyph.translate(x0 + (holderW - 0.72 * h) / 2, y0 + (holderH - h) / 2);
        glyph.scale(h, h);
        // v2's external site tapes bare lead letters on; everyone else uses the plastic holder.
        float holderMu = c.params().get("markerHolder") instanceof Boolean b && !b ? 0f : 0.12f;
        byte[] holderMask = raster(w, hh,
                holder.createTransformedShape(new RoundRectangle2D.Double(0, 0, holderW, holderH, 4, 4)));
        byte[] glyphMask = raster(w, hh, glyph.createTransformedShape(glyphR()));
        for (int i = 0; i < hh; i++) {
            int row = (i0 + i) * r.cols + j0;
            for (int j = 0; j < w; j++) {
                int k = i * w + j;
                float a = holderMu * (holderMask[k] & 0xFF) / 255f
                        + (float) Mu.LEAD_LINE_INTEGRAL * (glyphMask[k] & 0xFF) / 255f;
                r.att[row + j] += a;
            }
        }
    }

    private static byte[] raster(int w, int h, java.awt.Shape shape) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(java.awt.Color.WHITE);
            g.fill(shape);
        } finally {
            g.dispose();
        }
        return ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    }
}
