package org.hipoa.aws;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.NonRetryableException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which exceptions are worth a retry. Transient: what the same call may get past a moment later — the network and
 * I/O ({@link SdkClientException} other than {@link NonRetryableException}, {@link IOException},
 * {@link UncheckedIOException}), and AWS service errors that say so: 5xx, throttling (429 and the throttling codes
 * the SDK knows, {@code SlowDown} and {@code ProvisionedThroughputExceededException} among them), clock skew, request
 * timeouts, expired session credentials. Permanent: every other AWS service error, i.e. the 4xx answers that the same
 * request gets again (AccessDenied, KMS errors, InvalidObjectState, InvalidRequest, ValidationException — a DynamoDB
 * item over 400 KB among them), and anything else thrown while an upload is processed: retrying would only park the
 * upload for the sweeper, so the handlers end it FAILED with a reason instead. The first AWS or I/O error in the
 * cause chain decides.
 */
public final class Faults {
    private Faults() {}

    /**
     * Codes AWS answers for a request that may succeed when sent again, besides throttling and clock skew (which
     * {@link SdkServiceException#isThrottlingException()} and {@link SdkServiceException#isClockSkewException()}
     * know): the SDK's own retryable codes (its set is internal API, so they are named here), expired session
     * credentials (the runtime refreshes them), S3's conflicting-operation answer, and KMS or SQS-over-KMS throttling
     * and outages as S3 and SQS pass them on.
     */
    private static final Set<String> RETRYABLE_CODES = Set.of(
            "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure",
            "PriorRequestNotComplete", "ServiceUnavailable", "OperationAborted",
            "ExpiredToken", "ExpiredTokenException",
            "KMS.ThrottlingException", "KMS.KMSInternalException", "KMS.DependencyTimeoutException",
            "KMS.LimitExceededException", "KmsThrottled");

    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SdkServiceException s) return isTransient(s);
            if (c instanceof NonRetryableException) return false;
            if (c instanceof SdkException || c instanceof UncheckedIOException || c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTransient(SdkServiceException s) {
        // Built by hand rather than from a response (no status, no code): nothing to judge by, so retry as for I/O.
        if (s.statusCode() == 0 && errorCode(s).isEmpty()) return true;
        if (s.statusCode() >= 500 || s.statusCode() == 408 || s.isThrottlingException() || s.isClockSkewException()) {
            return true;
        }
        return errorCode(s).map(RETRYABLE_CODES::contains).orElse(false);
    }

    /** The first AWS service error in the cause chain, if any. */
    public static Optional<AwsServiceException> awsError(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof AwsServiceException a) return Optional.of(a);
        }
        return Optional.empty();
    }

    /** The AWS error code ({@code AccessDenied}, {@code KMS.DisabledException}, …) of a service error. */
    public static Optional<String> errorCode(SdkServiceException s) {
        return s instanceof AwsServiceException a && a.awsErrorDetails() != null
                ? Optional.ofNullable(a.awsErrorDetails().errorCode()) : Optional.empty();
    }

    /** Whether a permanent fault is AWS refusing our request (a role, a key policy, a limit): an operator's matter. */
    public static boolean isPermanentAwsError(Throwable t) {
        return !isTransient(t) && awsError(t).isPresent();
    }

    /**
     * Where a fault happened, for the operators' log: the exception's class, for an AWS error its service, code and
     * status, and its top frames — never a message (a parser's may quote bytes of the uploaded file; AWS's may name
     * the object key, which a provider chose and may be a patient's name).
     */
    public static String where(Throwable t) {
        String aws = awsError(t).map(a -> " (" + (a.awsErrorDetails() == null ? "?"
                : a.awsErrorDetails().serviceName() + " " + a.awsErrorDetails().errorCode()) + " "
                + a.statusCode() + ")").orElse("");
        // An SDK error's first frames are the SDK's request pipeline, the same for every call: skip to our call.
        return t.getClass().getName() + aws + " at " + Arrays.stream(t.getStackTrace())
                .dropWhile(f -> t instanceof SdkException && f.getClassName().startsWith("software.amazon.awssdk."))
                .limit(6).map(StackTraceElement::toString).collect(Collectors.joining(" < "));
    }

    /** What a partner reads for an INTERNAL failure: no class names, no offsets. */
    public static final String INTERNAL_MESSAGE =
            "The upload could not be processed because of an internal error; the operators have the details.";
}
