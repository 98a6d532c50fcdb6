package org.hipoa.domain.upload;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * One uploaded object version, as an S3 event names it. {@code provider} is present only when the key has the
 * ingest layout {@code incoming/{provider}/{anything}} or the backfill layout {@code backfill/{provider}/{anything}}
 * (an archive copied in bulk: no event notification, the backfill state machine hands each object to the same
 * preprocess code with bounded concurrency); an upload without one is recorded as FAILED with
 * {@link org.hipoa.domain.Reason#BAD_KEY}. The object key is kept for the record, never for logs.
 */
public record UploadRef(String bucket, String objectKey, Optional<String> versionId, String eTag,
                        Optional<Provider> provider) {
    public static final String INCOMING = "incoming/";
    /** Objects under this prefix raise no event; the backfill path (template.yaml BackfillStateMachine) feeds them. */
    public static final String BACKFILL = "backfill/";
    /** S3's own limit on key length, in UTF-8 bytes. */
    static final int MAX_KEY_BYTES = 1024;

    public UploadRef {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(objectKey, "objectKey");
        versionId = Objects.requireNonNull(versionId, "versionId").filter(v -> !v.isBlank());
        eTag = Objects.requireNonNullElse(eTag, "");
        Objects.requireNonNull(provider, "provider");
    }

    /** The versionId in a versioned bucket, else the eTag: what makes this upload one object version. */
    public String objectVersion() {
        return versionId.orElse(eTag);
    }

    /**
     * From the fields of an S3 event record. S3 events carry the key URL-encoded (form encoding: {@code +} is a
     * space); the version is the versionId, or the eTag in an unversioned bucket. A key that cannot be decoded is
     * kept as it came and has no provider.
     */
    public static UploadRef fromEvent(String bucket, String encodedKey, String versionId, String eTag) {
        Objects.requireNonNull(encodedKey, "key");
        Optional<String> version = Optional.ofNullable(versionId);
        String key;
        try {
            key = URLDecoder.decode(encodedKey, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new UploadRef(bucket, encodedKey, version, eTag, Optional.empty());
        }
        return new UploadRef(bucket, key, version, eTag, providerOf(key));
    }

    /** The provider of a decoded key, or empty when the key does not have the ingest layout. */
    public static Optional<Provider> providerOf(String key) {
        String prefix = key == null ? null : key.startsWith(INCOMING) ? INCOMING : key.startsWith(BACKFILL) ? BACKFILL : null;
        if (prefix == null) return Optional.empty();
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) return Optional.empty();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isISOControl(c) || c == '\\' || c == '\uFFFD') return Optional.empty();
        }
        String rest = key.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash < 0) return Optional.empty();
        String name = rest.substring(0, slash), tail = rest.substring(slash + 1);
        if (tail.isEmpty() || tail.endsWith("/")) return Optional.empty(); // a "folder" marker, not an object
        for (String segment : tail.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) return Optional.empty();
        }
        return Provider.parse(name);
    }

    /** The uploadId of this object version. */
    public String uploadId(Keys keys) {
        return keys.uploadId(bucket, objectKey, objectVersion());
    }
}
