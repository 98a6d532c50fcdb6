package org.hipoa.local;

import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;

/**
 * What a local function counts of its invocations, for {@link LambdaFunction}'s accessors: one place for both kinds of
 * function (in this JVM, {@link LocalFunction}; as processes, {@link ProcessFunction}). Thread-safe.
 */
final class InvocationStats {
    private final List<LocalFunction.ColdStart> coldStarts = new ArrayList<>();
    private final LongSummaryStatistics warmMillis = new LongSummaryStatistics();
    private int environments, errors, timeouts, crashes;

    /** A new execution environment; returns its number (1 for the first). */
    synchronized int environmentCreated() {
        return ++environments;
    }

    synchronized void coldStart(LocalFunction.ColdStart c) {
        coldStarts.add(c);
    }

    synchronized void warm(long ms) {
        warmMillis.accept(ms);
    }

    /** An invocation that failed: a timeout, a crash (the environment ended otherwise), or neither (an exception). */
    synchronized void failed(boolean timedOut, boolean crashed) {
        errors++;
        if (timedOut) timeouts++;
        else if (crashed) crashes++;
    }

    synchronized List<LocalFunction.ColdStart> coldStarts() {
        return List.copyOf(coldStarts);
    }

    synchronized LongSummaryStatistics warmInvocations() {
        LongSummaryStatistics copy = new LongSummaryStatistics();
        copy.combine(warmMillis);
        return copy;
    }

    synchronized int errors() {
        return errors;
    }

    synchronized int timeouts() {
        return timeouts;
    }

    synchronized int crashes() {
        return crashes;
    }

    synchronized int environmentsCreated() {
        return environments;
    }
}
