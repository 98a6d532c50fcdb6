package org.hipoa.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reliability bins and expected calibration error of one feature's top-class probabilities (Guo et al. 2017):
 * equal-width confidence bins; ECE = Σ (bin share × |bin accuracy − bin mean confidence|). Written here, not taken
 * from a library: no Java library in the stack computes it, and it is a dozen lines.
 */
final class Reliability {
    private final long[] count;
    private final double[] confidence, hits;

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
        int b = Math.min(count.length - 1, (int) Math.ceil(c * count.length) - 1);
        b = Math.max(b, 0);
        count[b]++;
        confidence[b] += c;
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

    void write(ObjectNode node) {
        node.put("ece15", Math.round(ece() * 10000) / 10000.0);
        ArrayNode bins = node.putArray("reliability");
        for (int b = 0; b < count.length; b++) {
            if (count[b] == 0) continue;
            bins.addObject().put("upTo", Math.round((b + 1) * 1000.0 / count.length) / 1000.0).put("n", count[b])
                    .put("meanConfidence", Math.round(confidence[b] / count[b] * 10000) / 10000.0)
                    .put("accuracy", Math.round(hits[b] / count[b] * 10000) / 10000.0);
        }
    }
}
