package org.hipoa.local;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One object that S3 has just stored, as its event notification would describe it.
 *
 * @param eventName {@code ObjectCreated:Put}, {@code ObjectCreated:Copy} or {@code ObjectCreated:CompleteMultipartUpload}
 * @param eTag      without the quotes S3 puts around it in HTTP headers (event notifications carry it bare)
 * @param versionId empty unless the bucket is versioned
 */
public record ObjectCreated(String bucket, String key, long size, String eTag, Optional<String> versionId,
                            String eventName, Instant eventTime) {
    public ObjectCreated {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(eTag, "eTag");
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(eventName, "eventName");
        Objects.requireNonNull(eventTime, "eventTime");
        if (size < 0) throw new IllegalArgumentException("size < 0");
        eTag = eTag.replace("\"", "");
    }
}
