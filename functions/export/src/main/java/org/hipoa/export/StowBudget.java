package org.hipoa.export;

import com.amazonaws.services.lambda.runtime.Context;

import org.slf4j.Logger;

import java.time.Duration;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The invocation's time: each STOW gets at most what is left less a reserve for recording its outcome and
 * answering, and a message is not started when less than that is left. Lambda ends an invocation at its timeout
 * with no answer, and then every message of the batch comes back, done or not: one provider's PACS that never
 * answers would hold back all the others, and after MaxReceiveCount receives park them all in the DLQ.
 */
final class StowBudget {
    /** Below this a STOW is not started: a PACS does not answer a store faster. */
    static final Duration MIN_STOW = Duration.ofMillis(500);
    private final Context context;
    private final Duration reserve;
    /** Messages left for a later receive, unattempted. */
    private int skipped;

    /** Thrown when the time left will not hold a STOW: the message is left for a later receive, unrecorded. */
    static final class OutOfTime extends Exception {
        OutOfTime() {
            super(null, null, false, false);
        }
    }

    StowBudget(Context context) {
        this.context = context;
        // A tenth of the invocation (6 s of the template's 60), within 0.25..3 s: recording an outcome is one
        // DynamoDB write, and the local stack runs this function with a 3 s timeout.
        long ms = context == null ? 0 : context.getRemainingTimeInMillis() / 10;
        this.reserve = Duration.ofMillis(Math.clamp(ms, 250, 3_000));
    }

    /** Time a STOW may take now: what is left less the reserve (unbounded without a context). */
    Duration stow() {
        if (context == null) return Duration.ofDays(1);
        return Duration.ofMillis(context.getRemainingTimeInMillis()).minus(reserve);
    }

    /** The time for a STOW starting now, or {@link OutOfTime} when what is left will not hold one. */
    Duration forStow() throws OutOfTime {
        Duration d = stow();
        if (d.compareTo(MIN_STOW) < 0) {
            skipped++;
            throw new OutOfTime();
        }
        return d;
    }

    /** Whether another message may be started; one that may not is counted as skipped. */
    boolean allowsAnother() {
        boolean ok = stow().compareTo(MIN_STOW) >= 0;
        if (!ok) skipped++;
        return ok;
    }

    /** One line for the invocation, when it left messages unattempted. */
    void logSkipped(Logger log) {
        if (skipped > 0) {
            log.warn("left for a later receive, not attempted: too little time left {}", entry("messages", skipped));
        }
    }
}
