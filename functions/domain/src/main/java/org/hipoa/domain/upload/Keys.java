package org.hipoa.domain.upload;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The two derived identifiers of the pipeline (docs/PIPELINE.md, "Keys"): first 32 hex characters of an
 * HMAC-SHA256 under the per-deployment secret, so neither an object key nor a StudyInstanceUID can be read back
 * from them, and neither can be guessed without the secret. Thread-safe (a MAC per call).
 */
public final class Keys {
    /** What an uploadId or studyKey looks like: 32 lowercase hex characters. */
    public static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

    private static final String ALGORITHM = "HmacSHA256";
    private final SecretKeySpec secret;

    public Keys(String secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length() < 16) throw new IllegalArgumentException("the study key secret needs at least 16 characters");
        this.secret = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** One per object version: {@code bucket \n key \n versionId-or-eTag}. */
    public String uploadId(String bucket, String objectKey, String versionOrETag) {
        return hmac(Objects.requireNonNull(bucket, "bucket") + "\n" + Objects.requireNonNull(objectKey, "objectKey")
                + "\n" + Objects.requireNonNullElse(versionOrETag, ""));
    }

    /** {@code study \n StudyInstanceUID}, without DICOM padding (trailing NUL or space) or surrounding space. */
    public String studyKey(String studyInstanceUid) {
        String uid = studyInstanceUid == null ? "" : studyInstanceUid.replace("\0", "").strip();
        if (uid.isEmpty()) throw new IllegalArgumentException("no StudyInstanceUID");
        return hmac("study\n" + uid);
    }

    public static boolean isId(String s) {
        return s != null && ID.matcher(s).matches();
    }

    private String hmac(String message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(secret);
            byte[] digest = mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "Keys[***]";
    }
}
