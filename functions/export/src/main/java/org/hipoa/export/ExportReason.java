package org.hipoa.export;

/** Why an export failed, as recorded on the item ({@code export.reason}); whether a retry can help. */
enum ExportReason {
    /** The uploaded object is gone or was overwritten: nothing to copy the study from. */
    SOURCE_MISSING(false),
    /** The source header lacks what the SR must copy (HipSrWriter's SR_SOURCE_INCOMPLETE), or is no DICOM. */
    SR_SOURCE_INCOMPLETE(false),
    /** S3 refuses the source header for a reason a retry does not change (access, its KMS key, its storage class). */
    SOURCE_UNREADABLE(false),
    /** Refused connection, reset, unknown host. */
    DICOMWEB_UNREACHABLE(true),
    /** No answer within the timeout. */
    DICOMWEB_TIMEOUT(true),
    /** 5xx, 408, 429. */
    DICOMWEB_UNAVAILABLE(true),
    /** 401/403 or a secret without credentials: retried, an operator may fix the secret meanwhile. */
    DICOMWEB_CREDENTIALS(true),
    /** Any other 4xx, or a 202 with failures: the PACS will not take this SR. */
    DICOMWEB_REJECTED(false),
    /**
     * The registered URL is malformed, not http(s), or carries credentials, a query or a fragment. Not retried: a
     * registration error is recorded at once rather than left RETRYING (as the next three).
     */
    DICOMWEB_ENDPOINT_INVALID(false),
    /** The registered URL is plain http to a host other than a loopback address: nothing is sent. */
    DICOMWEB_NOT_HTTPS(false),
    /** The registered secretName is not {@code hipoa/dicomweb/{provider}} or under it: no secret is read. */
    DICOMWEB_SECRET_NOT_PROVIDERS(false),
    /** The result item (or its export record) does not read as one: nothing to build the SR from. */
    ITEM_UNREADABLE(false),
    /** The message reached the export DLQ (every receive ran out of time or crashed); set by its consumer. */
    DEAD_LETTERED(false),
    /** A fault in the export itself; details in the log only. */
    INTERNAL(true);

    final boolean retryable;

    ExportReason(boolean retryable) {
        this.retryable = retryable;
    }
}
