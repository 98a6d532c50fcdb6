package org.hipoa.inference;

import org.hipoa.aws.AwsClients;
import org.hipoa.aws.BatchFailures;
import org.hipoa.aws.CropStore;
import org.hipoa.aws.Faults;
import org.hipoa.aws.GradedEvents;
import org.hipoa.aws.HipPictureStore;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.ResultQueries;
import org.hipoa.aws.ResultTransitions;
import org.hipoa.aws.UploadLog;
import org.hipoa.aws.UploadReader;
import org.hipoa.core.crop.CropContract;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.core.study.StudyGrader;
import org.hipoa.core.study.StudyGrades;
import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Side;
import org.hipoa.domain.Timings;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.wire.CropMessage;
import org.hipoa.domain.wire.CropNpy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

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
 * Claim checks → crops from the work bucket → ONE grader call for every hip of the batch → GRADED items
 * (docs/PIPELINE.md), whoever received the messages: the inference function, the GPU service's poller, the
 * dead-letter consumer's second chance. Claim checks of uploads already GRADED or FAILED are skipped; unreadable
 * crops end FAILED; lost crops are cut again from the upload ({@link LostCrops}); anything transient sends the claim
 * check back, each on its own, so its queue redelivers only those. Knows no Lambda type.
 */
public final class ClaimCheckGrader {
    private static final Logger LOG = LoggerFactory.getLogger(ClaimCheckGrader.class);

    /** A claim check whose crops are read and wait for the batch's grader call. */
    private record Pending(ClaimCheck check, CropMessage message, ResultRecord current, HipCrop right, HipCrop left,
                           long readMs) {}

    private final S3Client s3;
    private final ResultQueries results;
    private final ResultTransitions transitions;
    private final HipPictureStore pictures;
    private final LostCrops lostCrops;
    private final Optional<String> workBucket;
    private final StudyGrader grader;
    private final Function<List<StudyGrader.Hips>, List<StudyGrades>> grade;
    private final ModelRef model;
    private final int cropPx;
    private final int maxReceiveCount;
    /** The export queue (EXPORT_QUEUE_URL), when this deployment exports results. */
    private final Optional<GradedEvents> exports = GradedEvents.fromEnvironment();

    /** Settings from {@link PipelineConfig#fromEnvironment()}, default SDK clients: what a function container runs. */
    public static ClaimCheckGrader fromEnvironment() {
        return new ClaimCheckGrader(PipelineConfig.fromEnvironment(), AwsClients.s3(), AwsClients.dynamoDb());
    }

    /**
     * Loads {@code grader.onnx} from MODEL_DIR once. When WORK_BUCKET is set, crops are read only from that bucket.
     */
    public ClaimCheckGrader(PipelineConfig config, S3Client s3, DynamoDbClient dynamo) {
        this(config, s3, dynamo, UnaryOperator.identity());
    }

