package org.hipoa.phantom;

import org.hipoa.domain.Side;

/**
 * One hip's frame and joint geometry in patient-plane mm. Local coordinates are (lat, down): lat
 * points away from the midline (image -x for the RIGHT hip, +x for the LEFT), down is image +y.
 * Angles theta are measured at the head centre from straight up (0) towards lateral (90), so the
 * point at (theta, r) is (lat, down) = (r sin theta, -r cos theta).
 */
final class HipGeometry {

    final Side side;
    final double sgn;
    final double cx;
    final double cy;
    final double headR;
    final double w0;
    final double wMin;
    final double wThetaDeg;
    final double wSigmaDeg;
    final double ceDeg;
    final double sourcilMm;

    HipGeometry(Side side, HipTruth t, PhantomCase c) {
        String k = side == Side.RIGHT ? "right." : "left.";
        this.side = side;
        this.sgn = side == Side.RIGHT ? -1 : 1;
        this.cx = t.centerXmm();
        this.cy = t.centerYmm();
        this.headR = t.headRadiusMm();
        this.w0 = t.normalJswMm();
        this.wMin = t.jswMm();
        this.wThetaDeg = c.num(k + "jswMinThetaDeg");
        this.wSigmaDeg = c.num(k + "jswSigmaDeg");
        this.ceDeg = c.num(k + "ceAngleDeg");
        this.sourcilMm = c.num(k + "sourcilMm");
    }

    /** Joint-space width at angle theta: w0 with a Gaussian dip to wMin at wThetaDeg. */
    double jsw(double thetaDeg) {
        double d = (thetaDeg - wThetaDeg) / wSigmaDeg;
        return w0 - (w0 - wMin) * Math.exp(-d * d);
    }

    /** Image x of a local point. */
    double x(double lat) {
        return cx + sgn * lat;
    }

    /** Image y of a local point. */
    double y(double down) {
        return cy + down;
    }

    /** Image x of the point at polar (theta, r) about the head centre. */
    double px(double thetaDeg, double r) {
        return cx + sgn * r * Math.sin(Math.toRadians(thetaDeg));
    }

    /** Image y of the point at polar (theta, r) about the head centre. */
    double py(double thetaDeg, double r) {
        return cy - r * Math.cos(Math.toRadians(thetaDeg));
    }

    /** Image-space angle (radians, atan2 convention) of the local direction theta. */
    double imageAngle(double thetaDeg) {
        double t = Math.toRadians(thetaDeg);
        return Math.atan2(-Math.cos(t), sgn * Math.sin(t));
    }

    /** theta (degrees, -180..180) of an image offset (dx, dy) from the head centre. */
    double thetaOf(double dx, double dy) {
        return Math.toDegrees(Math.atan2(sgn * dx, -dy));
    }
}
