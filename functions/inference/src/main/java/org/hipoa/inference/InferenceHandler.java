package org.hipoa.inference;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.BatchFailures;
import org.hipoa.aws.Invocation;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.core.study.StudyGrader;
import org.hipoa.core.study.StudyGrades;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The inference function: an SQS batch of claim checks handed to {@link ClaimCheckGrader}, and the claim checks it
 * sends back reported in {@code batchItemFailures} (ReportBatchItemFailures), so SQS redelivers only those.
 */
public final class InferenceHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final ClaimCheckGrader grader;

    /** Lambda's constructor: settings from {@link PipelineConfig#fromEnvironment()}, default SDK clients. */
    public InferenceHandler() {
        this(ClaimCheckGrader.fromEnvironment());
    }

    public InferenceHandler(PipelineConfig config, S3Client s3, DynamoDbClient dynamo) {
        this(new ClaimCheckGrader(config, s3, dynamo));
    }

    /** With the grading step wrapped (tests: a grader that fails for chosen studies, as a poison input would). */
    public InferenceHandler(PipelineConfig config, S3Client s3, DynamoDbClient dynamo,
                            UnaryOperator<Function<List<StudyGrader.Hips>, List<StudyGrades>>> wrapGrade) {
        this(new ClaimCheckGrader(config, s3, dynamo, wrapGrade));
    }

    public InferenceHandler(ClaimCheckGrader grader) {
        this.grader = Objects.requireNonNull(grader, "grader");
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return Invocation.run(context, metrics -> BatchFailures.response(grader.gradeBatch(
                Invocation.messages(event).stream().map(InferenceHandler::claimCheck).toList(), metrics)));
    }

    /** The claim check an SQS message carries, with its receive count (0 when the event has none). */
    static ClaimCheck claimCheck(SQSEvent.SQSMessage m) {
        return new ClaimCheck(m.getMessageId(), m.getBody(), BatchFailures.receiveCount(m));
    }
}
