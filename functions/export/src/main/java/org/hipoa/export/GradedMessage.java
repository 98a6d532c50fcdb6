package org.hipoa.export;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.GradedEvents;
import org.slf4j.Logger;

import java.util.Optional;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/** The export queue's and its DLQ's message body as a graded upload, for both of their consumers. */
final class GradedMessage {
    private GradedMessage() {}

    /**
     * The graded upload {@code m} names; empty (logged by message id, never its body) when it names none: no receive
     * reads it differently, so the caller drops it.
     */
    static Optional<GradedEvents.Graded> read(SQSEvent.SQSMessage m, Logger log) {
        try {
            return Optional.of(GradedEvents.Graded.fromJson(m.getBody()));
        } catch (IllegalArgumentException e) {
            log.error("not a graded message, dropped {}", entry("messageId", m.getMessageId()));
            return Optional.empty();
        }
    }
}
