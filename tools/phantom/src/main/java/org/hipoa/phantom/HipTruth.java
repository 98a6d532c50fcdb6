package org.hipoa.phantom;

/**
 * Exact ground truth for one hip of a phantom film: the reference grades (v1: the band a finding was drawn in,
 * {@link GradeBandsV1}; v2: the cut of its severity, {@link Disease}) and the geometry the renderer draws. Positions are patient-plane millimetres in image
 * coordinates (x along columns, y along rows, origin at the centre of the top-left pixel).
 *
 * @param fo           femoral osteophyte grade 0..3
 * @param ao           acetabular osteophyte grade 0..3
 * @param jsn          joint-space narrowing grade 0..3
 * @param sclerosis    subchondral sclerosis present
 * @param cysts        subchondral cysts present
 * @param centerXmm    femoral head centre x (mm)
 * @param centerYmm    femoral head centre y (mm)
 * @param headRadiusMm femoral head radius (mm)
 * @param jswMm        minimum superior joint-space width exactly as rendered (mm)
 * @param normalJswMm  this hip's un-narrowed joint-space width w0 (mm)
 */
public record HipTruth(int fo, int ao, int jsn, boolean sclerosis, boolean cysts,
                       double centerXmm, double centerYmm,
                       double headRadiusMm, double jswMm,
                       double normalJswMm) {

    public HipTruth {
        checkGrade("fo", fo);
        checkGrade("ao", ao);
        checkGrade("jsn", jsn);
        if (!Double.isFinite(centerXmm) || !Double.isFinite(centerYmm)) {
            throw new IllegalArgumentException("hip centre must be finite");
        }
        if (!(headRadiusMm >= 15 && headRadiusMm <= 35)) {
            throw new IllegalArgumentException("headRadiusMm out of range: " + headRadiusMm);
        }
        if (!(normalJswMm > 0 && normalJswMm <= 8)) {
            throw new IllegalArgumentException("normalJswMm out of range: " + normalJswMm);
        }
        if (!(jswMm >= 0 && jswMm <= normalJswMm)) {
            throw new IllegalArgumentException("jswMm must lie in [0, normalJswMm]: " + jswMm);
        }
    }

    private static void checkGrade(String name, int g) {
        if (g < 0 || g > 3) {
            throw new IllegalArgumentException(name + " grade must be 0..3: " + g);
        }
    }

    /** jswMm / normalJswMm, the quantity the JSN bands are defined on. */
    public double jswRatio() {
        return jswMm / normalJswMm;
    }
}
