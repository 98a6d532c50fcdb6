package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.ResultStore;
import org.hipoa.core.dicom.TransferSyntaxes;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Keys;
import org.hipoa.phantom.PhantomFilm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A claim check whose inference invocation dies every time (a crash or timeout never reaches the handler's own
 * last-receive rule) is redriven to the DLQ by the queue, and the stack's DLQ consumer — the real DeadLetterHandler,
 * as template.yaml wires it — ends the upload FAILED (DEAD_LETTERED) instead of leaving it PREPROCESSED.
 */
class DeadLetterPathTest {
    @Test
    void functionErrorOnEveryReceive_endsTheUploadDeadLettered(@TempDir Path tmp) throws Exception {
        try (EmbeddedAws aws = EmbeddedAws.builder()
                // Lambda requires visibility >= the function's timeout; both short so the test takes seconds.
                .inferenceTimeout(Duration.ofSeconds(1))
                .visibilityTimeout(Duration.ofSeconds(1))
                .maxReceiveCount(2)
                .inference(() -> (RequestHandler<SQSEvent, SQSBatchResponse>) (e, c) -> {
                    throw new IllegalStateException("the function died");
                })
                .start()) {
            String bucket = aws.names().ingestBucket(), key = "incoming/acme/dies-in-inference.dcm";
            Path film = PhantomFilm.write(11L, 0, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, tmp).file();
            String eTag = aws.s3().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(film)).eTag()
                    .replace("\"", "");
            String uploadId = new Keys(aws.studyKeySecret()).uploadId(bucket, key, eTag);
            ResultStore results = new ResultStore(aws.dynamoDb(), aws.names().table());

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Optional<ResultRecord> r = Optional.empty();
            while (System.nanoTime() < deadline) {
                r = results.get(uploadId);
                if (r.isPresent() && r.get().status().isTerminal()) break;
                Thread.sleep(200);
            }
            ResultRecord end = r.orElseThrow();
            assertEquals(Status.FAILED, end.status(), "still " + end.status());
            assertEquals(Reason.DEAD_LETTERED, end.failure().orElseThrow().reason());
            assertEquals(Stage.INFERENCE, end.failure().orElseThrow().stage());
            assertEquals(2, aws.inferenceFunction().errors(), "one function error per receive, then the DLQ");
        }
    }
}
