package org.hipoa.domain.result;

import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;

import java.util.Objects;

/**
 * Why an upload ended FAILED: where, the stable reason code, and a sentence without patient data. The sentence is
 * kept to {@link #MAX_MESSAGE_LENGTH} characters without control characters whatever its author passed: it is
 * stored in every copy of the item and returned in listings, so a message that quoted a file's value unchecked
 * cannot grow an item past DynamoDB's limit or a listing past Lambda's response limit.
 */
public record Failure(Stage stage, Reason reason, String message) {
    /** Longest message kept, in UTF-16 units; the partner contract (openapi.yaml) states the same bound. */
    public static final int MAX_MESSAGE_LENGTH = 300;

    public Failure {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reason, "reason");
        message = bounded(message);
        if (message.isEmpty()) message = reason.name();
    }

    public static Failure of(Stage stage, Rejection rejection) {
        return new Failure(stage, rejection.reason(), rejection.message());
    }

    /** Control characters become spaces, runs of white space one space; past the bound the text ends in "…". */
    static String bounded(String message) {
        if (message == null) return "";
        StringBuilder b = new StringBuilder(Math.min(message.length(), MAX_MESSAGE_LENGTH + 1));
        boolean space = false;
        for (int i = 0; i < message.length() && b.length() <= MAX_MESSAGE_LENGTH; i++) {
            char c = message.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                space = !b.isEmpty();
                continue;
            }
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < message.length()
                    && Character.isLowSurrogate(message.charAt(i + 1)))
                    && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(message.charAt(i - 1)))) {
                c = '\uFFFD'; // a lone surrogate is no text: DynamoDB's UTF-8 could not hold it
            }
            if (space) b.append(' ');
            space = false;
            b.append(c);
        }
        if (b.length() <= MAX_MESSAGE_LENGTH) return b.toString();
        int cut = MAX_MESSAGE_LENGTH - 1;
        if (Character.isHighSurrogate(b.charAt(cut - 1))) cut--; // keep a pair whole
        return b.substring(0, cut) + "…";
    }
}
