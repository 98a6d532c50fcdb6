package org.hipoa.preprocess;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification;
import org.hipoa.aws.ClosedPortAws;
import org.hipoa.aws.Events;
import org.hipoa.core.model.ShippedModel;
import org.hipoa.domain.upload.UploadRef;
import org.hipoa.aws.PipelineConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Error classification without a server: real SDK clients pointed at a closed port behave like an outage, which
 * must propagate (Lambda retries the asynchronous event) instead of being swallowed or recorded as a bad upload.
 */
class PreprocessHandlerTest {
    /** The recorded events' bucket (events/s3-*.json). */
    static final String INGEST = "hipoa-ingest-123456789012-eu-central-1-dev";
    static ClosedPortAws aws;
    static PreprocessHandler handler;

    @BeforeAll
    static void setUp() {
        aws = new ClosedPortAws();
        handler = new PreprocessHandler(PipelineConfig.from(Map.of("TABLE_NAME", "results", "WORK_BUCKET", "work",
                "QUEUE_URL", aws.endpoint + "/000000000000/claims", "MODEL_DIR", ShippedModel.DIR.toString(),
                "STUDY_KEY_SECRET", "0123456789abcdef-secret", "INGEST_BUCKET", INGEST)::get), aws.s3, aws.sqs,
                aws.dynamo);
    }

    @AfterAll
    static void tearDown() {
        aws.close();
    }

    static S3Event event(String encodedKey) {
        return event(INGEST, encodedKey);
    }

    static S3Event event(String bucketName, String encodedKey) {
        var object = new S3EventNotification.S3ObjectEntity(encodedKey, 1234L, "etag", null, "0001");
        var bucket = new S3EventNotification.S3BucketEntity(bucketName, null, "arn:aws:s3:::" + bucketName);
        var s3 = new S3EventNotification.S3Entity("cfg", bucket, object, "1.0");
        return new S3Event(List.of(new S3EventNotification.S3EventNotificationRecord("eu-central-1",
                "ObjectCreated:Put", "aws:s3", null, "2.1", null, null, s3, null)));
    }

    @Test
    void noRecords_isANoOp() {
        assertNull(handler.handleRequest(new S3Event(List.of()), null));
        assertNull(handler.handleRequest(null, null));
    }

    @Test
    void tableOutage_propagates_evenForABadKey() {
        // A bad key is a permanent failure, but recording it needs the table: an outage there is transient.
        assertThrows(SdkClientException.class, () -> handler.handleRequest(event("stray.dcm"), null));
        assertThrows(SdkClientException.class, () -> handler.handleRequest(event("incoming/acme/a+b.dcm"), null));
    }

    @Test
    void recordedS3Events_areReadAsLambdaDeliversThem_andAnOutagePropagates() {
        Map<String, String> providers = Map.of("s3-put.json", "st-marys-radiology",
                "s3-complete-multipart.json", "northside-imaging");
        for (String name : providers.keySet()) {
            S3Event e = Events.load(name, S3Event.class);
            var o = e.getRecords().getFirst().getS3().getObject();
            UploadRef ref = UploadRef.fromEvent(e.getRecords().getFirst().getS3().getBucket().getName(), o.getKey(),
                    o.getVersionId(), o.geteTag());
            assertEquals(providers.get(name), ref.provider().orElseThrow().name(), name);
            assertThrows(SdkClientException.class, () -> handler.handleRequest(e, null), name);
        }
    }

    @Test
    void aRecordOfAnotherBucket_isRefusedWithoutAnyCall() {
        // Every client points at a closed port: any read or write would throw. None may happen.
        assertNull(handler.handleRequest(event("someone-elses-bucket", "incoming/acme/a.dcm"), null));
        assertNull(handler.handleRequest(event("hipoa-work-123456789012-eu-central-1-dev", "incoming/acme/a.dcm"),
                null));
        // The same record for the ingest bucket does reach the table (and the outage propagates).
        assertThrows(SdkClientException.class, () -> handler.handleRequest(event("incoming/acme/a.dcm"), null));
    }
}
