package org.hipoa.local;

import java.util.List;
import java.util.LongSummaryStatistics;

/**
 * A Lambda function as its triggers (the S3 notification bridge, the SQS event source mappings, the API gateway) see
 * it: an event in Lambda's JSON, the handler's result or a {@link LocalFunction.FunctionError}. Implemented in this
 * JVM ({@link LocalFunction}) and as one JVM process per execution environment ({@link ProcessFunction}), with the
 * same counters for both.
 *
 * @param <I> the handler's event type
 * @param <O> the handler's result type
 */
public interface LambdaFunction<I, O> extends AutoCloseable {

    String name();

    /**
     * Runs one event in a free environment (waiting for one if all are busy) and returns its result.
     *
     * @throws LocalFunction.FunctionError for a handler exception, a crash, or a timeout
     */
    O invoke(String eventJson);

    /** The cold starts so far, one per execution environment that ran. */
    List<LocalFunction.ColdStart> coldStarts();

    /** Durations of warm invocations so far, ms. */
    LongSummaryStatistics warmInvocations();

    /** Invocations that ended with an exception, a crash or a timeout. */
    int errors();

    /** Invocations stopped at their timeout. */
    int timeouts();

    /** Invocations that ended the environment otherwise than by a timeout (an Error, a killed runtime). */
    int crashes();

    /** Execution environments created so far (a timeout or crash makes the next invocation create one). */
    int environmentsCreated();

    @Override
    void close();
}
