package org.hipoa.api;

import com.amazonaws.services.lambda.runtime.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;

import java.util.function.Supplier;

/**
 * Powertools without AspectJ: the functional logging API around each invocation, metrics flushed in {@code finally}.
 * (A copy per function module: core stays free of Powertools and log4j.)
 */
final class Lambda {
    private static final Logger LOG = LoggerFactory.getLogger(Lambda.class);

    private Lambda() {}

    /** Lambda context fields in every log line of the invocation; a caller without a context just runs. */
    static <T> T withLogging(Context context, Supplier<T> body) {
        return context == null ? body.get() : PowertoolsLogging.withLogging(context, body);
    }

    /**
     * The metrics of this invocation, in {@code POWERTOOLS_METRICS_NAMESPACE} (environment, else system property,
     * else {@code HipOA}: the contract's namespace, so a local run without the variable flushes cleanly too).
     */
    static Metrics metrics() {
        Metrics metrics = MetricsFactory.getMetricsInstance();
        if (System.getenv("POWERTOOLS_METRICS_NAMESPACE") == null) {
            metrics.setNamespace(System.getProperty("POWERTOOLS_METRICS_NAMESPACE", "HipOA"));
        }
        return metrics;
    }

    /** EMF metrics out; a metrics problem never fails the invocation. */
    static void flush(Metrics metrics) {
        try {
            metrics.flush();
        } catch (RuntimeException e) {
            LOG.warn("metrics flush failed: {}", e.getClass().getSimpleName());
        }
    }
}
