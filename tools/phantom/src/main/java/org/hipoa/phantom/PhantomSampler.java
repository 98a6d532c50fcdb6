package org.hipoa.phantom;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws one phantom v1 case from a seed (v2: {@link PhantomSamplerV2}): film geometry, exposure nuisances, anatomy and per-hip OA
 * findings. Everything comes from {@code new SplittableRandom(seed)} in a fixed order, so a seed
 * always gives the same case. Parameters are rounded before they are stored so that the renderer,
 * which reads them back from {@link PhantomCase#params()}, sees exactly what labels.jsonl records.
 */
public final class PhantomSampler {

    /** Half-width of the region about each head centre that stays inside the exposed field, mm. */
    static final double JOINT_MARGIN_MM = 45.0;

    /** Detector (cassette) size in mm at the detector, landscape. */
    static final double FILM_WIDTH_MM = 430.0;
    static final double FILM_HEIGHT_MM = 350.0;

    private PhantomSampler() {
    }

    /** A phantom v1 case (the shipped models' phantom). */
    public static PhantomCase sample(long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom geo = root.split();   // film, exposure, anatomy
        SplittableRandom oa = root.split();    // OA findings (kept separate so nuisance draws never shift grades)
        // root.split() #3 is the renderer's noise stream, see PhantomRenderer.

        Map<String, Object> p = new LinkedHashMap<>();
        double d = r4(u(geo, 0.14, 0.20));
        double mag = r4(u(geo, 1.05, 1.25));
        int bits = 12 + geo.nextInt(5);
        boolean mono1 = geo.nextBoolean();
        double s = d / mag;
        int cols = (int) Math.round(FILM_WIDTH_MM / d);
        int rows = (int) Math.round(FILM_HEIGHT_MM / d);
        p.put("detectorSpacingMm", d);

        // --- patient and positioning ---------------------------------------------------------
        double size = r4(clamp(1.0 + 0.07 * geo.nextGaussian(), 0.82, 1.18));
        p.put("sizeFactor", size);
        double halfSpacing = r4(u(geo, 80, 100) * size);
        // Centring error up to +-20 mm, but never so much that a head centre comes within 45 mm of
        // the film edge (a large patient at high magnification barely fits).
        double maxDx = Math.max(0, Math.min(20, (cols - 1) * s / 2 - halfSpacing - 45));
        double pelvisDx = r4(u(geo, -maxDx, maxDx));
        double pelvisDy = r4(u(geo, -25, 25));
        p.put("pelvisOffsetXmm", pelvisDx);
        p.put("pelvisOffsetYmm", pelvisDy);
        p.put("hipHalfSpacingMm", halfSpacing);
        p.put("bodyWidthMm", r4(clamp(360 * size + 18 * geo.nextGaussian(), 300, 420)));
        p.put("bodyDepthRatio", r4(u(geo, 0.58, 0.72)));
        p.put("fatMm", r4(u(geo, 8, 35) * size));
        p.put("tiltFactor", r4(u(geo, 0.85, 1.15)));
        p.put("rotationOffsetMm", r4(u(geo, -10, 10)));
        p.put("sacrumWidthFactor", r4(u(geo, 0.9, 1.1)));
        p.put("iliacFlare", r4(u(geo, 0.9, 1.1)));
        p.put("gasPockets", geo.nextInt(7));
        p.put("textureSeed", geo.nextLong() & 0xFFFFFFFFL);
        double headDiam = clamp(47.5 + 55 * (size - 1) + 2.5 * geo.nextGaussian(), 40, 55);
        double nsaPatient = 130 + 3.5 * geo.nextGaussian();
        for (String side : new String[] {"right", "left"}) {
            p.put(side + ".headRadiusMm", r4(clamp(headDiam / 2 * (1 + 0.01 * geo.nextGaussian()), 20, 27.5)));
            p.put(side + ".neckShaftDeg", r4(clamp(nsaPatient + 1.5 * geo.nextGaussian(), 120, 140)));
            p.put(side + ".legRotationDeg", r4(u(geo, -15, 30)));   // + = external rotation
            p.put(side + ".abductionDeg", r4(u(geo, -8, 8)));
            p.put(side + ".ceAngleDeg", r4(u(geo, 35, 45)));
            p.put(side + ".acetabularAnteversionDeg", r4(u(geo, 12, 22)));
        }

        // --- exposure and detector -------------------------------------------------------------
        p.put("i0", r4(Math.exp(u(geo, Math.log(4e4), Math.log(4e5)))));
        p.put("electronicNoise", r4(u(geo, 2, 20)));
        p.put("blurSigmaMm", r4(u(geo, 0.10, 0.35)));
        p.put("spr", r4(u(geo, 0.2, 0.6)));
        p.put("scatterSigmaMm", r4(u(geo, 30, 60)));
        p.put("heelGain", r4(u(geo, -0.08, 0.08)));
        p.put("equalizationStrength", r4(u(geo, 0.55, 0.85)));
        p.put("equalizationSigmaMm", r4(u(geo, 35, 60)));
        // Shutters never cut into a joint: the field keeps each head centre +-JOINT_MARGIN_MM inside.
        double midX = (cols - 1) * s / 2 + pelvisDx;
        double widthMm = (cols - 1) * s;
        double sideRoom = Math.max(0, midX - halfSpacing - JOINT_MARGIN_MM);
        double[] maxInset = {25, 25, Math.min(25, sideRoom), Math.min(25, sideRoom + widthMm - 2 * midX)};
        String[] edges = {"Top", "Bottom", "Left", "Right"};
        for (int k = 0; k < 4; k++) {
            double inset = geo.nextDouble() < 0.25 ? 0.0 : u(geo, 0, 25);
            p.put("collimation" + edges[k] + "Mm", r4(Math.min(inset, maxInset[k])));
        }
        p.put("markerCorner", geo.nextBoolean() ? "top" : "bottom");
        p.put("markerInsetXmm", r4(u(geo, 10, 40)));
        p.put("markerInsetYmm", r4(u(geo, 10, 30)));
        p.put("markerHeightMm", r4(u(geo, 14, 22)));
        p.put("markerAngleDeg", r4(u(geo, -10, 10)));

        // --- OA findings -----------------------------------------------------------------------
        double w0Patient = u(oa, GradeRules.W0_MIN + 0.15, GradeRules.W0_MAX - 0.15);
        double patientSeverity = Severity.patientLatent(oa);
        double cx = midX;
        double cy = (rows - 1) * s / 2 + pelvisDy + 20 * size;   // mid-hip sits a little below the pelvis centre
        HipTruth right = sampleHip(oa, p, "right", cx - halfSpacing, cy, w0Patient, patientSeverity);
        HipTruth left = sampleHip(oa, p, "left", cx + halfSpacing, cy, w0Patient, patientSeverity);
        return new PhantomCase(seed, rows, cols, s, mag, bits, mono1, right, left, p);
    }

    /** A case of the given phantom version and site. */
    public static PhantomCase sample(long seed, PhantomSpec spec) {
        return spec.version() == PhantomSpec.Version.V1 ? sample(seed) : PhantomSamplerV2.sample(seed, spec.site());
    }

    private static HipTruth sampleHip(SplittableRandom r, Map<String, Object> p, String side,
                                      double x, double y, double w0Patient, double patientSeverity) {
        double latent = Severity.hipLatent(r, patientSeverity);
        int jsn = Severity.grade(Severity.JSN, latent, r);
        int fo = Severity.grade(Severity.FO, latent, r);
        int ao = Severity.grade(Severity.AO, latent, r);
        boolean scl = Severity.grade(Severity.SCLEROSIS, latent, r) > 0;
        boolean cysts = Severity.grade(Severity.CYSTS, latent, r) > 0;
        double w0 = r4(clamp(w0Patient + u(r, -0.15, 0.15), GradeRules.W0_MIN, GradeRules.W0_MAX));
        double jsw = r4(GradeBandsV1.jsnRatio(jsn, r) * w0);
        if (GradeBandsV1.jsnGradeOfRatio(jsw / w0) != jsn) {       // rounding at a band edge
            jsw = r4(w0 * (GradeBandsV1.JSN_RATIO[jsn][0] + GradeBandsV1.JSN_RATIO[jsn][1]) / 2);
        }
        p.put(side + ".latentSeverity", r4(latent));
        p.put(side + ".jswMinThetaDeg", r4(u(r, 10, 30)));          // superolateral minimum
        p.put(side + ".jswSigmaDeg", r4(u(r, 22, 38)));             // angular half-width of the narrowing
        p.put(side + ".sourcilMm", r4(u(r, GradeRules.SOURCIL_MIN_MM, GradeRules.SOURCIL_MAX_MM)));
        p.put(side + ".foMm", r4(GradeBandsV1.osteophyteMm(fo, r)));
        p.put(side + ".foOffsetDeg", r4(u(r, 6, 20)));             // capital drop: past the inferior head-neck junction
        p.put(side + ".foLateral", fo > 0 && r.nextBoolean());
        p.put(side + ".foLateralFraction", r4(u(r, 0.5, 1.0)));
        p.put(side + ".aoMm", r4(GradeBandsV1.osteophyteMm(ao, r)));
        p.put(side + ".aoMedial", ao > 0 && r.nextDouble() < 0.3);
        p.put(side + ".sclerosisMm", scl ? r4(u(r, GradeRules.SCLEROSIS_MIN_MM, GradeRules.SCLEROSIS_MAX_MM)) : 0.0);
        p.put(side + ".sclerosisGain",
                scl ? r4(u(r, GradeRules.SCLEROSIS_GAIN_MIN, GradeRules.SCLEROSIS_GAIN_MAX)) : 0.0);
        int nCysts = cysts ? 1 + r.nextInt(GradeRules.CYST_MAX_COUNT) : 0;
        p.put(side + ".cystCount", nCysts);
        for (int k = 0; k < GradeRules.CYST_MAX_COUNT; k++) {
            // Always draw, so the stream position never depends on the count.
            boolean inHead = r.nextBoolean();
            double theta = u(r, -25, 40);
            double diam = u(r, GradeRules.CYST_MIN_MM, GradeRules.CYST_MAX_MM);
            double depth = u(r, 0.5, 3.0);
            if (k < nCysts) {
                String key = side + ".cyst" + (k + 1);
                p.put(key + "Where", inHead ? "head" : "roof");
                p.put(key + "ThetaDeg", r4(theta));
                p.put(key + "DiamMm", r4(diam));
                p.put(key + "DepthMm", r4(depth));   // gap between the cyst and the joint surface
            }
        }
        double radius = (Double) p.get(side + ".headRadiusMm");
        return GradeBandsV1.requireAgrees(new HipTruth(fo, ao, jsn, scl, cysts, r4(x), r4(y), radius, jsw, w0));
    }

    static double u(SplittableRandom r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** Rounds to 1e-4 so stored parameters survive a JSON round trip exactly. */
    static double r4(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
