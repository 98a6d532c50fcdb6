package org.hipoa.core.model;

import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import org.hipoa.core.crop.CropContract;
import org.hipoa.dicom.QuotedValue;
import org.hipoa.dicom.Radiograph;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Quality gates between localisation and grading: is this an AP pelvis at all, and are the two heads the localiser
 * found where two femoral heads of an adult can be? A refusal names what failed; grading nonsense is the failure
 * mode this class exists to prevent.
 */
public final class HipQa {
    /** Adult inter-head distance: roughly 140–230 mm; generous bounds so only gross errors are refused. */
    static final double MIN_SEPARATION_MM = 110, MAX_SEPARATION_MM = 280, MAX_VERTICAL_OFFSET_MM = 45;
    /**
     * Each localiser heatmap is a spatial softmax, so its peak says how concentrated the evidence is. Measured on
     * the v1 localiser (25 fresh phantom films): the weaker head's peak 0.128–0.164; the same films cut above the
     * heads 0.002–0.036, a uniform film 0.002, pure noise 0.006. Re-measured on the v2 localiser (2026-12-07, the
     * first 25 films of each v2 test set, seed 271828): the weaker head's peak 0.125–0.156 internal (median 0.144),
     * 0.023–0.157 external (median 0.140; the low one a film it refuses); cut above the heads 0.001–0.019.
     */
    static final double MIN_PEAK = 0.06;
    private static final Set<String> PELVIS_PARTS = Set.of("", "PELVIS", "HIP", "HIPS", "ABDOMEN", "LOWER LIMB", "LEG");
    private static final Set<String> FRONTAL_VIEWS = Set.of("", "AP", "PA");
    /**
     * Modalities a projection radiograph comes as (PS3.3 C.7.3.1.1.1: computed and digital radiography, radiographic
     * imaging, other for a scanned film) or none; anything else (a CT slice, an MR, a nuclear medicine view) is
     * refused by its own attribute. An allowlist, so an unknown modality fails closed.
     */
    private static final Set<String> RADIOGRAPHY = Set.of("", "CR", "DX", "RG", "OT");

    /** Largest ratio between row and column spacing: projection radiographs have square pixels. */
    static final double MAX_PIXEL_ASPECT = 1.2;
    /** Largest film side of any radiograph: no detector or stitched long-length film reaches 2 m. */
    static final double MAX_FILM_MM = 2000;
    /** An AP pelvis film (or a wider hip-to-knee one) is at most this big; larger is no film the localiser knows. */
    static final double MAX_WIDTH_MM = 1000, MAX_HEIGHT_MM = 1500, MIN_WIDTH_MM = 200, MIN_HEIGHT_MM = 120;
    /**
     * Bilinear samples the localiser canvas and both crops may take (see {@link #resamplingSamples}). A 0.1 mm film
     * needs ~19 M; the cap allows ~13x that, and stops a film whose fine spacing would make the box filter's
     * k x k kernel cost seconds to minutes.
     */
    static final long MAX_RESAMPLING_SAMPLES = 250_000_000L;

    private HipQa() {}

    /**
     * Refuses images whose own attributes say they are something else (a chest, a lateral view), and films whose
     * resampling for this crop contract would cost more than {@link #MAX_RESAMPLING_SAMPLES}.
     */
    public static Optional<Rejection> checkAttributes(Radiograph r, CropContract contract) {
        Optional<Rejection> geometry = checkGeometry(r);
        if (geometry.isPresent()) return geometry;
        String part = r.bodyPart().toUpperCase(Locale.ROOT);
        if (!PELVIS_PARTS.contains(part)) {
            return Optional.of(new Rejection(Reason.NOT_AP_PELVIS, "Body Part Examined is "
                    + QuotedValue.bodyPart(part) + ", not PELVIS or HIP."));
        }
        String modality = r.modality().strip().toUpperCase(Locale.ROOT);
        if (!RADIOGRAPHY.contains(modality)) {
            return Optional.of(new Rejection(Reason.NOT_AP_PELVIS, "Modality is " + QuotedValue.codeString(modality)
                    + "; HipOA grades projection radiographs (CR, DX)."));
        }
        String view = r.viewPosition().toUpperCase(Locale.ROOT);
        if (!FRONTAL_VIEWS.contains(view)) {
            return Optional.of(new Rejection(Reason.NOT_AP_PELVIS, "View Position is "
                    + QuotedValue.codeString(view) + "; grading needs an AP view."));
        }
        double widthMm = r.columns() * r.spacing().columnMm(), heightMm = r.rows() * r.spacing().rowMm();
        // Written so that NaN fails: a comparison with NaN is false, so each gate states what passes.
        if (!(widthMm >= MIN_WIDTH_MM && heightMm >= MIN_HEIGHT_MM)) {
            return Optional.of(new Rejection(Reason.NOT_AP_PELVIS, String.format(Locale.ROOT,
                    "The film covers %.0f x %.0f mm; an AP pelvis needs both hips (about 250 x 150 mm or more).",
                    widthMm, heightMm)));
        }
        if (!(widthMm <= MAX_WIDTH_MM && heightMm <= MAX_HEIGHT_MM)) {
            return Optional.of(new Rejection(Reason.NOT_AP_PELVIS, String.format(Locale.ROOT,
                    "The film covers %.0f x %.0f mm; an AP pelvis film is at most %.0f x %.0f mm.",
                    widthMm, heightMm, MAX_WIDTH_MM, MAX_HEIGHT_MM)));
        }
        long samples = resamplingSamples(r, contract);
        if (!(samples <= MAX_RESAMPLING_SAMPLES)) {
            return Optional.of(new Rejection(Reason.TOO_LARGE, String.format(Locale.ROOT,
                    "Pixels of %.3g x %.3g mm are far finer than a radiograph's: resampling this film would take "
                            + "%,d samples (limit %,d).", r.spacing().rowMm(), r.spacing().columnMm(), samples,
                    MAX_RESAMPLING_SAMPLES)));
        }
        return Optional.empty();
    }

