package org.hipoa.export;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.GradedEvents;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.Powertools;
import org.hipoa.aws.ResultItems;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

    private final DynamoDbClient dynamo;
    private final String table;

    public ExportDeadLetterHandler() {
        this(PipelineConfig.fromEnvironment(), AwsClients.dynamoDb());
    }

    public ExportDeadLetterHandler(PipelineConfig config, DynamoDbClient dynamo) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = config.requireTableName();
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return Powertools.withLogging(context, () -> {
            List<SQSBatchResponse.BatchItemFailure> retry = new ArrayList<>();
            for (SQSEvent.SQSMessage m : event == null || event.getRecords() == null
                    ? List.<SQSEvent.SQSMessage>of() : event.getRecords()) {
                boolean done;
                try {
                    done = end(m);
                } catch (RuntimeException e) {
                    LOG.warn("could not end a dead-lettered export {} {}", entry("messageId", m.getMessageId()),
                            entry("errorType", e.getClass().getSimpleName()));
                    done = false;
                }
                if (!done) retry.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
            }
            return new SQSBatchResponse(retry);
        });
    }

    /** False: leave the message in the DLQ (a table error). */
    private boolean end(SQSEvent.SQSMessage m) {
        GradedEvents.Graded g;
        try {
            g = GradedEvents.Graded.fromJson(m.getBody());
        } catch (IllegalArgumentException e) {
            LOG.error("not a graded message, dropped {}", entry("messageId", m.getMessageId()));
            return true;
        }
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(ResultItems.key(g.uploadId()))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty() || item.get("status") == null
                || !Status.GRADED.name().equals(item.get("status").s())) {
            LOG.info("dead-lettered export of an upload that is gone or not GRADED, dropped {}",
                    entry("uploadId", g.uploadId()));
            return true;
        }
        AttributeValue previous = item.get(ExportHandler.EXPORT);
        Map<String, AttributeValue> export = new LinkedHashMap<>();
        if (previous != null && previous.hasM()) {
            if ("DONE".equals(previous.m().get("status") == null ? null : previous.m().get("status").s())) {
                return true; // a later receive finished it after all
            }
            for (String keep : List.of("attempts", "srKey")) {
                if (previous.m().get(keep) != null) export.put(keep, previous.m().get(keep));
            }
        }
        export.putIfAbsent("attempts", AttributeValue.fromN("0"));
        export.put("status", AttributeValue.fromS("FAILED"));
        export.put("reason", AttributeValue.fromS(ExportReason.DEAD_LETTERED.name()));
        export.put("message", AttributeValue.fromS(MESSAGE));
        export.put("at", AttributeValue.fromS(ResultRecord.TIME.format(Instant.now())));
        try {
            dynamo.updateItem(b -> b.tableName(table).key(ResultItems.key(g.uploadId()))
                    .updateExpression("SET #e = :e")
                    // Still GRADED, and not exported meanwhile by a receive that was still running.
                    .conditionExpression("#s = :graded AND (attribute_not_exists(#e) OR #e.#s <> :done)")
                    .expressionAttributeNames(Map.of("#e", ExportHandler.EXPORT, "#s", "status"))
                    .expressionAttributeValues(Map.of(":e", AttributeValue.fromM(export),
                            ":graded", AttributeValue.fromS(Status.GRADED.name()),
                            ":done", AttributeValue.fromS("DONE"))));
        } catch (ConditionalCheckFailedException changed) {
            return true;
        }
        LOG.info("export dead-lettered {} {} {}", entry("uploadId", g.uploadId()), entry("export", "FAILED"),
                entry("reason", ExportReason.DEAD_LETTERED.name()));
        return true;
    }
}
