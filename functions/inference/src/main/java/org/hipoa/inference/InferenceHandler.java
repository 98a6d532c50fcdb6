package org.hipoa.inference;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import org.hipoa.domain.Side;
import org.hipoa.core.crop.CropContract;
import org.hipoa.domain.HipCrop;
import org.hipoa.aws.BatchFailures;
import org.hipoa.aws.AwsClients;
import org.hipoa.domain.wire.CropMessage;
import org.hipoa.domain.Timings;
import org.hipoa.core.study.StudyGrader;
import org.hipoa.core.study.StudyGrades;
import org.hipoa.domain.wire.CropNpy;
import org.hipoa.aws.CropStore;
import org.hipoa.aws.HipPictureStore;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.aws.ResultQueries;
import org.hipoa.aws.ResultTransitions;
import org.hipoa.domain.result.Stage;
import org.hipoa.aws.Powertools;
import org.hipoa.aws.Faults;
import org.hipoa.aws.SourceReads;
import org.hipoa.aws.GradedEvents;
import org.hipoa.domain.result.Status;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.domain.Outcome;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * Claim-check messages → crops from the work bucket → ONE grader call for every hip of the batch → GRADED items
 * (docs/PIPELINE.md). Messages whose upload is already GRADED or FAILED are skipped; unreadable crops end FAILED;
 * anything transient is reported per message in {@code batchItemFailures}, so SQS redelivers only those.
 */
