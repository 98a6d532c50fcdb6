package org.hipoa.domain.result;

import org.hipoa.domain.Side;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.hipoa.domain.upload.Provider;
import org.hipoa.domain.upload.UploadRef;
import org.hipoa.domain.upload.Keys;

/**
 * The stored result of one upload, the table item of docs/PIPELINE.md as a typed value. The AWS adapter
 * module maps it to and from table items; this type knows nothing of DynamoDB.
 *
 * <p>The object key is held only sealed ({@link Keys#sealObjectKey}): providers choose keys, and PACS exports name
 * files after the patient. {@link #objectKey(Keys)} opens it for the steps that read the upload again. A record read
 * from an index has no sealed key and no version (the indexes project what the API reads, docs/PIPELINE.md).
 */
public record ResultRecord(String uploadId, Optional<Provider> provider, String bucket, Optional<String> sealedKey,
                           String objectVersion, Instant receivedAt, Instant updatedAt, Status status,
                           Optional<String> studyKey, Optional<ModelRef> model, Optional<ModelRef> localiser,
                           Map<Side, HipResult> hips, Optional<Failure> failure,
                           Map<String, Long> preprocessTimingsMs, Map<String, Long> inferenceTimingsMs,
                           Optional<Spacing> spacing) {

    /** Fixed width, millisecond precision, UTC: sorts as text in time order (sort keys depend on it). */
    public static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    public ResultRecord {
        if (!Keys.isId(uploadId)) throw new IllegalArgumentException("uploadId must be 32 hex characters");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(sealedKey, "sealedKey");
        objectVersion = Objects.requireNonNullElse(objectVersion, "");
        receivedAt = Objects.requireNonNull(receivedAt, "receivedAt").truncatedTo(ChronoUnit.MILLIS);
        updatedAt = Objects.requireNonNull(updatedAt, "updatedAt").truncatedTo(ChronoUnit.MILLIS);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(studyKey, "studyKey");
        studyKey.ifPresent(k -> {
            if (!Keys.isId(k)) throw new IllegalArgumentException("studyKey must be 32 hex characters");
        });
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(localiser, "localiser");
        hips = hips.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(hips));
        Objects.requireNonNull(failure, "failure");
        preprocessTimingsMs = Map.copyOf(preprocessTimingsMs);
        inferenceTimingsMs = Map.copyOf(inferenceTimingsMs);
        Objects.requireNonNull(spacing, "spacing");
        if (status == Status.GRADED && (hips.size() != 2 || model.isEmpty())) {
            throw new IllegalArgumentException("a GRADED record needs both hips and the model");
        }
        if ((status == Status.FAILED) != failure.isPresent()) {
            throw new IllegalArgumentException("a failure belongs to FAILED records and only to them");
        }
    }

    /** The first record of an upload, its object key sealed under {@code keys}. */
    public static ResultRecord received(String uploadId, UploadRef ref, Keys keys, Instant now) {
        return new ResultRecord(uploadId, ref.provider(), ref.bucket(),
                Optional.of(keys.sealObjectKey(uploadId, ref.objectKey())), ref.objectVersion(), now, now,
                Status.RECEIVED, Optional.empty(), Optional.empty(), Optional.empty(), Map.of(), Optional.empty(),
                Map.of(), Map.of(), Optional.empty());
    }

    public ResultRecord preprocessed(Optional<String> studyKey, Spacing spacing, ModelRef localiser,
                                     Map<String, Long> timingsMs, Instant now) {
        return new ResultRecord(uploadId, provider, bucket, sealedKey, objectVersion, receivedAt, now,
                Status.PREPROCESSED, studyKey, model, Optional.of(localiser), hips, Optional.empty(), timingsMs,
                inferenceTimingsMs, Optional.of(spacing));
    }

    /**
     * GRADED, with what preprocessing found taken from the claim-check message: the item may still be RECEIVED
     * when the preprocess function stopped between sending the message and its own write.
     */
    public ResultRecord graded(Optional<String> studyKey, Optional<Spacing> spacing, ModelRef localiser,
                               Map<String, Long> preprocessMs,
                               ModelRef model, HipResult right, HipResult left, Map<String, Long> inferenceMs,
                               Instant now) {
        Map<Side, HipResult> both = new EnumMap<>(Side.class);
        both.put(Side.RIGHT, right);
        both.put(Side.LEFT, left);
        return new ResultRecord(uploadId, provider, bucket, sealedKey, objectVersion, receivedAt, now, Status.GRADED,
                studyKey, Optional.of(model), Optional.of(localiser), both, Optional.empty(), preprocessMs,
                inferenceMs, spacing.or(() -> this.spacing));
    }

    public ResultRecord failed(Failure why, Instant now) {
        return new ResultRecord(uploadId, provider, bucket, sealedKey, objectVersion, receivedAt, now, Status.FAILED,
                studyKey, model, localiser, hips, Optional.of(why), preprocessTimingsMs, inferenceTimingsMs, spacing);
    }

    /**
     * The uploaded object's key, opened with the secret that sealed it.
     *
     * @throws IllegalStateException when this record has no sealed key (read from an index) or it does not open
     */
    public String objectKey(Keys keys) {
        String sealed = sealedKey.orElseThrow(() -> new IllegalStateException(
                "this record holds no object key (read from an index, or written before keys were sealed)"));
        try {
            return keys.openObjectKey(uploadId, sealed);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the record's object key does not open under this secret", e);
        }
    }

    /** {@code receivedAt#uploadId}: the sort key of both indexes, so listings come in upload order. */
    public String sortKey() {
        return TIME.format(receivedAt) + "#" + uploadId;
    }
}