    /**
     * Refuses a film whose size attributes no radiograph has: the pixels decode (so {@code ./hipoa inspect} shows
     * them), but measuring in millimetres on them would be wrong, and the provider should fix the attributes rather
     * than re-send the file. Checked before anything resamples the film, whose cost follows the finer spacing.
     */
    static Optional<Rejection> checkGeometry(Radiograph r) {
        double rowMm = r.spacing().rowMm(), columnMm = r.spacing().columnMm();
        double ratio = Math.max(rowMm, columnMm) / Math.min(rowMm, columnMm);
        if (!(ratio <= MAX_PIXEL_ASPECT)) {
            return Optional.of(new Rejection(Reason.IMPLAUSIBLE_GEOMETRY, String.format(Locale.ROOT,
                    "The pixel spacing is %.4g mm between rows and %.4g mm between columns (%.3g:1); radiographs have "
                            + "square pixels (within %.1f:1), so the spacing attributes are wrong.",
                    rowMm, columnMm, ratio, MAX_PIXEL_ASPECT)));
        }
        double heightMm = r.rows() * rowMm, widthMm = r.columns() * columnMm;
        if (!(heightMm <= MAX_FILM_MM && widthMm <= MAX_FILM_MM)) {
            return Optional.of(new Rejection(Reason.IMPLAUSIBLE_GEOMETRY, String.format(Locale.ROOT,
                    "Rows x Columns at this pixel spacing make a film %.0f x %.0f mm; no radiograph exceeds %.0f mm, so "
                            + "the size or spacing attributes are wrong.", widthMm, heightMm, MAX_FILM_MM)));
        }
        return Optional.empty();
    }

    /**
     * An upper bound on the bilinear samples {@code LocaliserInput.of} and two {@code HipCropper.crop} calls take:
     * each output pixel averages k x k samples, k = ceil(output step / finer source spacing) (the crop contract's
     * box filter); the localiser skips canvas pixels off the film, the crops do not.
     */
    static long resamplingSamples(Radiograph r, CropContract c) {
        double fine = Math.min(r.spacing().rowMm(), r.spacing().columnMm());
        double widthMm = r.columns() * r.spacing().columnMm(), heightMm = r.rows() * r.spacing().rowMm();
        long kLocaliser = Math.max(1, (long) Math.ceil(c.localiserMmPerPx() / fine - 1e-9));
        long onFilm = (long) Math.min(c.localiserWidthPx(), Math.ceil(widthMm / c.localiserMmPerPx()) + 1)
                * (long) Math.min(c.localiserHeightPx(), Math.ceil(heightMm / c.localiserMmPerPx()) + 1);
        double step = c.graderCropMm() / c.graderOutputPx();
        long kCrop = Math.max(1, (long) Math.ceil(step / fine - 1e-9));
        long crop = (long) c.graderOutputPx() * c.graderOutputPx();
        return onFilm * kLocaliser * kLocaliser + 2 * crop * kCrop * kCrop;
    }

    /** Refuses a localisation that is not two plausible femoral heads. */
    public static Optional<Rejection> checkHeads(HipLocator.Located h, Radiograph r) {
        double[] values = {h.rightXmm(), h.rightYmm(), h.rightPeak(), h.leftXmm(), h.leftYmm(), h.leftPeak()};
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return Optional.of(new Rejection(Reason.HIPS_NOT_FOUND,
                        "The localiser returned no usable head position or confidence for this film."));
            }
        }
        if (!(h.rightPeak() >= MIN_PEAK && h.leftPeak() >= MIN_PEAK)) {
            return Optional.of(new Rejection(Reason.HIPS_NOT_FOUND, String.format(Locale.ROOT,
                    "No clear femoral head (localiser confidence right %.2f, left %.2f; need %.2f).",
                    h.rightPeak(), h.leftPeak(), MIN_PEAK)));
        }
        double dx = h.leftXmm() - h.rightXmm(), dy = Math.abs(h.leftYmm() - h.rightYmm());
        if (!(dx >= MIN_SEPARATION_MM && dx <= MAX_SEPARATION_MM && dy <= MAX_VERTICAL_OFFSET_MM)) {
            return Optional.of(new Rejection(Reason.HIPS_NOT_FOUND, String.format(Locale.ROOT,
                    "The two heads found are %.0f mm apart horizontally and %.0f mm vertically; an AP pelvis has "
                            + "them %.0f-%.0f mm apart, level within %.0f mm.",
                    dx, dy, MIN_SEPARATION_MM, MAX_SEPARATION_MM, MAX_VERTICAL_OFFSET_MM)));
        }
        double w = r.columns() * r.spacing().columnMm(), hgt = r.rows() * r.spacing().rowMm();
        for (double[] c : new double[][] {{h.rightXmm(), h.rightYmm()}, {h.leftXmm(), h.leftYmm()}}) {
            if (!(c[0] >= 0 && c[1] >= 0 && c[0] <= w && c[1] <= hgt)) {
                return Optional.of(new Rejection(Reason.HIPS_NOT_FOUND, "A head was placed outside the film."));
            }
        }
        return Optional.empty();
    }
}
