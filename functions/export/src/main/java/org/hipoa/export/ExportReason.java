package org.hipoa.export;

/** Why an export failed, as recorded on the item ({@code export.reason}); whether a retry can help. */
enum ExportReason {
    /** The uploaded object is gone or was overwritten: nothing to copy the study from. */
    SOURCE_MISSING(false),
    /** The source header lacks what the SR must copy (HipSrWriter's SR_SOURCE_INCOMPLETE), or is no DICOM. */
    SR_SOURCE_INCOMPLETE(false),
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
    /** A fault in the export itself; details in the log only. */
    INTERNAL(true);

    final boolean retryable;

    ExportReason(boolean retryable) {
        this.retryable = retryable;
    }
}
