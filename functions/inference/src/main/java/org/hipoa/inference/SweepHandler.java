package org.hipoa.inference;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.Invocation;
import org.hipoa.aws.ResultItems;
import org.hipoa.aws.ResultTransitions;
import org.hipoa.aws.UnfinishedUploads;
import org.hipoa.aws.UploadLog;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.result.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The scheduled backstop (template.yaml: SweepFunction, every 15 minutes): every upload still RECEIVED or
 * PREPROCESSED longer than STUCK_AFTER_MINUTES (default 24 h, past every retry path) ends FAILED with
 * {@code TIMED_OUT}, with the stage it was waiting for. It also emits {@code OldestUnfinishedAgeSeconds} (before
 * sweeping) and {@code UnfinishedUploads}; the stack alarms on the age long before the sweep. The write is the
 * usual conditional failure write, so an upload that finishes meanwhile keeps its result.
 */
public final class SweepHandler implements RequestHandler<ScheduledEvent, SweepHandler.Summary> {
    private static final Logger LOG = LoggerFactory.getLogger(SweepHandler.class);

    /**
     * What one sweep saw and did; {@code unreadable}: unfinished items that do not read as a result (their age is
     * unknown, they are left as they are); {@code errors}: items whose timeout could not be written this time.
     */
    public record Summary(int unfinished, int timedOut, long oldestAgeSeconds, int unreadable, int errors) {}

    private final ResultTransitions transitions;
    private final UnfinishedUploads unfinished;
    private final Duration stuckAfter;
    private final Clock clock;

    public SweepHandler() {
        this(PipelineConfig.fromEnvironment(), AwsClients.dynamoDb(), Clock.systemUTC());
    }

    public SweepHandler(PipelineConfig config, DynamoDbClient dynamo, Clock clock) {
        this.transitions = new ResultTransitions(dynamo, config.requireTableName());
        this.unfinished = new UnfinishedUploads(dynamo, config.requireTableName());
        this.stuckAfter = config.stuckAfter();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Summary handleRequest(ScheduledEvent event, Context context) {
        return Invocation.run(context, metrics -> {
            Summary s = sweep();
            metrics.addMetric("UnfinishedUploads", s.unfinished(), MetricUnit.COUNT);
            metrics.addMetric("OldestUnfinishedAgeSeconds", s.oldestAgeSeconds(), MetricUnit.SECONDS);
            metrics.addMetric("UploadsTimedOut", s.timedOut(), MetricUnit.COUNT);
            metrics.addMetric("UnfinishedUploadsUnreadable", s.unreadable(), MetricUnit.COUNT);
            LOG.info("sweep {} {} {} {} {}", entry("unfinished", s.unfinished()),
                    entry("timedOut", s.timedOut()), entry("oldestAgeSeconds", s.oldestAgeSeconds()),
                    entry("unreadable", s.unreadable()), entry("errors", s.errors()));
            return s;
        });
    }

    Summary sweep() {
        Instant now = clock.instant();
        int count = 0, timedOut = 0, errors = 0;
        long oldest = 0;
        String message = "The upload did not finish within " + describe(stuckAfter) + " and was stopped.";
        AtomicInteger unreadable = new AtomicInteger();
        // One item that does not read, or whose write fails, is logged and counted; the others are still swept.
        for (ResultRecord r : unfinished.list(key -> {
            unreadable.incrementAndGet();
            LOG.error("unfinished item does not read as a result, left as it is {}",
                    entry("pk", key.get(ResultItems.PK) == null ? "" : key.get(ResultItems.PK).s()));
        })) {
            count++;
            try {
                Duration age = Duration.between(r.receivedAt(), now);
                oldest = Math.max(oldest, age.toSeconds());
                if (age.compareTo(stuckAfter) < 0) continue;
                Stage waitingFor = r.status() == Status.RECEIVED ? Stage.PREPROCESS : Stage.INFERENCE;
                ResultTransitions.Ended ended = transitions.end(r, new Failure(waitingFor, Reason.TIMED_OUT, message),
                        now);
                if (ended.written()) timedOut++;
                UploadLog.written(LOG, "timed out", ended.written(), ended.record(), Reason.TIMED_OUT, Map.of());
            } catch (RuntimeException e) {
                errors++;
                LOG.error("could not time out an upload, the next sweep tries again {} {}",
                        entry("uploadId", r.uploadId()), entry("errorType", e.getClass().getSimpleName()));
            }
        }
        return new Summary(count + unreadable.get(), timedOut, oldest, unreadable.get(), errors);
    }

    private static String describe(Duration d) {
        if (d.toMinutes() % 60 != 0) return d.toMinutes() + " minutes";
        return d.toHours() == 1 ? "1 hour" : d.toHours() + " hours";
    }
}
