package org.hipoa.preprocess;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3ObjectEntity;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.Timings;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.aws.AwsClients;
import org.hipoa.domain.wire.CropMessage;
import org.hipoa.aws.CropStore;
import org.hipoa.aws.Faults;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.upload.Keys;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.aws.ResultQueries;
import org.hipoa.aws.ResultTransitions;
import org.hipoa.aws.SourceReads;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.UploadRef;
import org.hipoa.aws.Powertools;
import org.crac.Core;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * S3 ObjectCreated on {@code incoming/{provider}/…} → RECEIVED → decode, localise, crop → crops to the work bucket →
 * claim-check message → PREPROCESSED (docs/PIPELINE.md). Bad input ends in a FAILED record; so does any other fault
 * of decoding, localising or cropping (reason INTERNAL, details in the log only), and so does an AWS error that a
 * retry would get again (an upload S3 will not hand us ends SOURCE_MISSING or SOURCE_UNREADABLE, see
 * {@link SourceReads}). Transient SDK and I/O errors ({@link Faults#isTransient}) propagate so the asynchronous
 * invocation is retried (every step is idempotent). Logs carry uploadId, provider, status, reason
 * and timings only — never object keys, UIDs or patient data.
 */
public final class PreprocessHandler implements RequestHandler<S3Event, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(PreprocessHandler.class);

    private final S3Client s3;
    private final SqsClient sqs;
    private final ResultQueries results;
    private final ResultTransitions transitions;
    private final CropStore crops;
    private final String queueUrl;
    private final String ingestBucket;
    private final Keys keys;
    private final StudyPreparer preparer;
    private final ModelRef localiser;
    private final UnaryOperator<Outcome<PreparedStudy>> afterPrepare;
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
        this.afterPrepare = Objects.requireNonNull(afterPrepare, "afterPrepare");
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.results = new ResultQueries(dynamo, config.requireTableName());
        this.transitions = new ResultTransitions(dynamo, config.requireTableName());
        this.crops = new CropStore(s3, config.requireWorkBucket());
        this.queueUrl = config.requireQueueUrl();
        this.ingestBucket = config.requireIngestBucket();
        this.keys = config.requireKeys();
        this.preparer = new StudyPreparer(config.requireModelDir());
        this.localiser = new ModelRef(preparer.localiser().name(), preparer.localiser().version());
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
        return Powertools.withLogging(context, () -> {
            Metrics metrics = Powertools.metrics();
            try {
                RuntimeException first = null;
                List<S3EventNotificationRecord> records = event == null || event.getRecords() == null ? List.of()
                        : event.getRecords();
                for (S3EventNotificationRecord r : records) {
                    try {
                        Optional<Status> status = process(r);
                        metrics.addMetric(status.isEmpty() ? "RecordsRefused" : status.get() == Status.FAILED
                                ? "UploadsFailed" : "UploadsPreprocessed", 1, MetricUnit.COUNT);
                    } catch (RuntimeException e) { // transient (Faults): finish the other records, then retry
                        // Or not even the FAILED record could be written (the table refuses us): Lambda's two
                        // async retries, then the on-failure queue and its alarm.
                        LOG.error("preprocess error, the invocation will be retried {}",
                                entry("where", Faults.where(e)));
                        if (first == null) first = e;
                        else first.addSuppressed(e);
                    }
                }
                if (first != null) throw first;
                return null;
            } finally {
                Powertools.flush(metrics);
            }
        });
    }

    /**
     * One uploaded object; returns the status it ends in (or its earlier one, for a duplicate delivery), or empty for
     * a record this function does not take: one that names another bucket than the ingest bucket is neither read nor
     * recorded (its key is no upload of ours, and an item for it would enter a provider's feed), only logged.
     */
    Optional<Status> process(S3EventNotificationRecord r) {
        long t0 = System.nanoTime();
        String bucket = r.getS3() == null || r.getS3().getBucket() == null ? null : r.getS3().getBucket().getName();
        if (!ingestBucket.equals(bucket)) {
            LOG.error("record refused: it names another bucket than the ingest bucket; nothing read or recorded {}",
                    entry("reason", "NOT_THE_INGEST_BUCKET"));
            return Optional.empty();
        }
        S3ObjectEntity o = r.getS3().getObject();
        UploadRef ref = UploadRef.fromEvent(bucket, o.getKey(), o.getVersionId(), o.geteTag());
        String uploadId = ref.uploadId(keys);
        Instant now = Instant.now();
        ResultRecord fresh = ResultRecord.received(uploadId, ref, keys, now);
        if (ref.provider().isEmpty()) {
            return Optional.of(fail(fresh, new Rejection(Reason.BAD_KEY,
                    "The object key is not incoming/{provider}/... (or backfill/{provider}/...) with a valid provider name.")));
        }
        ResultRecord current = transitions.received(fresh);
        if (current.status() != Status.RECEIVED) {
            log("duplicate delivery", current, current.status(), null, Map.of());
            return Optional.of(current.status());
        }
        // The event states the object's size: one over the decoder's budget is refused before any byte is read.
        Long size = o.getSizeAsLong();
        Optional<Rejection> tooLarge = size == null ? Optional.empty() : preparer.checkSize(size);
        if (tooLarge.isPresent()) return Optional.of(fail(current, tooLarge.get()));
        return Optional.of(prepareOrFail(ref, current, t0));
    }

    private Status prepareOrFail(UploadRef ref, ResultRecord current, long t0) {
        try {
            return prepareAndHandOver(ref, current, t0);
        } catch (RuntimeException e) {
            if (Faults.isTransient(e)) throw e;
            // Decoding, localising, cropping or building the claim check failed on this input: the same bytes
            // fail the same way on every retry, so end the upload instead of parking it RECEIVED. A permanent AWS
            // error (AccessDenied on our own bucket, queue or table, a KMS key policy, an item over 400 KB) is as
            // final: it is ours to fix, so the log says so.
            LOG.error(Faults.isPermanentAwsError(e) ? "AWS refused a call (check the role, key policy or limits),"
                            + " upload failed {} {}" : "internal error, upload failed {} {}",
                    entry("uploadId", current.uploadId()), entry("where", Faults.where(e)));
            return fail(current, new Rejection(Reason.INTERNAL, Faults.INTERNAL_MESSAGE));
        } catch (StackOverflowError e) {
            // Recursion this input drives too deep (handler threads have the JVM's default 1 MB on Lambda): the
            // retry would overflow the same way. Other errors (out of memory) end the invocation; the sweeper
            // ends the upload.
            LOG.error("internal error (stack overflow), upload failed {}", entry("uploadId", current.uploadId()));
            return fail(current, new Rejection(Reason.INTERNAL, Faults.INTERNAL_MESSAGE));
        }
    }

    private Status prepareAndHandOver(UploadRef ref, ResultRecord current, long t0) {
        String uploadId = current.uploadId();
        Outcome<PreparedStudy> outcome;
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> {
            b.bucket(ref.bucket()).key(ref.objectKey());
            ref.versionId().ifPresent(b::versionId);
        })) {
            outcome = afterPrepare.apply(preparer.prepare(in));
            if (outcome instanceof Outcome.Rejected) in.abort(); // do not drain a huge object
        } catch (S3Exception e) {
            // Gone, or stored so that we cannot read it: the same GET gets the same answer, so end it now.
            Rejection refused = SourceReads.refusal(e).orElseThrow(() -> e);
            if (refused.reason() == Reason.SOURCE_UNREADABLE) {
                // Possibly ours (a role or key policy): the operators hear of it, the partner reads the sentence.
                LOG.error("upload unreadable {} {}", entry("uploadId", uploadId), entry("where", Faults.where(e)));
            }
            return fail(current, refused);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the uploaded object failed", e); // network: transient
        }
        return switch (outcome) {
            case Outcome.Rejected<PreparedStudy> rejected -> fail(current, rejected.rejection());
            case Outcome.Ok<PreparedStudy> ok -> {
                PreparedStudy p = ok.value();
                Optional<String> studyKey = studyKey(p, keys);
                Map<String, Long> ms = new LinkedHashMap<>(p.timingsMs());
                long t1 = System.nanoTime();
                String cropsKey = crops.put(uploadId, p.right(), p.left());
                ms.put(Timings.STORE_CROPS, Timings.msSince(t1));
                ms.put(Timings.TOTAL, Timings.msSince(t0));
                CropMessage message = new CropMessage(uploadId, ref.provider().get(), studyKey, crops.bucket(),
                        cropsKey, p.right().size(),
                        List.of(new CropMessage.Hip(p.right().side(), p.right().centerXmm(), p.right().centerYmm()),
                                new CropMessage.Hip(p.left().side(), p.left().centerXmm(), p.left().centerYmm())),
                        localiser, ms, Optional.of(p.spacing()));
                // Message first, then the status: a crash in between leaves a message that grades anyway.
                sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(message.toJson()));
                boolean moved = transitions.preprocessed(current.preprocessed(studyKey, p.spacing(), localiser, ms,
                        Instant.now()));
                log(moved ? "preprocessed" : "preprocessed, item had moved on", current, Status.PREPROCESSED, null,
                        ms);
                yield Status.PREPROCESSED;
            }
        };
    }

    /** The study's keyed hash (never the UID itself), absent when the file had no Study Instance UID. */
    static Optional<String> studyKey(PreparedStudy p, Keys keys) {
        return p.studyInstanceUid().map(keys::studyKey);
    }

    private Status fail(ResultRecord current, Rejection why) {
        boolean written = transitions.failed(current.failed(Failure.of(Stage.PREPROCESS, why), Instant.now()));
        log(written ? "failed" : "failed, item was already final", current, Status.FAILED, why.reason(), Map.of());
        return Status.FAILED;
    }

    private static void log(String what, ResultRecord r, Status status, Reason reason, Map<String, Long> ms) {
        LOG.info("{} {} {} {} {} {}", what, entry("uploadId", r.uploadId()),
                entry("provider", r.provider().map(Object::toString).orElse("")), entry("status", status.name()),
                entry("reason", reason == null ? "" : reason.name()), entry("timingsMs", ms));
    }
}
