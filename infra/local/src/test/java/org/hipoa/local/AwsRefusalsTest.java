package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.HipPictureStore;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.ResultQueries;
import org.hipoa.aws.SourceReads;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.upload.Provider;
import org.hipoa.inference.InferenceHandler;
import org.hipoa.phantom.PhantomFilm;
import org.hipoa.preprocess.PreprocessHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the pipeline does when AWS refuses it something, with the real handlers against the local S3, SQS and DynamoDB:
 * an upload S3 will not hand over ends FAILED with a reason at once (not retried for a day), a refusal of our own
 * queue ends the upload INTERNAL, and a file never stored is a 404, not a 500.
 *
 * <p>Some of these pass on an S3 that answers 404 for every missing key whatever the caller may do; they are here
 * for the stack that enforces the template's roles, where a role without {@code s3:ListBucket} gets 403 instead.
 */
class AwsRefusalsTest {
    private static final String PROVIDER = "refused-clinic";
    private static EmbeddedAws aws;
    private static PipelineConfig config;
    private static ResultQueries results;
    private static Keys keys;
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
        aws.grantApiKey(Set.of(PROVIDER));
    }

    @AfterAll
    static void stop() {
        if (aws != null) aws.close();
    }

    @Test
    void uploadDeletedBeforePreprocessReadsIt_endsFailedSourceMissing() throws Exception {
        UploadedFilm u = upload(film(1));
        aws.s3().deleteObject(b -> b.bucket(aws.names().ingestBucket()).key(u.key()));
        assertDoesNotThrow(() -> preprocess(aws.s3As("PreprocessFunction"), config).handleRequest(u.event(), null),
                "a deleted upload is not retried");
        ResultRecord r = results.get(u.uploadId()).orElseThrow();
        assertEquals(Status.FAILED, r.status());
        assertEquals(Stage.PREPROCESS, r.failure().orElseThrow().stage());
        assertEquals(Reason.SOURCE_MISSING, r.failure().orElseThrow().reason());
    }

    @Test
    void uploadS3RefusesToHandOver_endsFailedSourceUnreadable_atOnce() throws Exception {
        UploadedFilm u = upload(film(2));
        // The object is there, but S3 refuses this caller the GET (403 AccessDenied), as it refuses a role that a
        // key policy or a bucket policy shuts out: here a role of the stack that has no grant on uploads.
        S3Client refused = aws.s3As("ExportDeadLetterFunction");
        assertDoesNotThrow(() -> preprocess(refused, config).handleRequest(u.event(), null),
                "the same GET gets the same 403: retrying would only park the upload");
        ResultRecord r = results.get(u.uploadId()).orElseThrow();
        assertEquals(Status.FAILED, r.status());
        assertEquals(Reason.SOURCE_UNREADABLE, r.failure().orElseThrow().reason());
        assertEquals(SourceReads.Unreadable.ACCESS_DENIED.rejection().message(), r.failure().orElseThrow().message());
        assertFalse(r.failure().orElseThrow().message().contains(u.key()), "S3's own words name the key");
    }

    @Test
    void ourOwnQueueRefusingTheClaimCheck_endsFailedInternal_notRetried() throws Exception {
        UploadedFilm u = upload(film(3));
        // A misconfigured QUEUE_URL: SQS answers 400 QueueDoesNotExist on every try.
        String missingQueue = aws.queueUrl().substring(0, aws.queueUrl().lastIndexOf('/') + 1) + "no-such-queue";
        PipelineConfig wrong = PipelineConfig.from(name -> name.equals(PipelineConfig.QUEUE_URL) ? missingQueue
                : System.getProperty(name));
        assertDoesNotThrow(() -> preprocess(aws.s3As("PreprocessFunction"), wrong).handleRequest(u.event(), null));
        ResultRecord r = results.get(u.uploadId()).orElseThrow();
        assertEquals(Status.FAILED, r.status(), "not left RECEIVED for the sweeper");
        assertEquals(Reason.INTERNAL, r.failure().orElseThrow().reason());
    }

    @Test
    void heatmapsNeverStored_areA404ProblemThroughTheApi_notA500() throws Exception {
        UploadedFilm u = upload(film(4));
        preprocess(aws.s3As("PreprocessFunction"), config).handleRequest(u.event(), null);
        awaitMessage(u.uploadId());
        new InferenceHandler(config, aws.s3As("InferenceFunction"), aws.dynamoDbAs("InferenceFunction")).handleRequest(batch(u.uploadId()), null);
        assertEquals(Status.GRADED, results.get(u.uploadId()).orElseThrow().status());
        // As for a result graded by a model without CAM outputs: no {side}.cam.json was ever written.
        aws.s3().deleteObject(b -> b.bucket(aws.names().ingestBucket()).key(HipPictureStore.key(
                Provider.parse(PROVIDER).orElseThrow(), u.uploadId(), Side.LEFT, HipPictureStore.Kind.HEATMAPS)));
        LocalApiClient api = CheckedApi.client(aws);
        LocalApiClient.Response cam = api.get("/v1/uploads/" + u.uploadId() + "/hips/left.cam.json");
        assertEquals(404, cam.status(), cam.body().toString());
        assertEquals("NOT_FOUND", cam.body().path("code").asText());
        assertEquals(200, api.get("/v1/uploads/" + u.uploadId() + "/hips/right.cam.json").status());
    }

    // ------------------------------------------------------------------ helpers

    static Path film(int index) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("films"));
        return PhantomFilm.write(20261207L, index, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, dir).file();
    }

    static UploadedFilm upload(Path file) {
        return UploadedFilm.put(aws, keys, "incoming/" + PROVIDER + "/refused/" + names.incrementAndGet() + "-"
                + file.getFileName(), file);
    }

    static PreprocessHandler preprocess(S3Client s3, PipelineConfig c) {
        return new PreprocessHandler(c, s3, aws.sqsAs("PreprocessFunction"), aws.dynamoDbAs("PreprocessFunction"));
    }

    static void awaitMessage(String uploadId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!messages.containsKey(uploadId) && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(messages.containsKey(uploadId), "no claim check for " + uploadId);
    }

    static SQSEvent batch(String uploadId) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(uploadId);
        m.setBody(messages.get(uploadId));
        m.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(m));
        return e;
    }
}