public final class InferenceHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceHandler.class);

    /** A message whose crops are read and wait for the batch's grader call. */
    private record Pending(String messageId, SQSEvent.SQSMessage sqs, CropMessage message, ResultRecord current,
                           HipCrop right, HipCrop left, long readMs) {}

    private final S3Client s3;
    private final ResultQueries results;
    private final ResultTransitions transitions;
    private final Keys keys;
    private final HipPictureStore pngs;
    private final Optional<String> workBucket;
    private final StudyGrader grader;
    private final Function<List<StudyGrader.Hips>, List<StudyGrades>> grade;
    private final ModelRef model;
    private final int cropPx;
    private final int maxReceiveCount;
    private final Path modelDir;
    /** The export queue (EXPORT_QUEUE_URL), when this deployment exports results. */
    private final Optional<GradedEvents> exports = GradedEvents.fromEnvironment();
    /** Built on the first lost crops only: most containers never need the localiser. */
    private StudyPreparer preparer;

    /** Lambda's constructor: settings from {@link PipelineConfig#fromEnvironment()}, default SDK clients. */
    public InferenceHandler() {
        this(PipelineConfig.fromEnvironment(), AwsClients.s3(), AwsClients.dynamoDb());
    }

    /**
     * Loads {@code grader.onnx} from MODEL_DIR once per container. When WORK_BUCKET is set, crops are read only from
     * that bucket.
     */
    public InferenceHandler(PipelineConfig config, S3Client s3, DynamoDbClient dynamo) {
        this(config, s3, dynamo, UnaryOperator.identity());
    }

    /**
     * With the grading step wrapped (tests: a grader that fails for chosen studies, as a poison input would).
     */
    public InferenceHandler(PipelineConfig config, S3Client s3, DynamoDbClient dynamo,
                            UnaryOperator<Function<List<StudyGrader.Hips>, List<StudyGrades>>> wrapGrade) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.results = new ResultQueries(dynamo, config.requireTableName());
        this.transitions = new ResultTransitions(dynamo, config.requireTableName());
        this.keys = config.requireKeys(); // opens the item's sealed object key when crops must be cut again
        this.pngs = new HipPictureStore(s3);
        this.workBucket = Optional.ofNullable(config.workBucket());
        this.modelDir = config.requireModelDir();
        this.grader = new StudyGrader(modelDir);
        this.grade = Objects.requireNonNull(wrapGrade.apply(grader::grade), "grade");
        this.model = new ModelRef(grader.info().name(), grader.info().version());
        // The crops were cut by the preprocess function with the same model folder's contract.
        this.cropPx = CropContract.forModelDir(modelDir).graderOutputPx();
        this.maxReceiveCount = config.maxReceiveCount();
    }

    /** The grader built at init (bench: the per-event grading without S3 and DynamoDB). */
    StudyGrader grader() {
        return grader;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return Powertools.withLogging(context, () -> {
            Metrics metrics = Powertools.metrics();
            try {
                return new SQSBatchResponse(handle(event == null || event.getRecords() == null ? List.of()
                        : event.getRecords(), metrics, true));
            } finally {
                Powertools.flush(metrics);
            }
        });
    }

    /**
     * The DLQ consumer's second chance (docs/PIPELINE.md): this one claim check graded alone, by exactly the steps
     * and the conditional writes a batch goes through. Never treated as a last receive: what would be retried
     * comes back as a failure, and the caller lets the message return (its next receive ends it DEAD_LETTERED).
     * Failures with a reason (unreadable crops, a permanent fault, a source gone) end FAILED here as in a batch.
     *
     * @return true when the message is done with (GRADED, FAILED, or already final), false when it should come back
     */
    boolean gradeAlone(SQSEvent.SQSMessage message, Metrics metrics) {
        return handle(List.of(message), metrics, false).isEmpty();
    }

    /**
     * @param receivesEnd whether a study the grader fails for alone ends FAILED on its last receive (maxReceiveCount)
     *                    instead of being retried; false for the second chance, whose queue counts on its own terms
     */
    private List<SQSBatchResponse.BatchItemFailure> handle(List<SQSEvent.SQSMessage> messages, Metrics metrics,
                                                           boolean receivesEnd) {
        List<SQSBatchResponse.BatchItemFailure> retry = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        for (SQSEvent.SQSMessage m : messages) {
            try {
                prepare(m).ifPresent(pending::add);
            } catch (CropMessage.InvalidMessageException e) {
                // Nothing to record it against: after its receives the DLQ handler logs its id and drops it.
                LOG.error("not a claim-check message {}", entry("messageId", m.getMessageId()));
                metrics.addMetric("InvalidMessages", 1, MetricUnit.COUNT);
                retry.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
            } catch (RuntimeException e) {
                // A transient error is retried even on the last receive: the DLQ's consumer grades the study alone
                // once more (gradeAlone), which beats ending a healthy study because S3 hiccuped on its fifth try.
                if (!Faults.isTransient(e)) {
                    LOG.error("could not read the claim check's crops {} {}", entry("messageId", m.getMessageId()),
                            entry("where", Faults.where(e)));
                    if (endInternal(m)) continue;
                }
                LOG.warn("transient error, message will be redelivered {} {}", entry("messageId", m.getMessageId()),
                        entry("errorType", e.getClass().getSimpleName()));
                retry.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
            }
        }
        if (pending.isEmpty()) return retry;

        List<StudyGrader.Hips> crops = new ArrayList<>(pending.size());
        for (Pending p : pending) crops.add(new StudyGrader.Hips(p.right(), p.left()));
        long t0 = System.nanoTime();
        List<StudyGrades> grades;
        try {
            grades = grade.apply(crops); // one ONNX Runtime call for the whole batch
        } catch (RuntimeException e) {
            // One bad study must not take the batch's healthy ones to the DLQ: grade them one by one.
            LOG.error("grader failed for the batch, grading one study at a time {} {}", entry("hips", 2 * crops.size()),
                    entry("where", Faults.where(e)));
            metrics.addMetric("BatchIsolations", 1, MetricUnit.COUNT);
            for (Pending p : pending) {
                long t1 = System.nanoTime();
                StudyGrades one;
                try {
                    one = grade.apply(List.of(new StudyGrader.Hips(p.right(), p.left()))).getFirst();
                } catch (RuntimeException single) {
                    LOG.error("grader failed for one study {} {}", entry("uploadId", p.message().uploadId()),
                            entry("where", Faults.where(single)));
                    // Retried like any failure (it may be the machine), ended on the last receive.
                    if (!(receivesEnd && lastReceive(p.sqs()) && endInternal(p.sqs()))) {
                        retry.add(new SQSBatchResponse.BatchItemFailure(p.messageId()));
                    }
                    continue;
                }
                write(p, one, Timings.msSince(t1), metrics, retry);
            }
            return retry;
        }
        long gradeMs = Timings.msSince(t0);
        metrics.addMetric("GradeBatchMs", gradeMs, MetricUnit.MILLISECONDS);
        metrics.addMetric("HipsGraded", 2 * crops.size(), MetricUnit.COUNT);
        LOG.debug("batch {}", entry("hips", 2 * crops.size()));
        for (int i = 0; i < pending.size(); i++) write(pending.get(i), grades.get(i), gradeMs, metrics, retry);
        return retry;
    }

    private void write(Pending p, StudyGrades g, long gradeMs, Metrics metrics,
                       List<SQSBatchResponse.BatchItemFailure> retry) {
        CropMessage m = p.message();
        Map<String, Long> ms = Map.of(Timings.READ_CROPS, p.readMs(), Timings.GRADE_BATCH, gradeMs);
        try {
            ResultRecord graded = p.current().graded(m.studyKey(), m.spacing(), m.localiser(),
                    m.preprocessTimingsMs(), model, g.right().result(), g.left().result(), ms, Instant.now());
            // Before the item: a GRADED result always has its pictures (and heatmaps, if the model gives them).
            pngs.put(graded, p.right(), p.left(), g.right().heatmaps(), g.left().heatmaps());
            boolean written = transitions.graded(graded);
            if (written) exported(graded);
            metrics.addMetric(written ? "UploadsGraded" : "DuplicateMessages", 1, MetricUnit.COUNT);
            log(written ? "graded" : "graded, item was already final", graded, null, ms);
        } catch (RuntimeException e) {
            if (!Faults.isTransient(e)) {
                // A permanent AWS error on our own bucket, table or queue (a role, a key policy, an item over
                // 400 KB): retries would end in the DLQ all the same.
                LOG.error("could not record the grade {} {}", entry("uploadId", m.uploadId()),
                        entry("where", Faults.where(e)));
                if (endInternal(p.sqs())) return;
            }
            LOG.warn("transient error, message will be redelivered {} {}", entry("uploadId", m.uploadId()),
                    entry("errorType", e.getClass().getSimpleName()));
            retry.add(new SQSBatchResponse.BatchItemFailure(p.messageId()));
        }
    }

    /** SQS moves the message to the DLQ after this receive if it is not deleted now. */
    private boolean lastReceive(SQSEvent.SQSMessage m) {
        return BatchFailures.isLastReceive(m, maxReceiveCount);
    }

    /**
     * Records the upload FAILED (INTERNAL) instead of letting its message park in the DLQ; true when the message is
     * done with (recorded, or the upload is already final or unknown), false when even that failed (the table is
     * out too: the message stays, and the DLQ handler ends the upload later).
     */
    private boolean endInternal(SQSEvent.SQSMessage m) {
        try {
            CropMessage cm = CropMessage.fromJson(m.getBody());
            Optional<ResultRecord> current = results.get(cm.uploadId());
            if (current.isEmpty() || current.get().status().isTerminal()) return true;
            ResultRecord failed = current.get().failed(
                    new Failure(Stage.INFERENCE, Reason.INTERNAL, Faults.INTERNAL_MESSAGE), Instant.now());
            boolean written = transitions.failed(failed);
            log(written ? "failed" : "failed, item was already final", failed, Reason.INTERNAL, Map.of());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
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
            // A redelivery after a failed send (the item was written GRADED first): send it now; export is idempotent.
            if (current.status() == Status.GRADED) exported(current);
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
            CropNpy.Pair pair;
            try {
                pair = CropStore.get(s3, m.cropsBucket(), m.cropsKey());
            } catch (CropStore.CropsMissingException e) {
                return reprepare(sqs, m, current, t0);
            }
            if (pair.size() != cropPx || m.cropPx() != cropPx) {
                throw new CropNpy.UnreadableCropsException("crops are " + pair.size() + " px, the grader takes " + cropPx);
            }
            long readMs = Timings.msSince(t0);
            return Optional.of(new Pending(sqs.getMessageId(), sqs, m, current,
                    new HipCrop(Side.RIGHT, pair.size(), pair.right(), m.right().centerXmm(), m.right().centerYmm()),
                    new HipCrop(Side.LEFT, pair.size(), pair.left(), m.left().centerXmm(), m.left().centerYmm()),
                    readMs));
        } catch (CropNpy.UnreadableCropsException e) {
            ResultRecord failed = current.failed(new Failure(Stage.INFERENCE, Reason.CROPS_UNREADABLE, e.getMessage()),
                    Instant.now());
            boolean written = transitions.failed(failed);
            log(written ? "failed" : "failed, item was already final", failed, Reason.CROPS_UNREADABLE, Map.of());
            return Optional.empty();
        }
    }

    /**
     * The crops expired or were lost but the upload itself is still in the ingest bucket: run the one preparation
     * step again on the exact object version the item names, and grade what it cuts in this batch. The item never
     * leaves PREPROCESSED (no status goes backwards) and the graded write stays the one conditional write, so a
     * duplicate message still grades at most once.
     */
    private Optional<Pending> reprepare(SQSEvent.SQSMessage sqs, CropMessage m, ResultRecord current, long t0) {
        LOG.warn("crops missing, preparing again from the upload {}", entry("uploadId", current.uploadId()));
        String version = current.objectVersion();
        // The item keeps the versionId in a versioned bucket, else the eTag (32 hex digits, "-N" when multipart).
        boolean isETag = version != null && version.replace("\"", "").matches("[0-9a-f]{32}(-\\d+)?");
        Outcome<PreparedStudy> outcome;
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> {
            b.bucket(current.bucket()).key(current.objectKey(keys));
            if (version != null && !version.isBlank()) {
                if (isETag) b.ifMatch(version);
                else b.versionId(version);
            }
        })) {
            outcome = preparer().prepare(in);
            if (outcome instanceof Outcome.Rejected) in.abort();
        } catch (S3Exception e) {
            // 412 (overwritten in an unversioned bucket) reads as gone; what S3 will never hand us ends here too.
            Rejection refused = SourceReads.refusal(e).orElseThrow(() -> e);
            if (refused.reason() == Reason.SOURCE_UNREADABLE) {
                LOG.error("upload unreadable {} {}", entry("uploadId", current.uploadId()),
                        entry("where", Faults.where(e)));
            }
            return failed(current, Stage.PREPROCESS, refused.reason(), refused.message());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the uploaded object failed", e);
        } catch (RuntimeException e) {
            if (Faults.isTransient(e)) throw e;
            LOG.error("internal error while preparing again {} {}", entry("uploadId", current.uploadId()),
                    entry("where", Faults.where(e)));
            return failed(current, Stage.PREPROCESS, Reason.INTERNAL, Faults.INTERNAL_MESSAGE);
        }
        return switch (outcome) {
            case Outcome.Rejected<PreparedStudy> r -> failed(current, Stage.PREPROCESS, r.rejection().reason(),
                    r.rejection().message());
            case Outcome.Ok<PreparedStudy> ok -> Optional.of(new Pending(sqs.getMessageId(), sqs, m, current,
                    ok.value().right(), ok.value().left(), Timings.msSince(t0)));
        };
    }

    private Optional<Pending> failed(ResultRecord current, Stage stage, Reason reason, String message) {
        ResultRecord failed = current.failed(new Failure(stage, reason, message), Instant.now());
        boolean written = transitions.failed(failed);
        log(written ? "failed" : "failed, item was already final", failed, reason, Map.of());
        return Optional.empty();
    }

    /** After the GRADED write only; an SDK error is transient: the claim check comes back and sends again. */
    private void exported(ResultRecord graded) {
        if (exports.isPresent() && graded.provider().isPresent()) {
            exports.get().send(graded.uploadId(), graded.provider().get());
        }
    }

    private synchronized StudyPreparer preparer() {
        if (preparer == null) preparer = new StudyPreparer(modelDir);
        return preparer;
    }

    private static void log(String what, ResultRecord r, Reason reason, Map<String, Long> ms) {
        LOG.info("{} {} {} {} {} {}", what, entry("uploadId", r.uploadId()),
                entry("provider", r.provider().map(Object::toString).orElse("")), entry("status", r.status().name()),
                entry("reason", reason == null ? "" : reason.name()), entry("timingsMs", ms));
    }
}
