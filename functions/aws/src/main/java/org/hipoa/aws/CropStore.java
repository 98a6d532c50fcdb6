package org.hipoa.aws;

import org.hipoa.domain.HipCrop;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.util.Objects;
import org.hipoa.domain.wire.CropNpy;

/**
 * Hip crops in the work bucket, {@code crops/{uploadId}.npy} (see {@link CropNpy}). The key is deterministic, so
 * writing it twice for a re-delivered event is harmless; the bucket's lifecycle rule expires the objects.
 */
public final class CropStore {
    /** The crops object is gone (expired or lost), as opposed to present but malformed. */
    public static final class CropsMissingException extends CropNpy.UnreadableCropsException {
        public CropsMissingException(String message) {
            super(message);
        }
    }

    private final S3Client s3;
    private final String bucket;

    public CropStore(S3Client s3, String bucket) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
    }

    public static String key(String uploadId) {
        return CropNpy.key(uploadId);
    }

    public String bucket() {
        return bucket;
    }

    /** Stores both crops; returns the object key. */
    public String put(String uploadId, HipCrop right, HipCrop left) {
        String key = key(uploadId);
        byte[] npy = CropNpy.encode(right, left);
        s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/octet-stream"), RequestBody.fromBytes(npy));
        return key;
    }

    /**
     * Reads crops from any bucket and key a claim-check message names.
     *
     * @throws CropsMissingException when the object is gone
     * @throws CropNpy.UnreadableCropsException when it is not a crops array (permanent)
     */
    public static CropNpy.Pair get(S3Client s3, String bucket, String key) {
        byte[] bytes;
        try {
            bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            throw new CropsMissingException("the crops object does not exist (expired?)");
        }
        return CropNpy.decode(bytes);
    }
}
