package org.hipoa.aws;

import software.amazon.awssdk.core.exception.SdkException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Which exceptions are worth a retry. Transient: the AWS SDK's own ({@link SdkException} and its subclasses —
 * throttling, 5xx, timeouts, connection failures) and I/O ({@link UncheckedIOException}, {@link IOException}),
 * also when wrapped. Everything else thrown while an upload is processed is a fault that the same input will hit
 * again: retrying would only park the upload, so the handlers record it as FAILED (reason INTERNAL) instead.
 */
public final class Faults {
    private Faults() {}

    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SdkException || c instanceof UncheckedIOException || c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where a fault happened, for the operators' log: the exception's class and its top frames, without its message
     * (a parser's message may quote bytes of the uploaded file).
     */
    public static String where(Throwable t) {
        return t.getClass().getName() + " at " + Arrays.stream(t.getStackTrace()).limit(6)
                .map(StackTraceElement::toString).collect(Collectors.joining(" < "));
    }

    /** What a partner reads for an INTERNAL failure: no class names, no offsets. */
    public static final String INTERNAL_MESSAGE =
            "The upload could not be processed because of an internal error; the operators have the details.";
}
