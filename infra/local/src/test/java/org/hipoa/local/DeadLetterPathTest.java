package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.ResultQueries;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.wire.CropMessage;
import org.hipoa.inference.DeadLetterHandler;
import org.hipoa.phantom.PhantomFilm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Claim checks whose inference invocation dies every time (a crash or timeout never reaches the handler's own
 * last-receive rule) are redriven to the DLQ by the queue, and the stack's DLQ consumer — the real DeadLetterHandler,
 * wired as template.yaml wires it (batch size 1, the inference function's timeout) — grades each study alone once:
 * the healthy one ends GRADED; the one whose solo grade crashes too comes back and ends FAILED (DEAD_LETTERED) on its
 * next receive. Neither stays PREPROCESSED, and neither is graded twice.
 */
class DeadLetterPathTest {
    @Test
    void functionErrorOnEveryReceive_dlqGradesTheHealthyStudyAlone_andDeadLettersTheOneThatCrashesAgain(
            @TempDir Path tmp) throws Exception {
        Set<String> crashAgain = ConcurrentHashMap.newKeySet();
        Map<String, Integer> soloGrades = new ConcurrentHashMap<>();
        // Per claim check, not per invocation: the mapping may put both studies in one batch or not, as SQS may.
        Map<String, Integer> inferenceReceives = new ConcurrentHashMap<>();
        AtomicInteger inferenceInvocations = new AtomicInteger();
        try (EmbeddedAws aws = EmbeddedAws.builder()
                // Lambda requires visibility >= the function's timeout; both short so the test takes seconds, long
                // enough for the DLQ consumer's cold start (it loads the grader on its first solo grade).
                .inferenceTimeout(Duration.ofSeconds(5))
                .visibilityTimeout(Duration.ofSeconds(5))
                .maxReceiveCount(2)
                .inference(() -> (RequestHandler<SQSEvent, SQSBatchResponse>) (e, c) -> {
                    inferenceInvocations.incrementAndGet();
                    for (SQSEvent.SQSMessage m : e.getRecords()) {
                        inferenceReceives.merge(CropMessage.fromJson(m.getBody()).uploadId(), 1, Integer::sum);
                    }
                    throw new IllegalStateException("the function died");
                })
                .deadLetter(() -> {
                    DeadLetterHandler real = new DeadLetterHandler();
                    int maxReceiveCount = PipelineConfig.fromEnvironment().maxReceiveCount();
                    return (e, c) -> {
                        for (SQSEvent.SQSMessage m : e.getRecords()) {
                            String id = CropMessage.fromJson(m.getBody()).uploadId();
                            boolean solo = DeadLetterHandler.gradesAlone(m, maxReceiveCount);
                            if (solo) soloGrades.merge(id, 1, Integer::sum);
                            if (solo && crashAgain.contains(id)) {
                                throw new OutOfMemoryError("the solo grade died too");
                            }
                        }
                        return real.handleRequest(e, c);
                    };
                })
                .start()) {
            String bucket = aws.names().ingestBucket();
            Keys keys = new Keys(aws.studyKeySecret());
            String healthy = put(aws, keys, bucket, "incoming/acme/healthy.dcm",
                    PhantomFilm.write(11L, 0, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, dir(tmp, "a")).file());
            // The poison study is known before its PUT (its id is the HMAC of bucket, key and eTag = MD5).
            Path poisonFilm = PhantomFilm.write(12L, 0, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, dir(tmp, "b"))
                    .file();
            String poison = keys.uploadId(bucket, "incoming/acme/poison.dcm", md5Hex(poisonFilm));
            crashAgain.add(poison);
            assertEquals(poison, put(aws, keys, bucket, "incoming/acme/poison.dcm", poisonFilm));
            ResultQueries results = new ResultQueries(aws.dynamoDb(), aws.names().table());

            ResultRecord h = awaitTerminal(results, healthy);
            assertEquals(Status.GRADED, h.status(), "failure: " + h.failure());
            assertEquals(2, h.hips().size());
            ResultRecord p = awaitTerminal(results, poison);
            assertEquals(Status.FAILED, p.status(), "still " + p.status());
            assertEquals(Reason.DEAD_LETTERED, p.failure().orElseThrow().reason());
            assertEquals(Stage.INFERENCE, p.failure().orElseThrow().stage());

            aws.awaitIdle(Duration.ofSeconds(30));
            assertEquals(Map.of(healthy, 1, poison, 1), soloGrades, "one solo grade each, never a second");
            assertEquals(Map.of(healthy, 2, poison, 2), inferenceReceives,
                    "each claim check is received maxReceiveCount times, then redriven to the DLQ");
            assertEquals(inferenceInvocations.get(), aws.inferenceFunction().errors(),
                    "every inference invocation ended as a function error");
            assertEquals(1, aws.deadLetterFunction().crashes(), "the poison study's solo grade");
            assertTrue(aws.deadLetterFunction().timeouts() == 0, "the solo grade fits the function's timeout");
        }
    }

    private static String put(EmbeddedAws aws, Keys keys, String bucket, String key, Path film) {
        String eTag = aws.upload(key, RequestBody.fromFile(film)).eTag()
                .replace("\"", "");
        return keys.uploadId(bucket, key, eTag);
    }

    private static Path dir(Path tmp, String name) throws java.io.IOException {
        return java.nio.file.Files.createDirectories(tmp.resolve(name));
    }

    /** S3's eTag of a single-part PUT: the MD5 of the bytes. */
    private static String md5Hex(Path file) throws Exception {
        byte[] md5 = java.security.MessageDigest.getInstance("MD5").digest(java.nio.file.Files.readAllBytes(file));
        return java.util.HexFormat.of().formatHex(md5);
    }

    private static ResultRecord awaitTerminal(ResultQueries results, String uploadId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Optional<ResultRecord> r = Optional.empty();
        while (System.nanoTime() < deadline) {
            r = results.get(uploadId);
            if (r.isPresent() && r.get().status().isTerminal()) break;
            Thread.sleep(200);
        }
        return r.orElseThrow();
    }
}
