package org.hipoa.inference;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.Powertools;
import org.hipoa.aws.ResultStore;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.wire.CropMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The claim-check DLQ's consumer: every parked message ends its upload as FAILED ({@code DEAD_LETTERED}) unless the
 * upload is already GRADED or FAILED, so no upload stays PREPROCESSED because inference gave up on it (a function
 * crash or timeout on every receive never reaches the inference handler's own last-receive rule). Needs only the
 * table: no model, no crops. A message that is not a claim check is logged by id and dropped (there is no upload
 * to end); a table error is reported per message, so SQS keeps it for the next poll.
 */
public final class DeadLetterHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
    static final String MESSAGE = "Grading did not succeed after repeated attempts.";

    private final ResultStore results;

    public DeadLetterHandler() {
        this(PipelineConfig.fromEnvironment(), AwsClients.dynamoDb());
    }

    public DeadLetterHandler(PipelineConfig config, DynamoDbClient dynamo) {
        this.results = new ResultStore(dynamo, config.requireTableName());
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return Powertools.withLogging(context, () -> {
            Metrics metrics = Powertools.metrics();
            try {
                List<SQSBatchResponse.BatchItemFailure> retry = new ArrayList<>();
                List<SQSEvent.SQSMessage> messages = event == null || event.getRecords() == null ? List.of()
                        : event.getRecords();
                for (SQSEvent.SQSMessage m : messages) {
                    try {
                        if (end(m)) metrics.addMetric("UploadsDeadLettered", 1, MetricUnit.COUNT);
                    } catch (CropMessage.InvalidMessageException e) {
                        LOG.error("dead letter is not a claim-check message, dropped {}",
                                entry("messageId", m.getMessageId()));
                        metrics.addMetric("InvalidMessages", 1, MetricUnit.COUNT);
                    } catch (RuntimeException e) {
                        LOG.warn("could not end a dead-lettered upload, will retry {} {}",
                                entry("messageId", m.getMessageId()), entry("errorType", e.getClass().getSimpleName()));
                        retry.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                    }
                }
                return new SQSBatchResponse(retry);
            } finally {
                Powertools.flush(metrics);
            }
        });
    }

    /** True when this message's upload was ended here. */
    private boolean end(SQSEvent.SQSMessage m) {
        CropMessage cm = CropMessage.fromJson(m.getBody());
        Optional<ResultRecord> current = results.get(cm.uploadId());
        if (current.isEmpty() || current.get().status().isTerminal()) {
            LOG.info("dead letter for a finished or unknown upload, dropped {}", entry("uploadId", cm.uploadId()));
            return false;
        }
        ResultRecord failed = current.get().failed(new Failure(Stage.INFERENCE, Reason.DEAD_LETTERED, MESSAGE),
                Instant.now());
        boolean written = results.failed(failed); // conditional: never overwrites GRADED or FAILED
        LOG.info("{} {} {}", written ? "dead-lettered upload failed" : "dead-lettered upload was already final",
                entry("uploadId", cm.uploadId()), entry("reason", Reason.DEAD_LETTERED.name()));
        return written;
    }
}
