package org.hipoa.inference;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Side;
import org.hipoa.core.crop.CropContract;
import org.hipoa.domain.HipCrop;
import org.hipoa.aws.AwsClients;
import org.hipoa.domain.wire.CropMessage;
import org.hipoa.domain.Timings;
import org.hipoa.core.study.StudyGrader;
import org.hipoa.core.study.StudyGrades;
import org.hipoa.domain.wire.CropNpy;
import org.hipoa.aws.CropStore;
import org.hipoa.aws.HipPngStore;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.aws.ResultStore;
import org.hipoa.domain.result.Stage;
import org.hipoa.aws.Powertools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * Claim-check messages → crops from the work bucket → ONE grader call for every hip of the batch → GRADED items
 * (docs/PIPELINE.md). Messages whose upload is already GRADED or FAILED are skipped; unreadable crops end FAILED;
 * anything transient is reported per message in {@code batchItemFailures}, so SQS redelivers only those.
 */
public final class InferenceHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceHandler.class);

    /** A message whose crops are read and wait for the batch's grader call. */
    private record Pending(String messageId, CropMessage message, ResultRecord current, HipCrop right, HipCrop left,
                           long readMs) {}

    private final S3Client s3;
    private final ResultStore results;
    private final HipPngStore pngs;
    private final Optional<String> workBucket;
    private final StudyGrader grader;
    private final ModelRef model;
    private final int cropPx;

    /** Lambda's constructor: settings from {@link PipelineConfig#fromEnvironment()}, default SDK clients. */
    public InferenceHandler() {
        this(PipelineConfig.fromEnvironment(), AwsClients.s3(), AwsClients.dynamoDb());
    }

    /**
     * Loads {@code grader.onnx} from MODEL_DIR once per container. When WORK_BUCKET is set, crops are read only from
     * that bucket.
     */
    public InferenceHandler(PipelineConfig config, S3Client s3, DynamoDbClient dynamo) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.results = new ResultStore(dynamo, config.requireTableName());
        this.pngs = new HipPngStore(s3);
        this.workBucket = Optional.ofNullable(config.workBucket());
        this.grader = new StudyGrader(config.requireModelDir());
        this.model = new ModelRef(grader.info().name(), grader.info().version());
        // The crops were cut by the preprocess function with the same model folder's contract.
        this.cropPx = CropContract.forModelDir(config.requireModelDir()).graderOutputPx();
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return Powertools.withLogging(context, () -> {
            Metrics metrics = Powertools.metrics();
            try {
                return new SQSBatchResponse(handle(event == null || event.getRecords() == null ? List.of()
                        : event.getRecords(), metrics));
            } finally {
                Powertools.flush(metrics);
            }
        });
    }

    private List<SQSBatchResponse.BatchItemFailure> handle(List<SQSEvent.SQSMessage> messages, Metrics metrics) {
        List<SQSBatchResponse.BatchItemFailure> retry = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        for (SQSEvent.SQSMessage m : messages) {
            try {
                prepare(m).ifPresent(pending::add);
            } catch (CropMessage.InvalidMessageException e) {
                // Nothing to record it against: let SQS move it to the DLQ after its receive count.
                LOG.error("not a claim-check message {}", entry("messageId", m.getMessageId()));
                metrics.addMetric("InvalidMessages", 1, MetricUnit.COUNT);
                retry.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
            } catch (RuntimeException e) {
                LOG.warn("transient error, message will be redelivered {} {}", entry("messageId", m.getMessageId()),
                        entry("errorType", e.getClass().getSimpleName()));
                retry.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
            }
        }
        if (pending.isEmpty()) return retry;

        List<StudyGrader.Hips> crops = new ArrayList<>(pending.size());
        for (Pending p : pending) crops.add(new StudyGrader.Hips(p.right(), p.left()));
        List<StudyGrades> grades;
        long t0 = System.nanoTime();
        try {
            grades = grader.grade(crops); // one ONNX Runtime call for the whole batch
        } catch (RuntimeException e) {
            LOG.error("grader failed for the batch {} {}", entry("hips", 2 * crops.size()),
                    entry("errorType", e.getClass().getSimpleName()));
            pending.forEach(p -> retry.add(new SQSBatchResponse.BatchItemFailure(p.messageId())));
            return retry;
        }
        long gradeMs = Timings.msSince(t0);
        metrics.addMetric("GradeBatchMs", gradeMs, MetricUnit.MILLISECONDS);
        metrics.addMetric("HipsGraded", 2 * crops.size(), MetricUnit.COUNT);

        for (int i = 0; i < pending.size(); i++) {
            Pending p = pending.get(i);
            CropMessage m = p.message();
            Map<String, Long> ms = Map.of(Timings.READ_CROPS, p.readMs(), Timings.GRADE_BATCH, gradeMs);
            StudyGrades g = grades.get(i);
            ResultRecord graded = p.current().graded(m.studyKey(), m.spacing(), m.localiser(), m.preprocessTimingsMs(),
                    model, g.right().result(), g.left().result(), ms, Instant.now());
            try {
                // Before the item: a GRADED result always has its pictures (and heatmaps, if the model gives them).
                pngs.put(graded, p.right(), p.left(), g.right().heatmaps(), g.left().heatmaps());
                boolean written = results.graded(graded);
                metrics.addMetric(written ? "UploadsGraded" : "DuplicateMessages", 1, MetricUnit.COUNT);
                log(written ? "graded" : "graded, item was already final", graded, null, ms);
                LOG.debug("batch {}", entry("hips", 2 * crops.size()));
            } catch (RuntimeException e) {
                LOG.warn("transient error, message will be redelivered {} {}", entry("uploadId", m.uploadId()),
                        entry("errorType", e.getClass().getSimpleName()));
                retry.add(new SQSBatchResponse.BatchItemFailure(p.messageId()));
            }
        }
        return retry;
    }

    /** Parses, skips finished uploads, reads the crops; a permanent problem ends FAILED here. */
    private Optional<Pending> prepare(SQSEvent.SQSMessage sqs) {
        CropMessage m = CropMessage.fromJson(sqs.getBody());
        Optional<ResultRecord> found = results.get(m.uploadId());
        if (found.isEmpty()) {
            // The received write always precedes the message, so this is not our upload (or it was deleted).
            LOG.warn("message for an unknown upload, dropped {}", entry("uploadId", m.uploadId()));
            return Optional.empty();
        }
        ResultRecord current = found.get();
        if (current.status().isTerminal()) {
            log("already final, message skipped", current, null, Map.of());
            return Optional.empty();
        }
        long t0 = System.nanoTime();
        try {
            if (workBucket.isPresent() && !workBucket.get().equals(m.cropsBucket())) {
                throw new CropNpy.UnreadableCropsException("crops outside the work bucket");
            }
            if (!CropStore.key(m.uploadId()).equals(m.cropsKey())) {
                throw new CropNpy.UnreadableCropsException("crops key does not belong to the upload");
            }
            CropNpy.Pair pair = CropStore.get(s3, m.cropsBucket(), m.cropsKey());
            if (pair.size() != cropPx || m.cropPx() != cropPx) {
                throw new CropNpy.UnreadableCropsException("crops are " + pair.size() + " px, the grader takes " + cropPx);
            }
            long readMs = Timings.msSince(t0);
            return Optional.of(new Pending(sqs.getMessageId(), m, current,
                    new HipCrop(Side.RIGHT, pair.size(), pair.right(), m.right().centerXmm(), m.right().centerYmm()),
                    new HipCrop(Side.LEFT, pair.size(), pair.left(), m.left().centerXmm(), m.left().centerYmm()),
                    readMs));
        } catch (CropNpy.UnreadableCropsException e) {
            ResultRecord failed = current.failed(new Failure(Stage.INFERENCE, Reason.CROPS_UNREADABLE, e.getMessage()),
                    Instant.now());
            boolean written = results.failed(failed);
            log(written ? "failed" : "failed, item was already final", failed, Reason.CROPS_UNREADABLE, Map.of());
            return Optional.empty();
        }
    }

    private static void log(String what, ResultRecord r, Reason reason, Map<String, Long> ms) {
        LOG.info("{} {} {} {} {} {}", what, entry("uploadId", r.uploadId()),
                entry("provider", r.provider().map(Object::toString).orElse("")), entry("status", r.status().name()),
                entry("reason", reason == null ? "" : reason.name()), entry("timingsMs", ms));
    }
}
