package org.hipoa.local;

import org.hipoa.aws.Invocation;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.ResultQueries;
import org.hipoa.aws.SourceReads;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.core.study.StudyGrader;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.wire.CropMessage;
import org.hipoa.inference.ClaimCheck;
import org.hipoa.inference.ClaimCheckGrader;
import org.hipoa.phantom.PhantomFilm;
import org.hipoa.preprocess.PreprocessHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The grading of claim checks as the GPU service's poller and the dead-letter consumer call it: plain claim checks in
 * (no SQS event), the message ids to come back out. The real grader and preparer, local S3/SQS/DynamoDB under the
 * inference function's role; the stack's own triggers only capture, so each test hands the grader exactly the
 * claim checks it needs.
 */
class ClaimCheckGraderTest {
    private static final String PROVIDER = "acme-clinic";
    private static EmbeddedAws aws;
    private static PipelineConfig config;
    private static ResultQueries results;
    private static Keys keys;
    private static PreprocessHandler preprocess;
    /** Claim checks preprocess sent, by uploadId (captured by the stand-in inference function). */
    private static Map<String, String> messages;
    private static final AtomicInteger names = new AtomicInteger();
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        HandlerStack stack = HandlerStack.start();
        aws = stack.aws();
        config = stack.config();
        results = stack.results();
        keys = stack.keys();
        messages = stack.claimChecks();
        preprocess = new PreprocessHandler(config, aws.s3As("PreprocessFunction"), aws.sqsAs("PreprocessFunction"),
                aws.dynamoDbAs("PreprocessFunction"));
    }

    @AfterAll
    static void stop() {
        if (aws != null) aws.close();
    }

    @Test
    void aBatchOfClaimChecks_isGradedInOneGraderCall_andNoneComesBack() throws Exception {
        UploadedFilm a = preprocessed(film(1)), b = preprocessed(film(2));
        List<Integer> calls = new CopyOnWriteArrayList<>();
        ClaimCheckGrader grader = grader(Set.of(), calls);

        List<String> comeBack = gradeBatch(grader, List.of(check(a, 1), check(b, 1)));

        assertEquals(List.of(), comeBack);
        assertEquals(List.of(2), calls, "one grader call with both studies");
        for (UploadedFilm u : List.of(a, b)) {
            ResultRecord r = results.get(u.uploadId()).orElseThrow();
            assertEquals(Status.GRADED, r.status(), "failure: " + r.failure());
            assertEquals(2, r.hips().size());
        }
    }

    @Test
    void aFinishedUpload_isDoneWith_withoutAGraderCall() throws Exception {
        UploadedFilm u = preprocessed(film(3));
        gradeBatch(grader(Set.of(), new CopyOnWriteArrayList<>()), List.of(check(u, 1)));
        ResultRecord graded = results.get(u.uploadId()).orElseThrow();
        List<Integer> calls = new CopyOnWriteArrayList<>();

        assertEquals(List.of(), gradeBatch(grader(Set.of(), calls), List.of(check(u, 2))), "a duplicate is done with");
        assertEquals(List.of(), calls);
        assertEquals(graded, results.get(u.uploadId()).orElseThrow(), "a final result is never replaced");
    }

    @Test
    void aStudyTheGraderFailsFor_withoutAReceiveCount_comesBack_andIsNeverEndedOnTheCount() throws Exception {
        UploadedFilm poison = preprocessed(film(4)), healthy = preprocessed(film(5));
        ClaimCheckGrader grader = grader(Set.of(centre(poison)), new CopyOnWriteArrayList<>());

        List<String> comeBack = gradeBatch(grader, List.of(check(poison, 0), check(healthy, 0)));

        assertEquals(List.of(poison.uploadId()), comeBack, "only the study the grader fails for comes back");
        assertEquals(Status.PREPROCESSED, results.get(poison.uploadId()).orElseThrow().status(),
                "an unknown count is no last receive");
        assertEquals(Status.GRADED, results.get(healthy.uploadId()).orElseThrow().status());
    }

    @Test
    void theSecondChance_neverEndsAStudyOnItsReceiveCount() throws Exception {
        UploadedFilm poison = preprocessed(film(6));
        ClaimCheckGrader grader = grader(Set.of(centre(poison)), new CopyOnWriteArrayList<>());
        ClaimCheck last = check(poison, config.maxReceiveCount());

        boolean done = Invocation.run(null, m -> grader.gradeAlone(last, m));
        assertFalse(done, "it comes back");
        assertEquals(Status.PREPROCESSED, results.get(poison.uploadId()).orElseThrow().status());
        assertEquals(List.of(), gradeBatch(grader, List.of(last)), "a batch's last receive ends it");
        assertEquals(Reason.INTERNAL, results.get(poison.uploadId()).orElseThrow().failure().orElseThrow().reason());
    }

    @Test
    void lostCrops_ofAnUploadOverwrittenSince_endSourceMissing_notTheNewFilm() throws Exception {
        UploadedFilm u = preprocessed(film(7));
        aws.s3().deleteObject(b -> b.bucket(aws.names().workBucket()).key("crops/" + u.uploadId() + ".npy"));
        // The same key, other bytes: the item names the first upload's ETag, which S3 no longer has (412).
        aws.upload(u.key(), RequestBody.fromFile(film(8)));
        List<Integer> calls = new CopyOnWriteArrayList<>();

        assertEquals(List.of(), gradeBatch(grader(Set.of(), calls), List.of(check(u, 1))));
        assertEquals(List.of(), calls, "nothing graded");
        ResultRecord r = results.get(u.uploadId()).orElseThrow();
        assertEquals(Status.FAILED, r.status());
        assertEquals(Reason.SOURCE_MISSING, r.failure().orElseThrow().reason());
        assertEquals(Stage.PREPROCESS, r.failure().orElseThrow().stage(), "the re-cut is a preparation");
        assertEquals(SourceReads.MISSING, r.failure().orElseThrow().message());
    }

    // ------------------------------------------------------------------ helpers

    /** The real grader, counting its calls' sizes, failing for the studies whose right hip is at a given x. */
    static ClaimCheckGrader grader(Set<Double> failFor, List<Integer> calls) {
        return new ClaimCheckGrader(config, aws.s3As("InferenceFunction"), aws.dynamoDbAs("InferenceFunction"),
                real -> hips -> {
                    calls.add(hips.size());
                    for (StudyGrader.Hips h : hips) {
                        if (failFor.contains(h.right().centerXmm())) {
                            throw new IllegalStateException("grader fault on this study");
                        }
                    }
                    return real.apply(hips);
                });
    }

    /** As the GPU service's poller calls it: the metrics of one invocation, flushed after it. */
    static List<String> gradeBatch(ClaimCheckGrader grader, List<ClaimCheck> batch) {
        return Invocation.run(null, m -> grader.gradeBatch(batch, m));
    }

    /** The upload's claim check, its message id the uploadId. */
    static ClaimCheck check(UploadedFilm u, int receiveCount) {
        return new ClaimCheck(u.uploadId(), messages.get(u.uploadId()), receiveCount);
    }

    static double centre(UploadedFilm u) {
        return CropMessage.fromJson(messages.get(u.uploadId())).right().centerXmm();
    }

    static Path film(int index) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("films"));
        return PhantomFilm.write(20261207L, index, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, dir).file();
    }

    /** Uploads and preprocesses a film; returns it once its claim check was captured. */
    static UploadedFilm preprocessed(Path file) throws Exception {
        UploadedFilm u = UploadedFilm.put(aws, keys, "incoming/" + PROVIDER + "/grader/" + names.incrementAndGet()
                + "-" + file.getFileName(), file);
        preprocess.handleRequest(u.event(), null);
        assertEquals(Status.PREPROCESSED, results.get(u.uploadId()).orElseThrow().status());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!messages.containsKey(u.uploadId()) && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(messages.containsKey(u.uploadId()), "no claim check for " + u.uploadId());
        return u;
    }
}
