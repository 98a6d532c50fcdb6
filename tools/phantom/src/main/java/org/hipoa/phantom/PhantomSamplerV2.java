package org.hipoa.phantom;

import org.hipoa.domain.Feature;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.hipoa.phantom.PhantomSampler.clamp;
import static org.hipoa.phantom.PhantomSampler.r4;
import static org.hipoa.phantom.PhantomSampler.u;

/**
 * Phantom v2's case: v1's film, anatomy and exposure (with pelvic obliquity, wider rotation and some dysplastic
 * acetabula), continuous disease ({@link Disease}) read by the site's {@link Reader}, hardware in some hips, and for
 * the external site another hospital's equipment and habits (CR detector at fixed spacings, lower dose, more blur,
 * stationary grid lines, unsharp masking and a sigmoid LUT, supine films, other collimation and markers, sicker
 * patients). Kept apart from {@link PhantomSampler} so that v1's random streams, and with them its films, never change.
 * Streams of {@code SplittableRandom(seed)}: split 1 film and anatomy, 2 disease and hardware, 3 the renderer's noise,
 * 4 the reader.
 */
final class PhantomSamplerV2 {

    private PhantomSamplerV2() {
    }

    /** Hips with hardware: 4 % internally, 9 % at the external site. */
    static final double HARDWARE_INTERNAL = 0.04;
    static final double HARDWARE_EXTERNAL = 0.09;

    /** The external site's CR plates: fixed detector pixel spacings, mm. */
    static final double[] EXTERNAL_SPACINGS = {0.15, 0.175, 0.20};

