package org.hipoa.export;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.GradedEvents;
import org.hipoa.aws.Invocation;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.Powertools;
import org.hipoa.domain.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Instant;
import java.util.Optional;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The export DLQ's consumer (template.yaml: ExportDeadLetterFunction). A graded message lands there when none of
 * its receives finished it — each ran out of the invocation's time before its turn or crashed — so the export
 * function never recorded an outcome and the item would say RETRYING (or nothing) for ever. This ends it: the
 * item's export becomes FAILED with {@code DEAD_LETTERED}, its attempts and SR key kept, unless it is DONE or the
 * item is gone or no longer GRADED. Nothing is retried here: the providers' PACS is not called. A table error
 * leaves the message in the DLQ for the next receive (ExportDlqAlarm fires while any wait there).
 */
public final class ExportDeadLetterHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(ExportDeadLetterHandler.class);
    static final String MESSAGE = "The export did not finish within the export queue's receives (the provider's"
            + " DICOMweb endpoint took too long or the export failed unexpectedly); it is not retried.";

    private final ExportStore store;

    public ExportDeadLetterHandler() {
        this(PipelineConfig.fromEnvironment(), AwsClients.dynamoDb());
    }

    public ExportDeadLetterHandler(PipelineConfig config, DynamoDbClient dynamo) {
        this.store = new ExportStore(dynamo, config.requireTableName());
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return Powertools.withLogging(context,
                () -> Invocation.eachMessage(Invocation.messages(event), LOG, this::end));
    }

    /** Done with the message; a table error is thrown, and the message stays in the DLQ. */
    private boolean end(SQSEvent.SQSMessage m) {
        Optional<GradedEvents.Graded> g = GradedMessage.read(m, LOG);
        if (g.isEmpty()) return true;
        String uploadId = g.get().uploadId();
        switch (store.endDeadLettered(uploadId, Reason.DEAD_LETTERED, MESSAGE, Instant.now())) {
            case NOT_GRADED -> LOG.info("dead-lettered export of an upload that is gone or not GRADED, dropped {}",
                    entry("uploadId", uploadId));
            case ENDED -> LOG.info("export dead-lettered {} {} {}", entry("uploadId", uploadId),
                    entry("export", ExportStatus.FAILED.name()), entry("reason", Reason.DEAD_LETTERED.name()));
            case ALREADY_DONE -> { }
        }
        return true;
    }
}
