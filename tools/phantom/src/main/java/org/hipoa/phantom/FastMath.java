package org.hipoa.phantom;

/** Cheap approximations used in per-pixel loops where the JDK's exact versions dominate run time. */
final class FastMath {

    private FastMath() {
    }

    /** atan2 with |error| < 3e-4 rad (odd polynomial on [0,1]); the cavity table is 0.5 deg anyway. */
    static double atan2(double y, double x) {
        double ax = Math.abs(x);
        double ay = Math.abs(y);
        double mx = Math.max(ax, ay);
        if (mx == 0) {
            return 0;
        }
        double a = Math.min(ax, ay) / mx;
        double s = a * a;
        double r = ((-0.0464964749 * s + 0.15931422) * s - 0.327622764) * s * a + a;
        if (ay > ax) {
            r = 1.57079637 - r;
        }
        if (x < 0) {
            r = 3.14159274 - r;
        }
        return y < 0 ? -r : r;
    }

    /**
     * e^-a for a >= 0 (float), relative error < 2e-5: 2^x split into exponent bits and a degree-5
     * polynomial for the fraction. Underflows to 0 beyond a = 80.
     */
    static float expNeg(float a) {
        if (a > 80f || a != a) {
            return 0f;
        }
        float x = -a * 1.44269504f;          // <= 0
        int fl = (int) x - 1;                  // floor(x) or floor(x) - 1: keeps f in (0, 1]
        float f = x - fl;
        float p = 1f + f * (0.693147182f + f * (0.240226507f + f * (0.0555041087f
                + f * (0.00961812911f + f * (0.00133335581f + f * 0.000154035304f)))));
        return Float.intBitsToFloat((fl + 127) << 23) * p;
    }

    /**
     * Natural log for normal positive floats, absolute error < 1e-6: exponent bits plus
     * 2 atanh((m-1)/(m+1)) on the mantissa m in [sqrt(1/2), sqrt(2)).
     */
    static float log(float d) {
        int bits = Float.floatToRawIntBits(d);
        int e = ((bits >>> 23) & 0xFF) - 127;
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);
        if (m > 1.41421356f) {
            m *= 0.5f;
            e++;
        }
        float t = (m - 1f) / (m + 1f);
        float t2 = t * t;
        float lnm = 2f * t * (1f + t2 * (0.333333333f + t2 * (0.2f + t2 * (0.142857143f + t2 * 0.111111111f))));
        return e * 0.693147181f + lnm;
    }
}