    static PhantomCase sample(long seed, PhantomSpec.Site site) {
        boolean ext = site == PhantomSpec.Site.EXTERNAL;
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom geo = root.split();
        SplittableRandom oa = root.split();
        root.split();                           // the renderer's noise
        SplittableRandom reads = root.split();

        Map<String, Object> p = new LinkedHashMap<>();
        double d = ext ? EXTERNAL_SPACINGS[geo.nextInt(EXTERNAL_SPACINGS.length)] : r4(u(geo, 0.14, 0.20));
        double mag = r4(u(geo, 1.05, 1.25));
        int bits = ext ? 12 : 12 + geo.nextInt(5);
        boolean mono1 = geo.nextBoolean();
        double s = d / mag;
        int cols = (int) Math.round(PhantomSampler.FILM_WIDTH_MM / d);
        int rows = (int) Math.round(PhantomSampler.FILM_HEIGHT_MM / d);
        p.put("detectorSpacingMm", d);

        double size = r4(clamp(1.0 + 0.07 * geo.nextGaussian(), 0.82, 1.18));
        p.put("sizeFactor", size);
        double halfSpacing = r4(u(geo, 80, 100) * size);
        double maxDx = Math.max(0, Math.min(20, (cols - 1) * s / 2 - halfSpacing - 45));
        double pelvisDx = r4(u(geo, -maxDx, maxDx));
        double pelvisDy = r4(u(geo, -20, 20));
        // Obliquity: the pelvis tilts in the film plane, so one head sits lower (+ = the patient's left lower).
        double obliquity = r4(clamp((ext ? 2.0 : 1.2) * geo.nextGaussian(), -5, 5));
        p.put("pelvisOffsetXmm", pelvisDx);
        p.put("pelvisOffsetYmm", pelvisDy);
        p.put("pelvicObliquityDeg", obliquity);
        p.put("hipHalfSpacingMm", halfSpacing);
        p.put("bodyWidthMm", r4(clamp(360 * size + 18 * geo.nextGaussian(), 300, 420)));
        p.put("bodyDepthRatio", r4(u(geo, 0.58, 0.72)));
        p.put("fatMm", r4(u(geo, 8, 35) * size));
        p.put("tiltFactor", r4(u(geo, ext ? 0.8 : 0.85, ext ? 1.2 : 1.15)));
        p.put("rotationOffsetMm", r4(ext ? u(geo, -18, 18) : u(geo, -12, 12)));
        p.put("sacrumWidthFactor", r4(u(geo, 0.9, 1.1)));
        p.put("iliacFlare", r4(u(geo, 0.9, 1.1)));
        p.put("gasPockets", geo.nextInt(7));
        p.put("textureSeed", geo.nextLong() & 0xFFFFFFFFL);
        double headDiam = clamp(47.5 + 55 * (size - 1) + 2.5 * geo.nextGaussian(), 40, 55);
        double nsaPatient = 130 + 3.5 * geo.nextGaussian();
        boolean[] dysplastic = new boolean[2];
        String[] sides = {"right", "left"};
        for (int k = 0; k < 2; k++) {
            String side = sides[k];
            // Dysplasia: a shallow, steep, anteverted acetabulum (low CE angle); it also brings OA on earlier.
            dysplastic[k] = geo.nextDouble() < (ext ? 0.08 : 0.06);
            p.put(side + ".headRadiusMm", r4(clamp(headDiam / 2 * (1 + 0.01 * geo.nextGaussian()), 20, 27.5)));
            p.put(side + ".neckShaftDeg", r4(clamp(nsaPatient + 1.5 * geo.nextGaussian(), 120, 140)));
            p.put(side + ".legRotationDeg", r4(u(geo, -15, 30)));
            p.put(side + ".abductionDeg", r4(u(geo, -8, 8)));
            double ce = u(geo, 35, 45);
            double av = u(geo, 12, 22);
            p.put(side + ".dysplastic", dysplastic[k]);
            p.put(side + ".ceAngleDeg", r4(dysplastic[k] ? u(geo, 12, 22) : ce));
            p.put(side + ".acetabularAnteversionDeg", r4(dysplastic[k] ? u(geo, 20, 28) : av));
        }

        if (ext) {
            // Computed radiography: lower dose, more blur, more read-out noise, a stationary grid, and the console's
            // unsharp masking and sigmoid look-up table instead of DR's dynamic-range compression.
            p.put("i0", r4(Math.exp(u(geo, Math.log(1.5e4), Math.log(1e5)))));
            p.put("electronicNoise", r4(u(geo, 10, 30)));
            p.put("blurSigmaMm", r4(u(geo, 0.30, 0.55)));
            p.put("spr", r4(u(geo, 0.3, 0.7)));
            p.put("scatterSigmaMm", r4(u(geo, 30, 60)));
            p.put("heelGain", r4(u(geo, -0.12, 0.12)));
            p.put("equalizationStrength", r4(u(geo, 0.2, 0.45)));
            p.put("equalizationSigmaMm", r4(u(geo, 35, 60)));
            p.put("gridLinesPerMm", r4(u(geo, 3.4, 8.0)));
            p.put("gridDepth", r4(u(geo, 0.03, 0.08)));
            p.put("unsharpAmount", r4(u(geo, 0.6, 1.4)));
            p.put("unsharpSigmaMm", r4(u(geo, 1.0, 2.5)));
            p.put("lutSlope", r4(u(geo, 4, 8)));
            p.put("lutCentre", r4(u(geo, 0.4, 0.6)));
        } else {
            p.put("i0", r4(Math.exp(u(geo, Math.log(4e4), Math.log(4e5)))));
            p.put("electronicNoise", r4(u(geo, 2, 20)));
            p.put("blurSigmaMm", r4(u(geo, 0.10, 0.35)));
            p.put("spr", r4(u(geo, 0.2, 0.6)));
            p.put("scatterSigmaMm", r4(u(geo, 30, 60)));
            p.put("heelGain", r4(u(geo, -0.08, 0.08)));
            p.put("equalizationStrength", r4(u(geo, 0.55, 0.85)));
            p.put("equalizationSigmaMm", r4(u(geo, 35, 60)));
        }
        double midX = (cols - 1) * s / 2 + pelvisDx;
        double cy = (rows - 1) * s / 2 + pelvisDy + 20 * size;
        double tilt = Math.tan(Math.toRadians(obliquity));
        double yRight = cy - halfSpacing * tilt;
        double yLeft = cy + halfSpacing * tilt;
        // Shutters never cut into a joint: each head centre keeps 45 mm to the sides and 65 mm up and down.
        double widthMm = (cols - 1) * s;
        double heightMm = (rows - 1) * s;
        double sideRoom = Math.max(0, midX - halfSpacing - PhantomSampler.JOINT_MARGIN_MM);
        double maxCollimation = ext ? 45 : 25;
        double[] maxInset = {
            Math.min(maxCollimation, Math.max(0, Math.min(yRight, yLeft) - 65)),
            Math.min(maxCollimation, Math.max(0, heightMm - Math.max(yRight, yLeft) - 65)),
            Math.min(maxCollimation, sideRoom),
            Math.min(maxCollimation, sideRoom + widthMm - 2 * midX),
        };
        String[] edges = {"Top", "Bottom", "Left", "Right"};
        for (int k = 0; k < 4; k++) {
            double inset = ext ? u(geo, 10, maxCollimation) : (geo.nextDouble() < 0.25 ? 0.0 : u(geo, 0, 25));
            p.put("collimation" + edges[k] + "Mm", r4(Math.min(inset, maxInset[k])));
        }
        p.put("markerCorner", geo.nextBoolean() ? "top" : "bottom");
        p.put("markerInsetXmm", r4(ext ? u(geo, 3, 15) : u(geo, 10, 40)));
        p.put("markerInsetYmm", r4(ext ? u(geo, 3, 15) : u(geo, 10, 30)));
        p.put("markerHeightMm", r4(ext ? u(geo, 9, 13) : u(geo, 14, 22)));
        p.put("markerAngleDeg", r4(ext ? u(geo, -25, 25) : u(geo, -10, 10)));
        p.put("markerHolder", !ext);

        double w0Patient = u(oa, GradeRules.W0_MIN + 0.15, GradeRules.W0_MAX - 0.15);
        double patientSeverity = Disease.patientLatent(oa, site);
        Reader reader = Reader.of(site);
        Hip right = hip(oa, reads, reader, p, "right", midX - halfSpacing, yRight, w0Patient, patientSeverity,
                dysplastic[0], ext);
        Hip left = hip(oa, reads, reader, p, "left", midX + halfSpacing, yLeft, w0Patient, patientSeverity,
                dysplastic[1], ext);
        return new PhantomCase(seed, rows, cols, s, mag, bits, mono1, right.truth, left.truth, p,
                new StudyLabels(site, reader, right.label, left.label));
    }

