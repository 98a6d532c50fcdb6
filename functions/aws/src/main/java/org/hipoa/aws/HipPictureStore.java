package org.hipoa.aws;

import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.upload.Provider;
import org.hipoa.domain.wire.HipHeatmaps;
import org.hipoa.domain.wire.HipPng;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.Objects;
import java.util.Optional;

/**
 * The pictures of each graded hip, kept with the provider's results in the bucket the upload came to: one small PNG
 * ({@link HipPng}), {@code results/{provider}/{uploadId}/{side}.png}, and where the grader looked,
 * {@code {side}.cam.json} ({@link HipHeatmaps}, when the model has CAM outputs). Not in the table (an item stays
 * small) and not in the work bucket (its crops expire). The key is deterministic, so a redelivered message
 * overwrites it with the same bytes. The ingest bucket's notification filter is {@code incoming/}, so these writes
 * start nothing.
 */
public final class HipPictureStore {
    public static final String PREFIX = "results/";
    public static final String CONTENT_TYPE = "image/png";

    private final S3Client s3;

    public HipPictureStore(S3Client s3) {
        this.s3 = Objects.requireNonNull(s3, "s3");
    }

    /** What is kept per hip. */
    public enum Kind {
        PNG(".png"), HEATMAPS(".cam.json");

        private final String suffix;

        Kind(String suffix) {
            this.suffix = suffix;
        }
    }

    public static String key(Provider provider, String uploadId, Side side, Kind kind) {
        if (!Keys.isId(uploadId)) throw new IllegalArgumentException("uploadId must be 32 hex characters");
        return PREFIX + provider.name() + "/" + uploadId + "/" + side.key() + kind.suffix;
    }

    public static String key(Provider provider, String uploadId, Side side) {
        return key(provider, uploadId, side, Kind.PNG);
    }

    /** Writes both hips' pictures of a result that has a provider (every upload that reaches grading has one). */
    public void put(ResultRecord result, HipCrop right, HipCrop left) {
        put(result, right, left, Optional.empty(), Optional.empty());
    }

    /** The pictures, and each hip's heatmaps where the grader gave them. */
    public void put(ResultRecord result, HipCrop right, HipCrop left, Optional<HipHeatmaps> rightMaps,
                    Optional<HipHeatmaps> leftMaps) {
        Provider provider = result.provider().orElseThrow(
                () -> new IllegalArgumentException("a result without a provider has no results location"));
        for (HipCrop crop : new HipCrop[] {right, left}) {
            write(result, key(provider, result.uploadId(), crop.side(), Kind.PNG), CONTENT_TYPE, HipPng.encode(crop));
            Optional<HipHeatmaps> maps = crop.side() == Side.RIGHT ? rightMaps : leftMaps;
            if (maps.isPresent()) {
                write(result, key(provider, result.uploadId(), crop.side(), Kind.HEATMAPS), HipHeatmaps.CONTENT_TYPE,
                        maps.get().toJson());
            }
        }
    }

    private void write(ResultRecord result, String key, String contentType, byte[] body) {
        s3.putObject(b -> b.bucket(result.bucket()).key(key).contentType(contentType), RequestBody.fromBytes(body));
    }

    /** The PNG of one hip of this result, or empty when none was stored (a result graded before PNGs existed). */
    public Optional<byte[]> get(ResultRecord result, Side side) {
        return get(result, side, Kind.PNG);
    }

    /** One stored object of one hip, or empty when none was stored. */
    public Optional<byte[]> get(ResultRecord result, Side side, Kind kind) {
        if (result.provider().isEmpty()) return Optional.empty();
        String key = key(result.provider().get(), result.uploadId(), side, kind);
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(result.bucket()).key(key)).asByteArray());
        } catch (S3Exception e) {
            // NoSuchKey: a model without CAM outputs stores no heatmaps. Only with s3:ListBucket on the bucket does
            // S3 say 404 (ApiRole has it for results/); a 403 is a refusal and stays an error.
            if (e.statusCode() == 404) return Optional.empty();
            throw e;
        }
    }
}
