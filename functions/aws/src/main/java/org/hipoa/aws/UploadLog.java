package org.hipoa.aws;

import org.hipoa.domain.Reason;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.ResultRecord;
import org.slf4j.Logger;

import java.util.Map;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * One log line per upload outcome, with the same fields in every function (uploadId, provider, status, reason,
 * timings), so a query over the logs follows an upload across functions. Never an exception's message or anything
 * from the film: those may carry patient data.
 */
public final class UploadLog {
    private UploadLog() {}

    /** {@code what} happened to {@code r}; {@code reason} may be null, {@code ms} empty. */
    public static void outcome(Logger log, String what, ResultRecord r, Reason reason, Map<String, Long> ms) {
        log.info("{} {} {} {} {} {}", what, entry("uploadId", r.uploadId()),
                entry("provider", r.provider().map(Object::toString).orElse("")), entry("status", r.status().name()),
                entry("reason", reason == null ? "" : reason.name()), entry("timingsMs", ms));
    }

    /** A transition write's outcome: {@code what}, or that the item had already reached a final status. */
    public static void written(Logger log, String what, boolean written, ResultRecord r, Reason reason,
                               Map<String, Long> ms) {
        outcome(log, written ? what : what + ", item was already final", r, reason, ms);
    }

    /** A failure write's outcome ({@link ResultTransitions#end}). */
    public static void ended(Logger log, ResultTransitions.Ended ended) {
        written(log, "failed", ended.written(), ended.record(),
                ended.record().failure().map(Failure::reason).orElse(null), Map.of());
    }
}
