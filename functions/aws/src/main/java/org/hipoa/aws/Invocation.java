package org.hipoa.aws;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import org.slf4j.Logger;
import software.amazon.lambda.powertools.metrics.Metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The frame every handler runs in, written once: Lambda's context in each log line, the invocation's metrics flushed
 * whatever happens, an event without records treated as an empty batch (a console test invoke, a malformed event),
 * and SQS's per-message retry rule (ReportBatchItemFailures).
 */
public final class Invocation {
    private Invocation() {}

    /** {@code body} with the invocation's metrics; they are flushed after it, also when it throws. */
    public static <T> T run(Context context, Function<Metrics, T> body) {
        return Powertools.withLogging(context, () -> {
            Metrics metrics = Powertools.metrics();
            try {
                return body.apply(metrics);
            } finally {
                Powertools.flush(metrics);
            }
        });
    }

    /** The event's messages; none when the event or its list is absent. */
    public static List<SQSEvent.SQSMessage> messages(SQSEvent event) {
        return event == null || event.getRecords() == null ? List.of() : event.getRecords();
    }

    /** The event's records; none when the event or its list is absent. */
    public static List<S3EventNotificationRecord> records(S3Event event) {
        return event == null || event.getRecords() == null ? List.of() : event.getRecords();
    }

    /**
     * Each message settled on its own: one whose {@code settle} answers false (not done yet) or throws comes back
     * alone, and nothing one message does can fail the others. Only the exception's type is logged: a message never
     * reaches the log.
     */
    public static SQSBatchResponse eachMessage(List<SQSEvent.SQSMessage> messages, Logger log,
                                               Predicate<SQSEvent.SQSMessage> settle) {
        List<SQSBatchResponse.BatchItemFailure> retry = new ArrayList<>();
        for (SQSEvent.SQSMessage m : messages) {
            boolean done;
            try {
                done = settle.test(m);
            } catch (RuntimeException e) {
                log.warn("message not settled, it comes back {} {}", entry("messageId", m.getMessageId()),
                        entry("errorType", e.getClass().getSimpleName()));
                done = false;
            }
            if (!done) retry.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
        }
        return new SQSBatchResponse(retry);
    }
}