    private record Hip(HipTruth truth, HipLabel label) {}

    private static Hip hip(SplittableRandom r, SplittableRandom reads, Reader reader, Map<String, Object> p,
                           String side, double x, double y, double w0Patient, double patientSeverity,
                           boolean dysplastic, boolean ext) {
        double latent = Disease.hipLatent(r, patientSeverity) + (dysplastic ? 0.08 : 0);
        double[] sev = Disease.severities(r, latent);
        for (int f = 0; f < sev.length; f++) sev[f] = r4(sev[f]);
        Hardware.Kind hardware = null;
        boolean hasHardware = r.nextDouble() < (ext ? HARDWARE_EXTERNAL : HARDWARE_INTERNAL);
        double kindDraw = r.nextDouble();
        if (hasHardware) {
            double acc = 0;
            for (Hardware.Kind k : Hardware.Kind.values()) {
                acc += Hardware.KIND_WEIGHTS[k.ordinal()];
                if (kindDraw < acc || k.ordinal() == Hardware.Kind.values().length - 1) {
                    hardware = k;
                    break;
                }
            }
        }
        p.put(side + ".hardware", hardware == null ? "none" : hardware.key());
        p.put(side + ".hardwareHeadMm", r4(u(r, 28, 36)));
        p.put(side + ".hardwareScrews", 2 + r.nextInt(2));
        boolean headGone = hardware != null && hardware.replacesHead();

        int[] truth = new int[5];
        for (Feature f : Feature.values()) truth[f.ordinal()] = Disease.cut(f.ordinal(), sev[f.ordinal()]);
        double w0 = r4(clamp(w0Patient + u(r, -0.15, 0.15), GradeRules.W0_MIN, GradeRules.W0_MAX));
        double q = Disease.jsnRatio(sev[Feature.JSN.ordinal()]);
        // Supine films (the external site) lose the weight-bearing narrowing: the joint opens a little.
        double supine = ext ? u(r, 0.2, 0.5) : 0.0;
        double jsw = r4(Math.min(w0, q * w0 + supine));
        if (ext) {
            // A reader grades the film, not the standing joint: on a supine film the narrowing they can see is the
            // opened joint's. Grading the weight-bearing severity instead would make a label no image can recover
            // (measured: a reader knowing each film's exact joint space and normal width still scored 0.713 against
            // such labels on the external set, 8 points under their "ceiling"), so the ceiling would not be exact.
            int j = Feature.JSN.ordinal();
            p.put(side + ".jsnStandingSeverity", sev[j]);
            sev[j] = r4(Disease.jsnSeverityShown(Math.min(1.0, q + supine / w0), sev[j]));
            truth[j] = Disease.cut(j, sev[j]);
        }
        p.put(side + ".latentSeverity", r4(latent));
        p.put(side + ".jswMinThetaDeg", r4(u(r, 10, 30)));
        p.put(side + ".jswSigmaDeg", r4(u(r, 22, 38)));
        p.put(side + ".sourcilMm", r4(u(r, GradeRules.SOURCIL_MIN_MM, GradeRules.SOURCIL_MAX_MM)));
        if (ext) p.put(side + ".supineExtraMm", r4(supine));
        double fo = headGone ? 0 : Disease.spurMm(Feature.FO.ordinal(), sev[Feature.FO.ordinal()]);
        double ao = headGone ? 0 : Disease.spurMm(Feature.AO.ordinal(), sev[Feature.AO.ordinal()]);
        p.put(side + ".foMm", r4(fo));
        p.put(side + ".foOffsetDeg", r4(u(r, 6, 20)));
        p.put(side + ".foLateral", fo > 0 && r.nextBoolean());
        p.put(side + ".foLateralFraction", r4(u(r, 0.5, 1.0)));
        p.put(side + ".aoMm", r4(ao));
        p.put(side + ".aoMedial", ao > 0 && r.nextDouble() < 0.3);
        double[] scl = headGone ? new double[] {0, 0} : Disease.sclerosis(sev[Feature.SCLEROSIS.ordinal()]);
        p.put(side + ".sclerosisMm", r4(scl[0]));
        p.put(side + ".sclerosisGain", r4(scl[1]));
        double cystSeverity = sev[Feature.CYSTS.ordinal()];
        int nCysts = headGone ? 0 : Disease.cystCount(cystSeverity);
        double largest = Disease.cystMm(cystSeverity);
        p.put(side + ".cystCount", nCysts);
        for (int k = 0; k < GradeRules.CYST_MAX_COUNT; k++) {
            boolean inHead = r.nextBoolean();
            double theta = u(r, -25, 40);
            double diam = k == 0 ? largest : largest * u(r, 0.5, 1.0);
            double depth = u(r, 0.5, 3.0);
            if (k < nCysts) {
                String key = side + ".cyst" + (k + 1);
                p.put(key + "Where", inHead ? "head" : "roof");
                p.put(key + "ThetaDeg", r4(theta));
                p.put(key + "DiamMm", r4(diam));
                p.put(key + "DepthMm", r4(depth));
            }
        }
        double radius = (Double) p.get(side + ".headRadiusMm");
        HipTruth t = new HipTruth(truth[Feature.FO.ordinal()], truth[Feature.AO.ordinal()], truth[Feature.JSN.ordinal()],
                truth[Feature.SCLEROSIS.ordinal()] > 0, truth[Feature.CYSTS.ordinal()] > 0, r4(x), r4(y), radius, jsw, w0);

        // The reader reads every hip (so the stream never depends on hardware); a hip with hardware keeps no grade.
        int[] grades = new int[5];
        double[][] probs = new double[5][];
        for (Feature f : Feature.values()) {
            grades[f.ordinal()] = reader.grade(f, sev[f.ordinal()], reads);
            probs[f.ordinal()] = reader.probabilities(f, sev[f.ordinal()]);
        }
        HipLabel label = hardware != null
                ? new HipLabel(false, hardware, null, null, null, null)
                : new HipLabel(true, null, sev, truth, grades, probs);
        return new Hip(t, label);
    }
}
