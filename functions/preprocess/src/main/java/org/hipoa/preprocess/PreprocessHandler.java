package org.hipoa.preprocess;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3ObjectEntity;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.Faults;
import org.hipoa.aws.Invocation;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.UploadRef;
import org.crac.Core;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.util.Optional;
import java.util.function.UnaryOperator;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The preprocess function: each S3 ObjectCreated record on {@code incoming/{provider}/…} handed to
 * {@link UploadPreprocessor} (RECEIVED → crops → claim check → PREPROCESSED, or FAILED with a reason). A transient
 * fault of any record fails the invocation after the others are done, so Lambda retries the asynchronous event
 * (every step is idempotent).
 */
public final class PreprocessHandler implements RequestHandler<S3Event, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(PreprocessHandler.class);

    private final UploadPreprocessor uploads;
    private final String ingestBucket;
    private final StudyPreparer preparer;
    /** Held here: a CRaC context may keep its resources only weakly. */
    private final SnapStartPriming priming;

    /** Lambda's constructor: settings from {@link PipelineConfig#fromEnvironment()}, default SDK clients. */
    public PreprocessHandler() {
        this(PipelineConfig.fromEnvironment(), AwsClients.s3(), AwsClients.sqs(), AwsClients.dynamoDb());
    }

    /** Everything built here once per container, before SnapStart takes its snapshot. */
    public PreprocessHandler(PipelineConfig config, S3Client s3, SqsClient sqs, DynamoDbClient dynamo) {
        this(config, s3, sqs, dynamo, UnaryOperator.identity());
    }

    /**
     * With a step applied to every preparation's outcome (tests: a preparer that throws or returns non-finite
     * centres, as a 1e300 Rescale Slope once made it).
     */
    public PreprocessHandler(PipelineConfig config, S3Client s3, SqsClient sqs, DynamoDbClient dynamo,
                             UnaryOperator<Outcome<PreparedStudy>> afterPrepare) {
        this.uploads = new UploadPreprocessor(config, s3, sqs, dynamo, afterPrepare);
        this.ingestBucket = config.requireIngestBucket();
        this.preparer = uploads.preparer();
        // The model is loaded eagerly (above), so that SnapStart's snapshot holds the localiser session; priming
        // then runs one phantom film before the snapshot. A no-op on a JVM without CRaC.
        this.priming = new SnapStartPriming(preparer);
        Core.getGlobalContext().register(priming);
    }

    /** The priming resource this handler registered (tests, bench). */
    SnapStartPriming priming() {
        return priming;
    }

    /** The preparer an event uses (bench: the per-event work without S3). */
    StudyPreparer preparer() {
        return preparer;
    }

    @Override
    public Void handleRequest(S3Event event, Context context) {
        return Invocation.run(context, metrics -> {
            RuntimeException first = null;
            for (S3EventNotificationRecord r : Invocation.records(event)) {
                try {
                    Optional<Status> status = process(r);
                    metrics.addMetric(status.isEmpty() ? "RecordsRefused" : status.get() == Status.FAILED
                            ? "UploadsFailed" : "UploadsPreprocessed", 1, MetricUnit.COUNT);
                } catch (RuntimeException e) { // transient (Faults): finish the other records, then retry
                    // Or not even the FAILED record could be written (the table refuses us): Lambda's two
                    // async retries, then the on-failure queue and its alarm.
                    LOG.error("preprocess error, the invocation will be retried {}", entry("where", Faults.where(e)));
                    if (first == null) first = e;
                    else first.addSuppressed(e);
                }
            }
            if (first != null) throw first;
            return null;
        });
    }

    /**
     * One uploaded object; returns the status it ends in (or its earlier one, for a duplicate delivery), or empty for
     * a record this function does not take: one that names another bucket than the ingest bucket is neither read nor
     * recorded (its key is no upload of ours, and an item for it would enter a provider's feed), only logged.
     */
    Optional<Status> process(S3EventNotificationRecord r) {
        String bucket = r.getS3() == null || r.getS3().getBucket() == null ? null : r.getS3().getBucket().getName();
        if (!ingestBucket.equals(bucket)) {
            LOG.error("record refused: it names another bucket than the ingest bucket; nothing read or recorded {}",
                    entry("reason", "NOT_THE_INGEST_BUCKET"));
            return Optional.empty();
        }
        S3ObjectEntity o = r.getS3().getObject();
        return Optional.of(uploads.preprocess(UploadRef.fromEvent(bucket, o.getKey(), o.getVersionId(), o.geteTag()),
                Optional.ofNullable(o.getSizeAsLong())));
    }
}
