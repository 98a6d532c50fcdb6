package org.hipoa.local;

import org.hipoa.domain.result.ResultRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault plan is a function of its seed; the invariant checker names each broken promise. */
class FaultsAndInvariantsTest {
    private static List<String> decisions(long seed) {
        FaultPlan f = new FaultPlan(seed, FaultPlan.Profile.hostile().withPoison(0.1, 0.1, 0.1));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String id = "upload-" + i;
            ObjectCreated o = new ObjectCreated("b", "incoming/p/" + i, 10, "e" + i, Optional.empty(),
                    "ObjectCreated:Put", Instant.EPOCH);
            out.add(id + " " + f.deliveries(o) + " " + f.strike("Pre", "crash", id, 0.2) + " "
                    + f.strike("Pre", "crash", id, 0.2) + " " + f.poisoned(id) + " " + f.loses("crops/" + id));
        }
        out.add(f.outages(1000).toString());
        return out;
    }

    @Test
    void oneSeedGivesTheSameFaults_anotherSeedOthers() {
        assertEquals(decisions(42), decisions(42));
        assertNotEquals(decisions(42), decisions(43));
    }

    @Test
    void ratesAreRoughlyHonoured_andTheBudgetBoundsFaultsPerUpload() {
        FaultPlan f = new FaultPlan(7, FaultPlan.Profile.survivable());
        int struck = 0;
        for (int i = 0; i < 10_000; i++) if (f.strike("Pre", "crash", "u" + i, 0.1)) struck++;
        assertTrue(struck > 900 && struck < 1100, "~10 %: " + struck);
        int again = 0;
        for (int k = 0; k < 100; k++) if (f.strike("Pre", "other", "same-upload", 1.0)) again++;
        assertEquals(1, again, "faultsPerUpload 1: one injected failure per upload and function");
        List<Duration> d = f.deliveries(new ObjectCreated("b", "k", 1, "e", Optional.empty(), "ObjectCreated:Put",
                Instant.EPOCH));
        assertTrue(!d.isEmpty() && d.size() <= 3 && d.stream().allMatch(x -> x.toMillis() <= 1500));
    }

    @Test
    void regressionsAreNamed() {
        assertNull(Invariants.regression(List.of("RECEIVED", "PREPROCESSED", "GRADED")));
        assertNull(Invariants.regression(List.of("RECEIVED", "FAILED")));
        assertNull(Invariants.regression(List.of("PREPROCESSED", "FAILED")));
        assertTrue(Invariants.regression(List.of("PREPROCESSED", "RECEIVED")).contains("went back"));
        assertTrue(Invariants.regression(List.of("GRADED", "FAILED")).contains("left terminal"));
        assertTrue(Invariants.regression(List.of("FAILED", "GRADED")).contains("left terminal"));
    }

    @Test
    void everyBrokenPromiseIsReported() {
        Instant t = Instant.parse("2026-12-01T00:00:00Z");
        org.hipoa.domain.upload.UploadRef ref = org.hipoa.domain.upload.UploadRef.fromEvent("b", "incoming/p/x.dcm",
                null, "etag");
        String stuck = "a".repeat(32), ok_ = "b".repeat(32), missing = "c".repeat(32), extra = "d".repeat(32);
        ResultRecord received = ResultRecord.received(stuck, ref, org.hipoa.domain.Fixtures.KEYS, t);
        ResultRecord ok = ResultRecord.received(ok_, ref, org.hipoa.domain.Fixtures.KEYS, t).failed(org.hipoa.domain.result.Failure.of(
                org.hipoa.domain.result.Stage.PREPROCESS, new org.hipoa.domain.Rejection(
                        org.hipoa.domain.Reason.TRUNCATED, "cut short")), t);
        Invariants.Report r = Invariants.evaluate(Set.of(stuck, ok_, missing),
                Map.of(stuck, received, ok_, ok, extra, ok),
                Map.of(stuck, 1, ok_, 2, extra, 1),
                Map.of(ok_, List.of("RECEIVED", "FAILED", "RECEIVED")),
                List.of(stuck), List.of(), 3);
        String all = String.join("\n", r.violations());
        assertTrue(all.contains("missing: upload " + missing), all);
        assertTrue(all.contains("stuck: upload " + stuck + " ended RECEIVED"), all);
        assertTrue(all.contains("duplicate: upload " + ok_ + " has 2 items"), all);
        assertTrue(all.contains("extra: item " + extra), all);
        assertTrue(all.contains("regression: upload " + ok_ + " left terminal FAILED"), all);
        assertTrue(all.contains("dlq: a parked claim check of upload " + stuck + " is not reflected as FAILED"), all);
        assertEquals(1, r.failed());
        assertTrue(!r.green());
    }
}
