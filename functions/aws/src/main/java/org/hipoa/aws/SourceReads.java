package org.hipoa.aws;

import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.Optional;

/**
 * What S3's refusal to hand over an uploaded object means for the upload. Gone (404, or 412 for an overwritten
 * version read with If-Match): {@link Reason#SOURCE_MISSING}. Stored so that we cannot read it — access denied, a KMS
 * key we may not use, an archive storage class, a customer-provided key: {@link Reason#SOURCE_UNREADABLE}, with a
 * fixed sentence per cause (never S3's own message, which names the key). Both are final: the same GET gets the same
 * answer, so the upload ends now instead of being retried until the sweeper's bound. A 404 needs
 * {@code s3:ListBucket} on the bucket (template.yaml grants it per role, for the prefixes the role reads); without it
 * S3 answers 403 for a missing key, which ends the upload as SOURCE_UNREADABLE rather than looping.
 */
public final class SourceReads {
    private SourceReads() {}

    public static final String MISSING = "The uploaded object no longer exists.";

    /** The causes a partner can act on, each with the one sentence they read. */
    public enum Unreadable {
        ACCESS_DENIED("S3 denied HipOA access to the uploaded object (for example a bucket or key policy, or an"
                + " encryption key HipOA may not use). Upload it again without encryption or ACL settings of its own;"
                + " if it fails again, contact the operators."),
        KMS_KEY("The uploaded object is encrypted with a KMS key HipOA cannot use (another key, or one that is"
                + " disabled or scheduled for deletion). Upload it again without encryption settings: the bucket"
                + " encrypts it with HipOA's key."),
        ARCHIVED("The uploaded object is in an archive storage class (S3 Glacier Flexible Retrieval or Deep Archive)"
                + " and cannot be read without a restore. Upload it again in the STANDARD storage class."),
        CUSTOMER_KEY("The uploaded object is encrypted with a customer-provided key (SSE-C), which HipOA does not"
                + " hold. Upload it again without SSE-C: the bucket encrypts it with HipOA's key.");

        private final String message;

        Unreadable(String message) {
            this.message = message;
        }

        public Rejection rejection() {
            return new Rejection(Reason.SOURCE_UNREADABLE, message);
        }
    }

    /**
     * The upload's end that S3's answer means, or empty when the answer is not about the object (transient trouble,
     * to retry; or our own credentials or request, an internal fault): the caller rethrows then.
     */
    public static Optional<Rejection> refusal(S3Exception e) {
        if (e.statusCode() == 404 || e.statusCode() == 412) {
            return Optional.of(new Rejection(Reason.SOURCE_MISSING, MISSING));
        }
        return cause(e).map(Unreadable::rejection);
    }

    /** Why the object cannot be read, from the error code S3 gave; empty when the code names no such cause. */
    public static Optional<Unreadable> cause(S3Exception e) {
        if (Faults.isTransient(e)) return Optional.empty();
        String code = Faults.errorCode(e).orElse("");
        if (code.startsWith("KMS.")) return Optional.of(Unreadable.KMS_KEY);
        return switch (code) {
            case "AccessDenied" -> Optional.of(Unreadable.ACCESS_DENIED);
            case "InvalidObjectState" -> Optional.of(Unreadable.ARCHIVED);
            // S3's answer to a GET of an SSE-C object without its key: 400 InvalidRequest ("The object was stored
            // using a form of Server Side Encryption. The correct parameters must be provided ...").
            case "InvalidRequest" -> Optional.of(Unreadable.CUSTOMER_KEY);
            default -> Optional.empty();
        };
    }
}
