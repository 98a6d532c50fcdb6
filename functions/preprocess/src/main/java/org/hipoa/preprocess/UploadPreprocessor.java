package org.hipoa.preprocess;

import org.hipoa.aws.CropStore;
import org.hipoa.aws.Faults;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.ResultTransitions;
import org.hipoa.aws.SourceReads;
import org.hipoa.aws.UploadLog;
import org.hipoa.aws.UploadReader;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import org.hipoa.domain.Timings;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.upload.UploadRef;
import org.hipoa.domain.wire.CropMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * One uploaded object → RECEIVED → decode, localise, crop → crops to the work bucket → claim-check message →
 * PREPROCESSED (docs/PIPELINE.md), whoever names the object (the preprocess function's S3 events, the backfill
 * path's). Bad input ends in a FAILED record; so does any other fault of decoding, localising or cropping (reason
 * INTERNAL, details in the log only), and so does an AWS error that a retry would get again (an upload S3 will not
 * hand us ends SOURCE_MISSING or SOURCE_UNREADABLE, see {@link SourceReads}). Transient SDK and I/O errors
 * ({@link Faults#isTransient}) are thrown so the caller retries (every step is idempotent). Logs carry uploadId,
 * provider, status, reason and timings only — never object keys, UIDs or patient data. Knows no Lambda type.
 */
public final class UploadPreprocessor {
    private static final Logger LOG = LoggerFactory.getLogger(UploadPreprocessor.class);

    private final UploadReader uploads;
    private final SqsClient sqs;
    private final ResultTransitions transitions;
    private final CropStore crops;
    private final String queueUrl;
    private final Keys keys;
    private final StudyPreparer preparer;
    private final ModelRef localiser;
    private final UnaryOperator<Outcome<PreparedStudy>> afterPrepare;

    /**
     * Loads the localiser from MODEL_DIR once.
     *
     * @param afterPrepare a step applied to every preparation's outcome (tests: a preparer that throws or returns
     *                     non-finite centres, as a 1e300 Rescale Slope once made it)
     */
    public UploadPreprocessor(PipelineConfig config, S3Client s3, SqsClient sqs, DynamoDbClient dynamo,
                              UnaryOperator<Outcome<PreparedStudy>> afterPrepare) {
        this.afterPrepare = Objects.requireNonNull(afterPrepare, "afterPrepare");
        this.uploads = new UploadReader(s3);
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.transitions = new ResultTransitions(dynamo, config.requireTableName());
        this.crops = new CropStore(s3, config.requireWorkBucket());
        this.queueUrl = config.requireQueueUrl();
        this.keys = config.requireKeys();
        this.preparer = new StudyPreparer(config.requireModelDir());
        this.localiser = new ModelRef(preparer.localiser().name(), preparer.localiser().version());
    }

    /** The preparer each upload goes through. */
    public StudyPreparer preparer() {
        return preparer;
    }

    /**
     * One uploaded object version; returns the status it ends in, or its earlier one for a duplicate delivery.
     *
     * @param size the object's size as its event states it, when it does: one over the decoder's budget is refused
     *             before any byte is read
     */
    public Status preprocess(UploadRef ref, Optional<Long> size) {
        long t0 = System.nanoTime();
        String uploadId = ref.uploadId(keys);
        ResultRecord fresh = ResultRecord.received(uploadId, ref, keys, Instant.now());
        if (ref.provider().isEmpty()) {
            return fail(fresh, new Rejection(Reason.BAD_KEY, "The object key is not incoming/{provider}/..."
                    + " (or backfill/{provider}/...) with a valid provider name."));
        }
        ResultRecord current = transitions.received(fresh);
        if (current.status() != Status.RECEIVED) {
            UploadLog.outcome(LOG, "duplicate delivery", current, null, Map.of());
            return current.status();
        }
        Optional<Rejection> tooLarge = size.flatMap(preparer::checkSize);
        if (tooLarge.isPresent()) return fail(current, tooLarge.get());
        return prepareOrFail(ref, current, t0);
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
        Outcome<PreparedStudy> outcome = uploads.read(ref, uploadId,
                (in, length) -> afterPrepare.apply(preparer.prepare(in, length)));
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
                        List.of(CropMessage.Hip.of(p.right()), CropMessage.Hip.of(p.left())),
                        localiser, ms, Optional.of(p.spacing()));
                // Message first, then the status: a crash in between leaves a message that grades anyway.
                sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(message.toJson()));
                ResultRecord next = current.preprocessed(studyKey, p.spacing(), localiser, ms, Instant.now());
                boolean moved = transitions.preprocessed(next);
                UploadLog.outcome(LOG, moved ? "preprocessed" : "preprocessed, item had moved on", next, null, ms);
                yield Status.PREPROCESSED;
            }
        };
    }

    /** The study's keyed hash (never the UID itself), absent when the file had no Study Instance UID. */
    static Optional<String> studyKey(PreparedStudy p, Keys keys) {
        return p.studyInstanceUid().map(keys::studyKey);
    }

    private Status fail(ResultRecord current, Rejection why) {
        UploadLog.ended(LOG, transitions.end(current, Failure.of(Stage.PREPROCESS, why)));
        return Status.FAILED;
    }
}