    /** With the grading step wrapped (tests: a grader that fails for chosen studies, as a poison input would). */
    public ClaimCheckGrader(PipelineConfig config, S3Client s3, DynamoDbClient dynamo,
                            UnaryOperator<Function<List<StudyGrader.Hips>, List<StudyGrades>>> wrapGrade) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.results = new ResultQueries(dynamo, config.requireTableName());
        this.transitions = new ResultTransitions(dynamo, config.requireTableName());
        this.pictures = new HipPictureStore(s3);
        Keys keys = config.requireKeys(); // opens the item's sealed object key when crops must be cut again
        this.workBucket = Optional.ofNullable(config.workBucket());
        Path modelDir = config.requireModelDir();
        this.lostCrops = new LostCrops(new UploadReader(s3), keys, modelDir);
        this.grader = new StudyGrader(modelDir);
        this.grade = Objects.requireNonNull(wrapGrade.apply(grader::grade), "grade");
        this.model = new ModelRef(grader.info().name(), grader.info().version());
        // The crops were cut by the preprocess function with the same model folder's contract.
        this.cropPx = CropContract.forModelDir(modelDir).graderOutputPx();
        this.maxReceiveCount = config.maxReceiveCount();
    }

    /** The grader built at init (bench: the per-event grading without S3 and DynamoDB). */
    StudyGrader studyGrader() {
        return grader;
    }

    /**
     * One batch as a queue delivered it. A study the grader fails for alone ends FAILED (INTERNAL) on its claim
     * check's last receive (MAX_RECEIVE_COUNT) instead of going to the DLQ.
     *
     * @return the message ids that should come back, in the batch's order; every other claim check is done with
     */
    public List<String> gradeBatch(List<ClaimCheck> batch, Metrics metrics) {
        return grade(batch, metrics, true);
    }

    /**
     * The DLQ consumer's second chance (docs/PIPELINE.md): this one claim check graded alone, by exactly the steps
     * and the conditional writes a batch goes through. Never treated as a last receive: what would be retried
     * comes back as a failure, and the caller lets the message return (its next receive ends it DEAD_LETTERED).
     * Failures with a reason (unreadable crops, a permanent fault, a source gone) end FAILED here as in a batch.
     *
     * @return true when the message is done with (GRADED, FAILED, or already final), false when it should come back
     */
    public boolean gradeAlone(ClaimCheck check, Metrics metrics) {
        return grade(List.of(check), metrics, false).isEmpty();
    }

    /**
     * @param receivesEnd whether a study the grader fails for alone ends FAILED on its last receive (maxReceiveCount)
     *                    instead of being retried; false for the second chance, whose queue counts on its own terms
     */
    private List<String> grade(List<ClaimCheck> batch, Metrics metrics, boolean receivesEnd) {
        List<String> comeBack = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        for (ClaimCheck c : batch) {
            try {
                read(c).ifPresent(pending::add);
            } catch (CropMessage.InvalidMessageException e) {
                // Nothing to record it against: after its receives the DLQ handler logs its id and drops it.
                LOG.error("not a claim-check message {}", entry("messageId", c.messageId()));
                metrics.addMetric("InvalidMessages", 1, MetricUnit.COUNT);
                comeBack.add(c.messageId());
            } catch (RuntimeException e) {
                // A transient error is retried even on the last receive: the DLQ's consumer grades the study alone
                // once more (gradeAlone), which beats ending a healthy study because S3 hiccuped on its fifth try.
                if (!Faults.isTransient(e)) {
                    LOG.error("could not read the claim check's crops {} {}", entry("messageId", c.messageId()),
                            entry("where", Faults.where(e)));
                    if (endInternal(c)) continue;
                }
                LOG.warn("transient error, message will be redelivered {} {}", entry("messageId", c.messageId()),
                        entry("errorType", e.getClass().getSimpleName()));
                comeBack.add(c.messageId());
            }
        }
        if (pending.isEmpty()) return comeBack;

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
                    if (!(receivesEnd && lastReceive(p.check()) && endInternal(p.check()))) {
                        comeBack.add(p.check().messageId());
                    }
                    continue;
                }
                record(p, one, Timings.msSince(t1), metrics, comeBack);
            }
            return comeBack;
        }
        long gradeMs = Timings.msSince(t0);
        metrics.addMetric("GradeBatchMs", gradeMs, MetricUnit.MILLISECONDS);
        metrics.addMetric("HipsGraded", 2 * crops.size(), MetricUnit.COUNT);
        LOG.debug("batch {}", entry("hips", 2 * crops.size()));
        for (int i = 0; i < pending.size(); i++) record(pending.get(i), grades.get(i), gradeMs, metrics, comeBack);
        return comeBack;
    }

    /** The pictures, then the GRADED write, then the export message: a GRADED result always has its pictures. */
    private void record(Pending p, StudyGrades g, long gradeMs, Metrics metrics, List<String> comeBack) {
        CropMessage m = p.message();
        Map<String, Long> ms = Map.of(Timings.READ_CROPS, p.readMs(), Timings.GRADE_BATCH, gradeMs);
        try {
            ResultRecord graded = p.current().graded(m.studyKey(), m.spacing(), m.localiser(),
                    m.preprocessTimingsMs(), model, g.right().result(), g.left().result(), ms, Instant.now());
            // Before the item (with heatmaps, if the model gives them).
            pictures.put(graded, p.right(), p.left(), g.right().heatmaps(), g.left().heatmaps());
            boolean written = transitions.graded(graded);
            if (written) announceGraded(graded);
            metrics.addMetric(written ? "UploadsGraded" : "DuplicateMessages", 1, MetricUnit.COUNT);
            UploadLog.written(LOG, "graded", written, graded, null, ms);
        } catch (RuntimeException e) {
            if (!Faults.isTransient(e)) {
                // A permanent AWS error on our own bucket, table or queue (a role, a key policy, an item over
                // 400 KB): retries would end in the DLQ all the same.
                LOG.error("could not record the grade {} {}", entry("uploadId", m.uploadId()),
                        entry("where", Faults.where(e)));
                if (endInternal(p.check())) return;
            }
            LOG.warn("transient error, message will be redelivered {} {}", entry("uploadId", m.uploadId()),
                    entry("errorType", e.getClass().getSimpleName()));
            comeBack.add(p.check().messageId());
        }
    }

    /** The queue moves the message to its DLQ after this receive if it is not deleted now. */
    private boolean lastReceive(ClaimCheck c) {
        return BatchFailures.isLastReceive(c.receiveCount(), maxReceiveCount);
    }

    /**
     * Records the upload FAILED (INTERNAL) instead of letting its message park in the DLQ; true when the message is
     * done with (recorded, or the upload is already final or unknown), false when even that failed (the table is
     * out too: the message stays, and the DLQ handler ends the upload later).
     */
    private boolean endInternal(ClaimCheck c) {
        try {
            Optional<ResultRecord> current = results.get(CropMessage.fromJson(c.body()).uploadId());
            if (current.isEmpty() || current.get().status().isTerminal()) return true;
            end(current.get(), Stage.INFERENCE, Reason.INTERNAL, Faults.INTERNAL_MESSAGE);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Parses, skips finished uploads, reads the crops; a permanent problem ends FAILED here. */
    private Optional<Pending> read(ClaimCheck c) {
        CropMessage m = CropMessage.fromJson(c.body());
        Optional<ResultRecord> found = results.get(m.uploadId());
        if (found.isEmpty()) {
            // The received write always precedes the message, so this is not our upload (or it was deleted).
            LOG.warn("message for an unknown upload, dropped {}", entry("uploadId", m.uploadId()));
            return Optional.empty();
        }
        ResultRecord current = found.get();
        if (current.status().isTerminal()) {
            // A redelivery after a failed send (the item was written GRADED first): send it now; export is idempotent.
            if (current.status() == Status.GRADED) announceGraded(current);
            UploadLog.outcome(LOG, "already final, message skipped", current, null, Map.of());
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
                return cutAgain(c, m, current, t0);
            }
            if (pair.size() != cropPx || m.cropPx() != cropPx) {
                throw new CropNpy.UnreadableCropsException("crops are " + pair.size() + " px, the grader takes " + cropPx);
            }
            long readMs = Timings.msSince(t0);
            return Optional.of(new Pending(c, m, current,
                    new HipCrop(Side.RIGHT, pair.size(), pair.right(), m.right().centerXmm(), m.right().centerYmm(),
                            m.right().visibleFraction()),
                    new HipCrop(Side.LEFT, pair.size(), pair.left(), m.left().centerXmm(), m.left().centerYmm(),
                            m.left().visibleFraction()),
                    readMs));
        } catch (CropNpy.UnreadableCropsException e) {
            return end(current, Stage.INFERENCE, Reason.CROPS_UNREADABLE, e.getMessage());
        }
    }

    /** Lost crops: the study cut again from its upload joins this batch, or its upload ends with the reason. */
    private Optional<Pending> cutAgain(ClaimCheck c, CropMessage m, ResultRecord current, long t0) {
        return switch (lostCrops.cutAgain(current)) {
            case Outcome.Rejected<PreparedStudy> r -> end(current, Stage.PREPROCESS, r.rejection().reason(),
                    r.rejection().message());
            case Outcome.Ok<PreparedStudy> ok -> Optional.of(new Pending(c, m, current, ok.value().right(),
                    ok.value().left(), Timings.msSince(t0)));
        };
    }

    private Optional<Pending> end(ResultRecord current, Stage stage, Reason reason, String message) {
        UploadLog.ended(LOG, transitions.end(current, new Failure(stage, reason, message)));
        return Optional.empty();
    }

    /**
     * The graded message for the export function, after the GRADED write only; an SDK error is transient: the claim
     * check comes back and sends again.
     */
    private void announceGraded(ResultRecord graded) {
        if (exports.isPresent() && graded.provider().isPresent()) {
            exports.get().send(graded.uploadId(), graded.provider().get());
        }
    }
}
