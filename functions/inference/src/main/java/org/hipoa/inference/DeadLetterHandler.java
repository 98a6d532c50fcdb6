package org.hipoa.inference;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.BatchFailures;
import org.hipoa.aws.Invocation;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.ResultQueries;
import org.hipoa.aws.ResultTransitions;
import org.hipoa.aws.UploadLog;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.wire.CropMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The claim-check DLQ's consumer: every parked message ends its upload exactly once, and a healthy study whose
 * batch-mates crashed the inference function on every receive still gets its grade (docs/PIPELINE.md, "Failures").
 * On a claim check's first receive from the DLQ ({@link #gradesAlone}) its study is graded ALONE, by the inference
 * function's own steps and conditional writes ({@link ClaimCheckGrader#gradeAlone}): GRADED as inference would
 * record it, or FAILED with the reason inference would give. If that solo grade throws, crashes or times out, the message comes back, and on
 * any later receive the upload ends FAILED ({@code DEAD_LETTERED}) from the table alone, no grading — so a poison
 * study costs one extra attempt, never a loop. Uploads already GRADED or FAILED are left as they are; a message that
 * is not a claim check is logged by id and dropped (there is no upload to end); a table error is reported per
 * message, so SQS keeps it for the next poll. The grader is loaded on the first solo grade only.
 */
public final class DeadLetterHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
    static final String MESSAGE = "Grading did not succeed after repeated attempts.";

    private final ResultQueries results;
    private final ResultTransitions transitions;
    private final int maxReceiveCount;
    /** The inference function's grading, for the solo grade; built on the first one (it loads the grader). */
    private final Supplier<ClaimCheckGrader> makeGrader;
    private ClaimCheckGrader grader;

    public DeadLetterHandler() {
        this(PipelineConfig.fromEnvironment(), AwsClients.s3(), AwsClients.dynamoDb());
    }

    public DeadLetterHandler(PipelineConfig config, S3Client s3, DynamoDbClient dynamo) {
        this(config, dynamo, () -> new ClaimCheckGrader(config, s3, dynamo));
    }

    /** With the grading the solo grade runs (tests: one whose grader fails, as a poison study's would). */
    public DeadLetterHandler(PipelineConfig config, DynamoDbClient dynamo, Supplier<ClaimCheckGrader> grader) {
        this.results = new ResultQueries(dynamo, config.requireTableName());
        this.transitions = new ResultTransitions(dynamo, config.requireTableName());
        this.maxReceiveCount = config.maxReceiveCount();
        this.makeGrader = Objects.requireNonNull(grader, "grader");
    }

    /**
     * The one receive on which a parked claim check is graded alone: its first from the DLQ. SQS carries the receive
     * count over from the claim-check queue when it redrives a message (ElasticMQ, measured: 3 on the first DLQ
     * receive with maxReceiveCount 2), so that receive reads maxReceiveCount + 1; a DLQ that counted afresh would
     * read 1, so both are taken. Any other count — or none — means the solo grade had its turn.
     *
     * @param maxReceiveCount the claim-check queue's redrive maxReceiveCount (MAX_RECEIVE_COUNT)
     */
    public static boolean gradesAlone(SQSEvent.SQSMessage m, int maxReceiveCount) {
        int count = BatchFailures.receiveCount(m);
        return count == 1 || count == maxReceiveCount + 1;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return Invocation.run(context, metrics -> Invocation.eachMessage(Invocation.messages(event), LOG,
                m -> settle(m, metrics)));
    }

    /**
     * True when the message is done with; false when it should come back (its solo grade did not finish). A table
     * error is thrown: the message comes back for the next poll.
     */
    private boolean settle(SQSEvent.SQSMessage m, Metrics metrics) {
        CropMessage cm;
        try {
            cm = CropMessage.fromJson(m.getBody());
        } catch (CropMessage.InvalidMessageException e) {
            LOG.error("dead letter is not a claim-check message, dropped {}", entry("messageId", m.getMessageId()));
            metrics.addMetric("InvalidMessages", 1, MetricUnit.COUNT);
            return true;
        }
        Optional<ResultRecord> current = results.get(cm.uploadId());
        if (current.isEmpty() || current.get().status().isTerminal()) {
            LOG.info("dead letter for a finished or unknown upload, dropped {}", entry("uploadId", cm.uploadId()));
            return true;
        }
        if (gradesAlone(m, maxReceiveCount)) {
            LOG.info("dead letter, grading the study alone {}", entry("uploadId", cm.uploadId()));
            metrics.addMetric("SecondChances", 1, MetricUnit.COUNT);
            boolean done = grader().gradeAlone(InferenceHandler.claimCheck(m), metrics);
            if (!done) {
                LOG.warn("solo grade did not finish, the next receive ends the upload {}",
                        entry("uploadId", cm.uploadId()));
            }
            return done;
        }
        // Conditional: never overwrites GRADED or FAILED.
        ResultTransitions.Ended ended = transitions.end(current.get(),
                new Failure(Stage.INFERENCE, Reason.DEAD_LETTERED, MESSAGE));
        UploadLog.ended(LOG, ended);
        if (ended.written()) metrics.addMetric("UploadsDeadLettered", 1, MetricUnit.COUNT);
        return true;
    }

    private synchronized ClaimCheckGrader grader() {
        if (grader == null) grader = Objects.requireNonNull(makeGrader.get(), "grader");
        return grader;
    }
}
