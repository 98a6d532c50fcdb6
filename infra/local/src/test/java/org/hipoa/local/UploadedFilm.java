package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification;
import org.hipoa.domain.upload.Keys;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Path;
import java.util.List;

/**
 * A film a provider uploaded to the stack, for tests that hand its S3 event to a handler they built themselves: its
 * key, its ETag and the uploadId the pipeline derives from them.
 */
record UploadedFilm(String bucket, String region, String key, String eTag, String uploadId) {
    /** PUTs {@code file} under {@code key} as the provider the key names. */
    static UploadedFilm put(EmbeddedAws aws, Keys keys, String key, Path file) {
        String eTag = aws.upload(key, RequestBody.fromFile(file)).eTag().replace("\"", "");
        String bucket = aws.names().ingestBucket();
        return new UploadedFilm(bucket, aws.region(), key, eTag, keys.uploadId(bucket, key, eTag));
    }

    /** The ObjectCreated event S3 sends for it. */
    S3Event event() {
        var object = new S3EventNotification.S3ObjectEntity(key, 1L, eTag, null, "0001");
        var b = new S3EventNotification.S3BucketEntity(bucket, null, "arn:aws:s3:::" + bucket);
        var s3 = new S3EventNotification.S3Entity("IngestObjectCreated", b, object, "1.0");
        return new S3Event(List.of(new S3EventNotification.S3EventNotificationRecord(region, "ObjectCreated:Put",
                "aws:s3", null, "2.1", null, null, s3, null)));
    }
}
