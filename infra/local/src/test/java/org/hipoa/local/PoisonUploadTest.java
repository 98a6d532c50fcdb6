package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.HipPictureStore;
import org.hipoa.aws.ResultQueries;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.wire.CropMessage;
import org.hipoa.inference.DeadLetterHandler;
import org.hipoa.inference.ClaimCheckGrader;
import org.hipoa.inference.InferenceHandler;
import org.hipoa.inference.SweepHandler;
import org.hipoa.phantom.PhantomFilm;
import org.hipoa.preprocess.PreprocessHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, "poison uploads": every upload ends GRADED or FAILED with a reason, whatever goes wrong inside a handler.
 * The real handlers, models and local S3/SQS/DynamoDB; the stack's own triggers are replaced by stand-ins that only
 * capture, so each test drives a handler with exactly the event it needs (receive counts included).
 */
class PoisonUploadTest {
    private static final String PROVIDER = "acme-clinic";
    private static EmbeddedAws aws;
    private static PipelineConfig config;
    private static ResultQueries results;
    private static Keys keys;
    /** Claim checks preprocess sent, by uploadId (captured by the stand-in inference function). */
    private static Map<String, String> messages;
    private static final AtomicInteger names = new AtomicInteger();
    /** ApproximateReceiveCount of a claim check's first receive from the DLQ (carried over from the queue). */
    private static final int FIRST_DLQ_RECEIVE = PipelineConfig.DEFAULT_MAX_RECEIVE_COUNT + 1;
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
    }

    @AfterAll
    static void stop() {
        if (aws != null) aws.close();
    }

    // ------------------------------------------------------------------ preprocess

    @Test
    void preparerFault_endsFailedInternal_withAHumanMessage_insteadOfARetry() throws Exception {
        UploadedFilm u = upload(film(1));
        PreprocessHandler h = preprocess(o -> {
            throw new IllegalStateException("localiser bug at offset 1234");
        });
        assertDoesNotThrow(() -> h.handleRequest(u.event(), null), "a fault that repeats must not be retried");
        ResultRecord r = results.get(u.uploadId()).orElseThrow();
        assertEquals(Status.FAILED, r.status());
        assertEquals(Reason.INTERNAL, r.failure().orElseThrow().reason());
        assertHuman(r.failure().orElseThrow().message());
    }

    @Test
    void stackOverflowOnAnInput_endsFailedInternal() throws Exception {
        UploadedFilm u = upload(film(5));
        assertDoesNotThrow(() -> preprocess(o -> {
            throw new StackOverflowError();
        }).handleRequest(u.event(), null));
        assertEquals(Reason.INTERNAL, results.get(u.uploadId()).orElseThrow().failure().orElseThrow().reason());
    }

    @Test
    void nonFiniteHipCentres_endFailed_notStuckReceived() throws Exception {
        // What a Rescale Slope of 1e300 once produced: infinite pixels, NaN centres from the localiser.
        UploadedFilm u = upload(film(2));
        PreprocessHandler h = preprocess(o -> o.then(p -> Outcome.ok(new PreparedStudy(nanCentre(p.right()),
                nanCentre(p.left()), p.studyInstanceUid(), p.spacing(), p.timingsMs()))));
        assertDoesNotThrow(() -> h.handleRequest(u.event(), null));
        ResultRecord r = results.get(u.uploadId()).orElseThrow();
        assertEquals(Status.FAILED, r.status());
        assertEquals(Reason.INTERNAL, r.failure().orElseThrow().reason());
    }

    @Test
    void rescaleSlope1e300_throughTheRealPreparer_endsFailedWithAReason() throws Exception {
        Path f = film(3);
        AttributeList list = new AttributeList();
        list.read(f.toFile());
        DecimalStringAttribute slope = new DecimalStringAttribute(TagFromName.RescaleSlope);
        slope.addValue("1e300");
        list.put(slope);
        Path bomb = tmp.resolve("slope-1e300.dcm");
        list.write(bomb.toFile(), TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, true, true);
        UploadedFilm u = upload(bomb);
        assertDoesNotThrow(() -> preprocess(UnaryOperator.identity()).handleRequest(u.event(), null));
        ResultRecord r = results.get(u.uploadId()).orElseThrow();
        // Whichever reason the decoder gives it (a rejection of non-finite values, or INTERNAL), never RECEIVED.
        assertEquals(Status.FAILED, r.status(), "stuck as " + r.status());
        assertHuman(r.failure().orElseThrow().message());
    }

    @Test
    void sdkFault_isTransient_andPropagates() throws Exception {
        UploadedFilm u = upload(film(4));
        PreprocessHandler h = preprocess(o -> {
            throw SdkClientException.create("connection reset");
        });
        assertThrows(SdkClientException.class, () -> h.handleRequest(u.event(), null));
        assertEquals(Status.RECEIVED, results.get(u.uploadId()).orElseThrow().status(), "left for the retry");
    }

    // ------------------------------------------------------------------ inference

    @Test
    void oneBadStudyInABatch_failsAlone_andEndsFailedOnItsLastReceive() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 10; i < 14; i++) ids.add(preprocessed(film(i)));
        String poison = ids.get(1);
        double poisonX = CropMessage.fromJson(messages.get(poison)).right().centerXmm();
        InferenceHandler h = new InferenceHandler(config, aws.s3As("InferenceFunction"), aws.dynamoDbAs("InferenceFunction"), real -> hips -> {
            if (hips.stream().anyMatch(s -> s.right().centerXmm() == poisonX)) {
                throw new IllegalStateException("grader fault on this study");
            }
            return real.apply(hips);
        });
        SQSBatchResponse first = h.handleRequest(batch(ids, 1), null);
        assertEquals(List.of(poison), failedIds(first), "only the guilty message is retried");
        for (String id : ids) {
            assertEquals(id.equals(poison) ? Status.PREPROCESSED : Status.GRADED,
                    results.get(id).orElseThrow().status(), id);
        }
        SQSBatchResponse last = h.handleRequest(batch(List.of(poison), PipelineConfig.DEFAULT_MAX_RECEIVE_COUNT),
                null);
        assertEquals(List.of(), failedIds(last), "nothing left to park in the DLQ");
        ResultRecord r = results.get(poison).orElseThrow();
        assertEquals(Status.FAILED, r.status());
        assertEquals(Reason.INTERNAL, r.failure().orElseThrow().reason());
        assertHuman(r.failure().orElseThrow().message());
    }

    @Test
    void lostCrops_areCutAgainFromTheUpload_andGraded() throws Exception {
        String id = preprocessed(film(20));
        aws.s3().deleteObject(b -> b.bucket(aws.names().workBucket()).key("crops/" + id + ".npy"));
        InferenceHandler h = new InferenceHandler(config, aws.s3As("InferenceFunction"), aws.dynamoDbAs("InferenceFunction"));
        assertEquals(List.of(), failedIds(h.handleRequest(batch(List.of(id), 1), null)));
        ResultRecord r = results.get(id).orElseThrow();
        assertEquals(Status.GRADED, r.status(), "failure: " + r.failure());
        assertEquals(2, r.hips().size());
    }

    @Test
    void lostCrops_andUploadGone_endFailedSourceMissing() throws Exception {
        UploadedFilm u = upload(film(21));
        preprocess(UnaryOperator.identity()).handleRequest(u.event(), null);
        awaitMessage(u.uploadId());
        aws.s3().deleteObject(b -> b.bucket(aws.names().workBucket()).key("crops/" + u.uploadId() + ".npy"));
        aws.s3().deleteObject(b -> b.bucket(aws.names().ingestBucket()).key(u.key()));
        new InferenceHandler(config, aws.s3As("InferenceFunction"), aws.dynamoDbAs("InferenceFunction")).handleRequest(batch(List.of(u.uploadId()), 1), null);
        ResultRecord r = results.get(u.uploadId()).orElseThrow();
        assertEquals(Status.FAILED, r.status());
        assertEquals(Reason.SOURCE_MISSING, r.failure().orElseThrow().reason());
    }

    // ------------------------------------------------------------------ DLQ and sweep

    @Test
    void deadLetters_onALaterReceive_endTheirUploads_butNeverAFinishedOne() throws Exception {
        String parked = preprocessed(film(30));
        String graded = preprocessed(film(31));
        new InferenceHandler(config, aws.s3As("InferenceFunction"), aws.dynamoDbAs("InferenceFunction")).handleRequest(batch(List.of(graded), 1), null);
        assertEquals(Status.GRADED, results.get(graded).orElseThrow().status());

        // The second receive from the DLQ: the solo grade had its turn on the first; from the table alone now.
        SQSEvent dlq = batch(List.of(parked, graded), FIRST_DLQ_RECEIVE + 1);
        SQSEvent.SQSMessage junk = new SQSEvent.SQSMessage();
        junk.setMessageId("junk");
        junk.setBody("not a claim check");
        List<SQSEvent.SQSMessage> all = new ArrayList<>(dlq.getRecords());
        all.add(junk);
        dlq.setRecords(all);
        SQSBatchResponse r = new DeadLetterHandler(config, aws.dynamoDbAs("DeadLetterFunction"), () -> {
            throw new AssertionError("a later receive must not grade");
        }).handleRequest(dlq, null);
        assertEquals(List.of(), failedIds(r));
        ResultRecord p = results.get(parked).orElseThrow();
        assertEquals(Status.FAILED, p.status());
        assertEquals(Reason.DEAD_LETTERED, p.failure().orElseThrow().reason());
        assertEquals(Status.GRADED, results.get(graded).orElseThrow().status(), "a final result is never replaced");
    }

    /** The second chance: a healthy study whose batch-mates sank every batch is graded alone by the DLQ consumer. */
    @Test
    void deadLetter_firstReceive_gradesTheStudyAlone_asInferenceWould() throws Exception {
        String parked = preprocessed(film(32));
        String viaInference = preprocessed(film(33));
        new InferenceHandler(config, aws.s3As("InferenceFunction"), aws.dynamoDbAs("InferenceFunction")).handleRequest(batch(List.of(viaInference), 1), null);
        ResultRecord reference = results.get(viaInference).orElseThrow();

        // The first DLQ receive reads maxReceiveCount + 1: SQS carries the count over from the claim-check queue.
        SQSBatchResponse r = new DeadLetterHandler(config, aws.s3As("DeadLetterFunction"), aws.dynamoDbAs("DeadLetterFunction"))
                .handleRequest(batch(List.of(parked), FIRST_DLQ_RECEIVE), null);
        assertEquals(List.of(), failedIds(r));
        ResultRecord g = results.get(parked).orElseThrow();
        assertEquals(Status.GRADED, g.status(), "failure: " + g.failure());
        assertEquals(2, g.hips().size());
        assertEquals(reference.model(), g.model(), "graded by the same model as the inference function");
        assertEquals(reference.inferenceTimingsMs().keySet(), g.inferenceTimingsMs().keySet(),
                "recorded with the same steps");
        // Its hip pictures were written before the item, as inference writes them.
        for (Side side : Side.values()) {
            assertDoesNotThrow(() -> aws.s3().headObject(b -> b.bucket(aws.names().ingestBucket())
                    .key(HipPictureStore.key(g.provider().orElseThrow(), parked, side))), side.name());
        }

        // A duplicate of the parked message (SQS is at-least-once) changes nothing.
        new DeadLetterHandler(config, aws.s3As("DeadLetterFunction"), aws.dynamoDbAs("DeadLetterFunction")).handleRequest(batch(List.of(parked),
                FIRST_DLQ_RECEIVE), null);
        assertEquals(g, results.get(parked).orElseThrow());
    }

    @Test
    void deadLetter_soloGradeThatFails_comesBack_andItsNextReceiveEndsItDeadLettered() throws Exception {
        String thrown = preprocessed(film(34));
        String crashed = preprocessed(film(35));
        double thrownX = CropMessage.fromJson(messages.get(thrown)).right().centerXmm();
        double crashedX = CropMessage.fromJson(messages.get(crashed)).right().centerXmm();
        AtomicInteger graderCalls = new AtomicInteger();
        DeadLetterHandler h = new DeadLetterHandler(config, aws.dynamoDbAs("DeadLetterFunction"),
                () -> new ClaimCheckGrader(config, aws.s3As("DeadLetterFunction"), aws.dynamoDbAs("DeadLetterFunction"),
                        real -> hips -> {
                    graderCalls.incrementAndGet();
                    double x = hips.getFirst().right().centerXmm();
                    if (x == thrownX) throw new IllegalStateException("grader fault on this study");
                    if (x == crashedX) throw new OutOfMemoryError("the runtime died");
                    return real.apply(hips);
                }));

        assertEquals(List.of(thrown), failedIds(h.handleRequest(batch(List.of(thrown), FIRST_DLQ_RECEIVE), null)),
                "a solo grade that throws lets its message come back");
        // A crash (or a timeout) is a function error: the whole invocation, which batch size 1 makes this message.
        // (Receive 1: a DLQ that counted afresh.)
        assertThrows(OutOfMemoryError.class, () -> h.handleRequest(batch(List.of(crashed), 1), null));
        for (String id : List.of(thrown, crashed)) {
            assertEquals(Status.PREPROCESSED, results.get(id).orElseThrow().status(), "no end on a first try");
        }
        int calls = graderCalls.get();

        assertEquals(List.of(), failedIds(h.handleRequest(batch(List.of(thrown, crashed), FIRST_DLQ_RECEIVE + 1),
                null)));
        assertEquals(calls, graderCalls.get(), "the second receive does not grade again");
        for (String id : List.of(thrown, crashed)) {
            ResultRecord r = results.get(id).orElseThrow();
            assertEquals(Status.FAILED, r.status(), id);
            assertEquals(Reason.DEAD_LETTERED, r.failure().orElseThrow().reason(), id);
            assertHuman(r.failure().orElseThrow().message());
        }
    }

    @Test
    void deadLetter_soloGradeOfUnreadableCrops_endsFailedWithThatReason() throws Exception {
        String id = preprocessed(film(36));
        aws.s3().putObject(b -> b.bucket(aws.names().workBucket()).key("crops/" + id + ".npy"),
                RequestBody.fromString("not a numpy file"));
        SQSBatchResponse r = new DeadLetterHandler(config, aws.s3As("DeadLetterFunction"), aws.dynamoDbAs("DeadLetterFunction"))
                .handleRequest(batch(List.of(id), FIRST_DLQ_RECEIVE), null);
        assertEquals(List.of(), failedIds(r));
        ResultRecord f = results.get(id).orElseThrow();
        assertEquals(Status.FAILED, f.status());
        assertEquals(Reason.CROPS_UNREADABLE, f.failure().orElseThrow().reason(), "inference's reason, not DEAD_LETTERED");
    }

    @Test
    void sweep_endsWhatIsStuckPastTheBound_andReportsTheOldestAge() throws Exception {
        String stuck = preprocessed(film(40));
        Instant receivedAt = results.get(stuck).orElseThrow().receivedAt();
        Clock later = Clock.fixed(receivedAt.plus(PipelineConfig.DEFAULT_STUCK_AFTER).plusSeconds(1), ZoneOffset.UTC);
        Clock soon = Clock.fixed(receivedAt.plusSeconds(60), ZoneOffset.UTC);

        SweepHandler.Summary early = new SweepHandler(config, aws.dynamoDbAs("SweepFunction"), soon).handleRequest(null, null);
        assertTrue(early.oldestAgeSeconds() >= 60, "age of the oldest unfinished upload: " + early);
        assertEquals(Status.PREPROCESSED, results.get(stuck).orElseThrow().status(), "not yet past the bound");

        SweepHandler.Summary sweep = new SweepHandler(config, aws.dynamoDbAs("SweepFunction"), later).handleRequest(null, null);
        assertTrue(sweep.timedOut() >= 1, sweep.toString());
        ResultRecord r = results.get(stuck).orElseThrow();
        assertEquals(Status.FAILED, r.status());
        assertEquals(Reason.TIMED_OUT, r.failure().orElseThrow().reason());
        assertHuman(r.failure().orElseThrow().message());
        SweepHandler.Summary after = new SweepHandler(config, aws.dynamoDbAs("SweepFunction"), later).handleRequest(null, null);
        assertEquals(0, after.timedOut(), "a second sweep finds nothing more to end: " + after);
        assertEquals(Status.FAILED, results.get(stuck).orElseThrow().status());
    }

    // ------------------------------------------------------------------ helpers

    static Path film(int index) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("films"));
        return PhantomFilm.write(20261201L, index, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, dir).file();
    }

    static UploadedFilm upload(Path file) {
        return UploadedFilm.put(aws, keys, "incoming/" + PROVIDER + "/poison/" + names.incrementAndGet() + "-"
                + file.getFileName(), file);
    }

    static PreprocessHandler preprocess(UnaryOperator<Outcome<PreparedStudy>> hook) {
        return new PreprocessHandler(config, aws.s3As("PreprocessFunction"), aws.sqsAs("PreprocessFunction"),
                aws.dynamoDbAs("PreprocessFunction"), hook);
    }

    /** Uploads and preprocesses a film; returns its uploadId once its claim check was captured. */
    static String preprocessed(Path file) throws Exception {
        UploadedFilm u = upload(file);
        preprocess(UnaryOperator.identity()).handleRequest(u.event(), null);
        assertEquals(Status.PREPROCESSED, results.get(u.uploadId()).orElseThrow().status());
        awaitMessage(u.uploadId());
        return u.uploadId();
    }

    static void awaitMessage(String uploadId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!messages.containsKey(uploadId) && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(messages.containsKey(uploadId), "no claim check for " + uploadId);
    }

    static SQSEvent batch(List<String> uploadIds, int receiveCount) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (String id : uploadIds) {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId(id);
            m.setBody(messages.get(id));
            m.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(receiveCount)));
            records.add(m);
        }
        SQSEvent e = new SQSEvent();
        e.setRecords(records);
        return e;
    }

    static List<String> failedIds(SQSBatchResponse r) {
        return r.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    static HipCrop nanCentre(HipCrop c) {
        return new HipCrop(c.side(), c.size(), c.pixels(), Double.NaN, Double.NaN);
    }

    /** No Java class names, exception words or byte offsets in what partners read. */
    static void assertHuman(String message) {
        assertFalse(message == null || message.isBlank());
        for (String bad : Set.of("Exception", "java.", "org.", "offset", "null")) {
            assertFalse(message.contains(bad), "'" + bad + "' in: " + message);
        }
    }
}
