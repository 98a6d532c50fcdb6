package org.hipoa.cli;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.aws.ResultItems;
import org.hipoa.aws.ResultQueries;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Keys;
import org.hipoa.local.EmbeddedAws;
import org.hipoa.phantom.PhantomFilm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./hipoa reconcile} against the embedded stack with the REAL preprocess handler (so the uploadIds it derives
 * are the ones the pipeline derives): a finished upload is not listed, one left PREPROCESSED is, and one whose item
 * is gone is listed as MISSING.
 */
class ReconcileCommandTest {
    @Test
    void listsEveryUploadWithoutATerminalItem(@TempDir Path tmp) throws Exception {
        // Inference does nothing here, so a good film stays PREPROCESSED: unfinished.
        try (EmbeddedAws aws = EmbeddedAws.builder()
                .inference(() -> (RequestHandler<SQSEvent, SQSBatchResponse>) (e, c) -> new SQSBatchResponse(List.of()))
                .start()) {
            String bucket = aws.names().ingestBucket();
            Path film = PhantomFilm.write(7L, 0, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, tmp).file();
            aws.upload("incoming/acme/left-preprocessed.dcm",
                    RequestBody.fromFile(film));
            aws.upload("incoming/acme/item-lost.dcm", RequestBody.fromFile(film));
            aws.upload("incoming/acme/not-dicom.dcm",
                    RequestBody.fromString("hello"));
            // A key without a provider can no longer be written by anyone (template.yaml's IngestBucketPolicy).
            assertThrows(software.amazon.awssdk.services.s3.model.S3Exception.class, () -> aws.s3().putObject(
                    b -> b.bucket(bucket).key("incoming/no-provider.dcm"), RequestBody.fromString("x")));
            aws.awaitIdle(Duration.ofMinutes(1));

            Keys keys = new Keys(aws.studyKeySecret());
            String lostEtag = aws.s3().headObject(b -> b.bucket(bucket).key("incoming/acme/item-lost.dcm")).eTag()
                    .replace("\"", "");
            String lostId = keys.uploadId(bucket, "incoming/acme/item-lost.dcm", lostEtag);
            ResultQueries results = new ResultQueries(aws.dynamoDb(), aws.names().table());
            assertEquals(Status.PREPROCESSED, results.get(lostId).orElseThrow().status(), "the handler's uploadId");
            aws.dynamoDb().deleteItem(b -> b.tableName(aws.names().table()).key(ResultItems.key(lostId)));

            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int exit = ReconcileCommand.run(bucket, aws.names().table(), keys, aws.s3(), aws.dynamoDb(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            Map<String, String> listed = new TreeMap<>();
            for (String line : out.toString(StandardCharsets.UTF_8).strip().split("\n")) {
                JsonNode j = new ObjectMapper().readTree(line);
                listed.put(j.get("key").asText(), j.get("status").asText());
            }
            assertEquals(Map.of("incoming/acme/left-preprocessed.dcm", "PREPROCESSED",
                    "incoming/acme/item-lost.dcm", "MISSING"), listed, err.toString(StandardCharsets.UTF_8));
            assertEquals(2, exit);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("3 uploads"), err.toString(StandardCharsets.UTF_8));

            // Through the command line as an operator runs it: settings from the environment the stack exported.
            assertEquals(2, Hipoa.run(new String[]{"reconcile", "--bucket", bucket}));
        }
    }
}
