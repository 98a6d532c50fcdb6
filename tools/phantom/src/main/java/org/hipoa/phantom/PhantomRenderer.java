package org.hipoa.phantom;

import org.hipoa.domain.Side;
import java.util.SplittableRandom;

/**
 * Renders a {@link PhantomCase} into stored pixel values. Pure function of the case: all state is
 * local to the call (thread-safe), the noise stream is the third split of {@code SplittableRandom(seed)}
 * (the sampler uses the first two), so a seed gives bit-identical pixels on any thread.
 */
public final class PhantomRenderer {

    private PhantomRenderer() {
    }

    /** What to include; the full film uses {@link #FULL}. Package-private: for measurement tests. */
    record Options(boolean noise, boolean femoralOsteophytes, boolean acetabularOsteophytes,
                   boolean sclerosis, boolean cysts) {
        static final Options FULL = new Options(true, true, true, true, true);
        static final Options NOISELESS = new Options(false, true, true, true, true);
    }

    /** Relative modulation of trabecular attenuation by the texture. */
    static final double TEXTURE_DEPTH = 0.15;

    public static RenderedFilm render(PhantomCase c) {
        return render(c, Options.FULL);
    }

    static RenderedFilm render(PhantomCase c, Options o) {
        Raster r = attenuation(c, o);
        SplittableRandom root = new SplittableRandom(c.seed());
        root.split();
        root.split();
        SplittableRandom noise = root.split();
        boolean[] metal = hasHardware(c) ? Hardware.mask(r.att) : null;
        short[] px = Exposure.expose(r.att, r.scratch(), c, noise, o.noise(), metal);
        return new RenderedFilm(c, c.rows(), c.columns(), px);
    }

    /** The attenuation line-integral map A(x,y) (package-private so tests can look at it directly). */
    static Raster attenuation(PhantomCase c, Options o) {
        Raster r = new Raster(c.rows(), c.columns(), c.pixelSpacingMm());
        Texture tex = new Texture((long) c.num("textureSeed"), c.pixelSpacingMm());
        SoftTissue.draw(r, c);
        Pelvis pelvis = new Pelvis(r, c);
        pelvis.drawSpine(c, tex);
        HipGeometry[] hips = {
            new HipGeometry(Side.RIGHT, c.right(), c),
            new HipGeometry(Side.LEFT, c.left(), c),
        };
        for (HipGeometry g : hips) {
            String key = key(g.side);
            pelvis.drawHipBone(g, c, key, o.acetabularOsteophytes(), tex);
            Femur.draw(r, g, c, key, o.femoralOsteophytes());
            r.flushGroup(Mu.TRABECULAR, Mu.CORTICAL, tex, TEXTURE_DEPTH);
            if (o.sclerosis()) {
                HipJoint.drawSclerosis(r, g, c.num(key + "sclerosisMm"), c.num(key + "sclerosisGain"),
                        c.num(key + "acetabularAnteversionDeg"));
            }
            if (o.cysts()) {
                HipJoint.drawCysts(r, g, c, key);
            }
            Hardware.draw(r, g, c, key);
        }
        Marker.draw(r, c, Exposure.field(c));
        return r;
    }

    static boolean hasHardware(PhantomCase c) {
        for (String side : new String[] {"right.", "left."}) {
            Object v = c.params().get(side + "hardware");
            if (v instanceof String s && !s.equals("none")) return true;
        }
        return false;
    }

    static String key(Side side) {
        return side == Side.RIGHT ? "right." : "left.";
    }
}
