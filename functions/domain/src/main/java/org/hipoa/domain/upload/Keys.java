package org.hipoa.domain.upload;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The two derived identifiers of the pipeline (docs/PIPELINE.md, "Keys"): first 32 hex characters of an
 * HMAC-SHA256 under the per-deployment secret, so neither an object key nor a StudyInstanceUID can be read back
 * from them, and neither can be guessed without the secret. The same secret also seals object keys for the results
 * table ({@link #sealObjectKey}): providers name files after patients, so the table holds a key only as ciphertext
 * that the pipeline's functions, which hold the secret, can open again. Thread-safe (a MAC or cipher per call).
 */
public final class Keys {
    /** What an uploadId or studyKey looks like: 32 lowercase hex characters. */
    public static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

    private static final String ALGORITHM = "HmacSHA256";
    /** HKDF's info for the object-key cipher: a new purpose gets a new label, never the HMAC key itself. */
    private static final byte[] SEAL_INFO = "hipoa object-key seal v1 AES-256-GCM".getBytes(StandardCharsets.US_ASCII);
    /** What a sealed key starts with: the format can change without guessing at old values. */
    static final String SEALED_PREFIX = "v1.";
    private static final int NONCE_BYTES = 12, TAG_BITS = 128;
    private final SecretKeySpec secret;
    private final SecretKeySpec sealKey;

    public Keys(String secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length() < 16) throw new IllegalArgumentException("the study key secret needs at least 16 characters");
        this.secret = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        this.sealKey = new SecretKeySpec(hkdfSha256(new byte[32], secret.getBytes(StandardCharsets.UTF_8), SEAL_INFO),
                "AES");
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

    /**
     * The object key as the results table keeps it: {@code v1.} and base64url of a random 96-bit nonce followed by
     * the AES-256-GCM ciphertext and tag, with the uploadId as associated data, so a sealed key copied onto another
     * item does not open there. The nonce comes from a SecureRandom made per call, after any SnapStart restore.
     */
    public String sealObjectKey(String uploadId, String objectKey) {
        if (!isId(uploadId)) throw new IllegalArgumentException("uploadId must be 32 hex characters");
        Objects.requireNonNull(objectKey, "objectKey");
        byte[] nonce = new byte[NONCE_BYTES];
        new SecureRandom().nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, sealKey, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(uploadId.getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = c.doFinal(objectKey.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
            return SEALED_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is part of every JDK", e);
        }
    }

    /**
     * The object key {@link #sealObjectKey} sealed for this uploadId.
     *
     * @throws IllegalArgumentException when {@code sealed} is not a sealed key of this uploadId under this secret
     */
    public String openObjectKey(String uploadId, String sealed) {
        if (!isId(uploadId)) throw new IllegalArgumentException("uploadId must be 32 hex characters");
        if (sealed == null || !sealed.startsWith(SEALED_PREFIX)) throw new IllegalArgumentException("not a sealed key");
        byte[] in;
        try {
            in = Base64.getUrlDecoder().decode(sealed.substring(SEALED_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a sealed key");
        }
        if (in.length < NONCE_BYTES + TAG_BITS / 8) throw new IllegalArgumentException("not a sealed key");
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, sealKey, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            c.updateAAD(uploadId.getBytes(StandardCharsets.US_ASCII));
            return new String(c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("the sealed key does not open for this upload under this secret");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is part of every JDK", e);
        }
    }

    /**
     * HKDF-SHA256 (RFC 5869) for one 32-byte output block: T(1) = HMAC(PRK, info || 0x01), PRK = HMAC(salt, ikm).
     * Written out because the JDK's own KDF API (javax.crypto.KDF) arrived after Java 21, the Lambda runtime these
     * functions target; one block is all an AES-256 key needs. KeysTest checks it against the RFC's test case 1.
     */
    static byte[] hkdfSha256(byte[] salt, byte[] ikm, byte[] info) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, ALGORITHM));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, ALGORITHM));
            mac.update(info);
            mac.update((byte) 1);
            byte[] okm = mac.doFinal();
            Arrays.fill(prk, (byte) 0);
            return okm;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
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
