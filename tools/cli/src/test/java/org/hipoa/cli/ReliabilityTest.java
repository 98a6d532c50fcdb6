package org.hipoa.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.domain.result.HipResultJson;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ECE as training's fit_abstention.ece computes it (the same two cases as its test), so the two figures agree. */
class ReliabilityTest {
    @Test
    void calibratedIsZero_overconfidentIsTheGap() {
        Reliability calibrated = new Reliability(15), overconfident = new Reliability(15);
        for (int i = 0; i < 1000; i++) {
            int label = i < 700 ? 0 : 1;
            calibrated.add(new float[] {0.7f, 0.3f}, label);
            overconfident.add(new float[] {0.99f, 0.01f}, label);
        }
        assertEquals(0.0, calibrated.ece(), 1e-6);
        assertEquals(0.29, overconfident.ece(), 1e-6);
        ObjectNode n = HipResultJson.JSON.createObjectNode();
        overconfident.write(n);
        assertEquals(0.29, n.get("ece15").asDouble(), 1e-9);
        assertEquals(1, n.get("reliability").size());
        assertEquals(1.0, n.get("reliability").get(0).get("upTo").asDouble());
    }

    @Test
    void aPerfectlyCalibratedModelStillShowsAnEceOnAFiniteSet_andTheFloorSaysHowMuch() {
        // 1,000 predictions at 0.7: a calibrated model's bin accuracy is Binomial(1000, 0.7) / 1000, whose mean absolute
        // deviation from 0.7 is about sqrt(0.21 / 1000) * sqrt(2 / pi) = 0.0116; 100 predictions give about 0.0366.
        Reliability big = new Reliability(15), small = new Reliability(15);
        for (int i = 0; i < 1000; i++) big.add(new float[] {0.7f, 0.3f}, i < 700 ? 0 : 1);
        for (int i = 0; i < 100; i++) small.add(new float[] {0.7f, 0.3f}, i < 70 ? 0 : 1);
        double[] b = big.eceIfCalibrated(2000, 1), s = small.eceIfCalibrated(2000, 1);
        assertEquals(0.0116, b[0], 0.0015);
        assertEquals(0.0366, s[0], 0.004);
        assertTrue(b[1] > b[0] && s[1] > s[0]);
        assertTrue(Double.isNaN(new Reliability(15).eceIfCalibrated(10, 1)[0]), "no predictions: no floor, not 0");
        ObjectNode n = HipResultJson.JSON.createObjectNode();
        big.write(n);
        assertTrue(n.get("ece15IfCalibrated").asDouble() > 0.009 && n.get("ece15IfCalibrated").asDouble() < 0.014);
    }

    @Test
    void nanProbabilities_failClosed_andNothingIsNaN() {
        Reliability r = new Reliability(15);
        assertThrows(IllegalArgumentException.class, () -> r.add(new float[] {Float.NaN, 0.5f}, 0));
        assertThrows(IllegalArgumentException.class, () -> r.add(new float[] {0.5f, Float.NaN}, 0));
        assertTrue(Double.isNaN(r.ece()), "no predictions: no ECE, not 0");
    }
}
