package org.hipoa.domain;

import java.util.Objects;

/**
 * Why an input was turned away: a stable code for machines and a sentence for people. The message never carries
 * patient data (names, IDs, dates), only structural facts about the file.
 */
public record Rejection(Reason reason, String message) {
    public Rejection {
        Objects.requireNonNull(reason, "reason");
        if (message == null || message.isBlank()) {
            throw new IllegalArgumentException("a rejection needs a message for the person reading it");
        }
    }
}
