package org.hipoa.phantom;

import org.hipoa.domain.Side;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that determines one phantom film. The renderer reads only this record, so a case
 * (including one edited by hand) renders identically anywhere. {@code params} holds every sampled
 * nuisance and geometry parameter (JSON-friendly: numbers, strings, booleans), in a stable order.
 *
 * @param pixelSpacingMm patient-plane pixel spacing = detector spacing / magnification
 * @param magnification  radiographic magnification factor (1.05..1.25)
 * @param monochrome1    the writer inverts when true; the renderer always returns bone-bright values
 * @param labels         phantom v2's site, reader and per-hip labels; null for a v1 case
 */
public record PhantomCase(long seed, int rows, int columns, double pixelSpacingMm,
                          double magnification,
                          int bitsStored,
                          boolean monochrome1,
                          HipTruth right, HipTruth left,
                          Map<String, Object> params,
                          StudyLabels labels) {

    /** A phantom v1 case: its truth is its label, there is no reader. */
    public PhantomCase(long seed, int rows, int columns, double pixelSpacingMm, double magnification, int bitsStored,
                       boolean monochrome1, HipTruth right, HipTruth left, Map<String, Object> params) {
        this(seed, rows, columns, pixelSpacingMm, magnification, bitsStored, monochrome1, right, left, params, null);
    }

    public PhantomCase {
        if (rows < 64 || columns < 64 || rows > 8192 || columns > 8192) {
            throw new IllegalArgumentException("rows/columns out of range: " + rows + "x" + columns);
        }
        if (!(pixelSpacingMm > 0.05 && pixelSpacingMm < 5)) {
            throw new IllegalArgumentException("pixelSpacingMm out of range: " + pixelSpacingMm);
        }
        if (!(magnification >= 1.0 && magnification <= 1.5)) {
            throw new IllegalArgumentException("magnification out of range: " + magnification);
        }
        if (bitsStored < 12 || bitsStored > 16) {
            throw new IllegalArgumentException("bitsStored must be 12..16: " + bitsStored);
        }
        if (right == null || left == null || params == null) {
            throw new IllegalArgumentException("right, left and params are required");
        }
        // Radiological convention: the patient's right hip is on the image's left.
        if (!(right.centerXmm() < left.centerXmm())) {
            throw new IllegalArgumentException("right hip must have the smaller x");
        }
        for (Map.Entry<String, Object> e : params.entrySet()) {
            Object v = e.getValue();
            if (!(v instanceof Number || v instanceof String || v instanceof Boolean)) {
                throw new IllegalArgumentException("param " + e.getKey() + " is not JSON-friendly: " + v);
            }
            if (v instanceof Double d && !Double.isFinite(d)) {
                throw new IllegalArgumentException("param " + e.getKey() + " is not finite");
            }
        }
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** The truth for one side. */
    public HipTruth hip(Side side) {
        return side == Side.RIGHT ? right : left;
    }

    /** Maximum stored value, 2^bitsStored - 1. */
    public int maxValue() {
        return (1 << bitsStored) - 1;
    }

    /** Film width in patient-plane mm (distance between first and last column centres). */
    public double widthMm() {
        return (columns - 1) * pixelSpacingMm;
    }

    /** Film height in patient-plane mm. */
    public double heightMm() {
        return (rows - 1) * pixelSpacingMm;
    }

    /** Phantom v2's labels, empty for a v1 case. */
    public java.util.Optional<StudyLabels> v2() {
        return java.util.Optional.ofNullable(labels);
    }

    /** A numeric parameter, or a default when the case lacks it (v1 cases lack v2's parameters). */
    double numOr(String key, double fallback) {
        Object v = params.get(key);
        return v instanceof Number n ? n.doubleValue() : fallback;
    }

    /** A numeric parameter; fails loudly when a renderer-required parameter is missing. */
    double num(String key) {
        Object v = params.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("params lacks numeric '" + key + "'");
        }
        return n.doubleValue();
    }

    /** A boolean parameter. */
    boolean flag(String key) {
        Object v = params.get(key);
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("params lacks boolean '" + key + "'");
        }
        return b;
    }

    /** A string parameter. */
    String str(String key) {
        Object v = params.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("params lacks string '" + key + "'");
        }
        return s;
    }
}
