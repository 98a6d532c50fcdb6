package org.hipoa.aws;

import com.amazonaws.services.lambda.runtime.Context;
import org.hipoa.domain.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;

import java.util.function.Supplier;

/**
 * Powertools without AspectJ: the functional logging API around each invocation, metrics flushed in {@code finally}.
 * The Powertools API is here; each function module adds its log4j binding ({@code powertools-logging-log4j}) itself,
 * so the command line and the local stack, which use this module too, keep their own logging.
 */
public final class Powertools {
    private static final String METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE";
    private static final Logger LOG = LoggerFactory.getLogger(Powertools.class);

    private Powertools() {}

    /** Lambda context fields in every log line of the invocation; a caller without a context just runs. */
    public static <T> T withLogging(Context context, Supplier<T> body) {
        return context == null ? body.get() : PowertoolsLogging.withLogging(context, body);
    }

    /**
     * The metrics of this invocation, in the namespace {@code POWERTOOLS_METRICS_NAMESPACE} names (read by
     * {@link Settings}: Powertools itself reads only the environment variable, the local stack sets a property), else
     * {@code HipOA}: the contract's namespace, so a local run without the setting flushes cleanly too.
     */
    public static Metrics metrics() {
        Metrics metrics = MetricsFactory.getMetricsInstance();
        metrics.setNamespace(Settings.get(METRICS_NAMESPACE).orElse("HipOA"));
        return metrics;
    }

    /** EMF metrics out; a metrics problem never fails the invocation. */
    public static void flush(Metrics metrics) {
        try {
            metrics.flush();
        } catch (RuntimeException e) {
            LOG.warn("metrics flush failed: {}", e.getClass().getSimpleName());
        }
    }
}
