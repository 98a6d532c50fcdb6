package org.hipoa.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Reliability bins and expected calibration error of one feature's top-class probabilities (Guo et al. 2017):
 * equal-width confidence bins; ECE = Σ (bin share × |bin accuracy − bin mean confidence|). Written here, not taken
 * from a library: no Java library in the stack computes it, and it is a dozen lines.
 */
final class Reliability {
    private final long[] count;
    private final double[] confidence, hits;
    /** Every prediction's top-class probability, for {@link #eceIfCalibrated}. */
    private double[] all = new double[256];
    private int n;

    Reliability(int bins) {
        count = new long[bins];
        confidence = new double[bins];
        hits = new double[bins];
    }

    /** One prediction: its probability vector and the reference grade. */
    void add(float[] p, int reference) {
        int best = 0;
        for (int i = 0; i < p.length; i++) {
            // Fails closed: a NaN or out-of-range probability is a broken prediction, not one to bin.
            if (!(p[i] >= 0 && p[i] <= 1)) throw new IllegalArgumentException("probability " + p[i]);
            if (p[i] > p[best]) best = i;
        }
        double c = p[best];
        int b = bin(c);
        count[b]++;
        confidence[b] += c;
        if (n == all.length) all = Arrays.copyOf(all, n * 2);
        all[n++] = c;
        hits[b] += best == reference ? 1 : 0;
    }

    double ece() {
        long n = 0;
        for (long c : count) n += c;
        if (n == 0) return Double.NaN;
        double e = 0;
        for (int b = 0; b < count.length; b++) {
            if (count[b] > 0) e += (double) count[b] / n * Math.abs(hits[b] / count[b] - confidence[b] / count[b]);
        }
        return e;
    }

    /**
     * The ECE a perfectly calibrated model with these same confidences would show on a set this size: each prediction
     * right with probability equal to its confidence, {@code rounds} draws, {mean, 90th percentile}. The binned ECE is
     * biased upwards on a finite set (every bin's accuracy is a noisy estimate, and |noise| averages above 0), so a
     * figure near this floor says "as calibrated as this many hips can show", not "miscalibrated by that much".
     */
    double[] eceIfCalibrated(int rounds, long seed) {
        if (n == 0) return new double[] {Double.NaN, Double.NaN};
        SplittableRandom r = new SplittableRandom(seed);
        double[] e = new double[rounds];
        int bins = count.length;
        for (int k = 0; k < rounds; k++) {
            double[] simHits = new double[bins];
            for (int i = 0; i < n; i++) {
                if (r.nextDouble() < all[i]) simHits[bin(all[i])]++;
            }
            double sum = 0;
            for (int b = 0; b < bins; b++) {
                if (count[b] > 0) sum += (double) count[b] / n * Math.abs(simHits[b] / count[b] - confidence[b] / count[b]);
            }
            e[k] = sum;
        }
        Arrays.sort(e);
        return new double[] {Arrays.stream(e).average().orElseThrow(), e[(int) Math.floor(0.9 * (rounds - 1))]};
    }

    void write(ObjectNode node) {
        double[] floor = eceIfCalibrated(1000, 15);
        node.put("ece15", round4(ece())).put("ece15IfCalibrated", round4(floor[0]))
                .put("ece15IfCalibratedP90", round4(floor[1]));
        ArrayNode bins = node.putArray("reliability");
        for (int b = 0; b < count.length; b++) {
            if (count[b] == 0) continue;
            bins.addObject().put("upTo", Math.round((b + 1) * 1000.0 / count.length) / 1000.0).put("n", count[b])
                    .put("meanConfidence", Math.round(confidence[b] / count[b] * 10000) / 10000.0)
                    .put("accuracy", Math.round(hits[b] / count[b] * 10000) / 10000.0);
        }
    }

    /** The equal-width bin of a confidence: (b/B, (b+1)/B], with 0 in the first. */
    private int bin(double confidence) {
        return Math.max(0, Math.min(count.length - 1, (int) Math.ceil(confidence * count.length) - 1));
    }

    /** NaN stays NaN: Math.round would make it 0, a calibration nobody measured. */
    private static double round4(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 10000) / 10000.0;
    }
}
