package org.hipoa.local;

import org.hipoa.aws.ResultQueries;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.phantom.PhantomSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault injection and load, at test size: phantom studies uploaded by concurrent uploaders through the
 * real handlers and models while a seeded fault plan delays, duplicates and reorders S3 events, kills handlers
 * between their steps, hangs them past their timeout, throws transient SDK errors and kills and restarts DynamoDB.
 * Every upload must end exactly once GRADED (all films are valid), with no status ever going backwards.
 *
 * <p>The {@code slow} tests add crashes and hangs in the inference function (whole batches fail; after five receives
 * healthy messages reach the DLQ, whose consumer grades each alone once), poison messages and lost crops. Each takes
 * 2-3 minutes on two shared cores, so they are excluded from the default run;
 * {@code -Dhipoa.excludedGroups= -Dgroups=slow} runs them. {@link DeadLetterPathTest} shows the second chance in the
 * default run.
 */
class FaultLoadTest {
    static final String PROVIDER = "load-clinic";
    static final int STUDIES = Integer.getInteger("hipoa.faultLoad.studies", 150);
    static final long SEED = Long.getLong("hipoa.faultLoad.seed", 20261201L);

    static EmbeddedAws.Builder faultyStack(Path tmp, FaultPlan faults) {
        return LoadRun.stack(tmp, faults);
    }

    static List<Path> films(Path tmp, int n) throws java.io.IOException {
        long t0 = System.nanoTime();
        List<Path> files = PhantomSet.write(SEED, 0, n, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN,
                tmp.resolve("films"), 2, () -> { }).stream().map(PhantomSet.Study::file).toList();
        System.err.printf("fault load: %d phantom films in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        return files;
    }

    @Test
    void survivableFaults_everyUploadGradedExactlyOnce_noRegression(@TempDir Path tmp) throws Exception {
        List<Path> files = films(tmp, STUDIES);
        FaultPlan faults = new FaultPlan(SEED, FaultPlan.Profile.survivableWithoutBatchFailures());
        try (EmbeddedAws aws = faultyStack(tmp, faults).start()) {
            LoadRun.Report r = LoadRun.run(aws, files, PROVIDER, 4, Duration.ofSeconds(15), Duration.ofMinutes(6));
            System.err.print(r.format());
            assertTrue(r.invariants().green(), r.invariants().summary(30));
            assertEquals(STUDIES, r.invariants().graded(), "every phantom film is valid: all GRADED");
            assertEquals(2, aws.dynalite().restarts(), "DynamoDB was killed and restarted twice");
            assertTrue(r.injected().keySet().stream().anyMatch(k -> k.contains("crash after")), r.injected().toString());
            assertTrue(r.injected().containsKey("s3 duplicate deliveries"), r.injected().toString());
            assertTrue(aws.preprocessFunction().crashes() + aws.inferenceFunction().crashes() > 0);
        }
    }

    /**
     * A whole-batch failure (crash, hang) five times over takes the batch's healthy messages to
     * the DLQ, and the DLQ consumer's solo grade (which gets the plan's faults too) grades them. Every upload ends
     * GRADED — except one whose single solo grade the plan itself struck, which ends FAILED DEAD_LETTERED by design.
     * Seen with seed 20261201 before the second chance: 148 or 149 of 150 GRADED, the rest DEAD_LETTERED.
     */
    @Test
    @Tag("slow")
    void survivableFaultsInBothFunctions_everyUploadGraded(@TempDir Path tmp) throws Exception {
        List<Path> files = films(tmp, STUDIES);
        FaultPlan faults = new FaultPlan(SEED, FaultPlan.Profile.survivable());
        try (EmbeddedAws aws = faultyStack(tmp, faults).start()) {
            LoadRun.Report r = LoadRun.run(aws, files, PROVIDER, 4, Duration.ofSeconds(15), Duration.ofMinutes(6));
            System.err.print(r.format());
            assertTrue(r.invariants().green(), r.invariants().summary(30));
            List<String> wrong = unexpected(aws, faults, id -> false);
            assertTrue(wrong.isEmpty(), "expected GRADED (or DEAD_LETTERED after a struck solo grade): " + wrong);
        }
    }

    /**
     * A poison upload (inference throws for it every time, or every batch holding it fails) ends FAILED
     * with a reason, and only it: its batch-mates are isolated and GRADED — in the batch, or alone by the DLQ
     * consumer when the poison kept crashing their batches; lost crops re-run preprocess (the source is still in the
     * bucket) and end GRADED. A healthy upload may end DEAD_LETTERED only where the plan struck its one solo grade.
     * Seen with seed 20261201 before the fixes: 11 of 100 stuck PREPROCESSED with 12 claim checks in the DLQ, 4
     * FAILED CROPS_UNREADABLE; before the second chance: 75-76 GRADED, 4 INTERNAL, 20-21 DEAD_LETTERED.
     */
    @Test
    @Tag("slow")
    void hostileFaults_poisonFailsAlone_lostCropsAreRedone(@TempDir Path tmp) throws Exception {
        int n = Math.min(STUDIES, 100);
        List<Path> files = films(tmp, n);
        FaultPlan faults = new FaultPlan(SEED, FaultPlan.Profile.hostile().withPoison(0.05, 0.03, 0.05));
        try (EmbeddedAws aws = faultyStack(tmp, faults).start()) {
            LoadRun.Report r = LoadRun.run(aws, files, PROVIDER, 4, Duration.ofSeconds(15), Duration.ofMinutes(6));
            System.err.print(r.format());
            List<String> wrong = unexpected(aws, faults, id -> faults.poisoned(id) || faults.batchPoisoned(id));
            assertTrue(r.invariants().green(), r.invariants().summary(30));
            assertTrue(wrong.isEmpty(), "expected FAILED for poison uploads only, GRADED for the rest: " + wrong);
        }
    }

    /**
     * Uploads that did not end as designed: poison ones must be FAILED; the rest GRADED, or FAILED DEAD_LETTERED
     * where the plan struck the DLQ consumer for them (their one solo grade was crashed, hung or failed).
     */
    static List<String> unexpected(EmbeddedAws aws, FaultPlan faults, java.util.function.Predicate<String> poison) {
        ResultQueries results = new ResultQueries(aws.dynamoDb(), aws.names().table());
        List<String> wrong = new java.util.ArrayList<>();
        int struckInDlq = 0;
        for (java.util.Map.Entry<String, String> e : LoadRun.statuses(aws).entrySet()) {
            String id = e.getKey(), s = e.getValue();
            boolean struck = faults.struck("DeadLetterFunction", id);
            if (poison.test(id)) {
                if (!s.equals("FAILED")) wrong.add(id + " (poison) is " + s);
            } else if (!s.equals("GRADED")) {
                Reason reason = results.get(id).flatMap(ResultRecord::failure).map(Failure::reason).orElse(null);
                if (struck && reason == Reason.DEAD_LETTERED) struckInDlq++;
                else wrong.add(id + " is " + s + " " + reason + (struck ? " (solo grade struck)" : ""));
            }
        }
        System.err.printf("healthy uploads DEAD_LETTERED after the plan struck their solo grade: %d%n", struckInDlq);
        return wrong;
    }
}
