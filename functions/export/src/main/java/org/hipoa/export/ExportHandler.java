package org.hipoa.export;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.pixelmed.dicom.AttributeList;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.BatchFailures;
import org.hipoa.aws.Faults;
import org.hipoa.aws.GradedEvents;
import org.hipoa.aws.Invocation;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.Powertools;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Keys;
import org.hipoa.report.HipSrWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * "Graded" messages → the DICOM SR of each upload, in the provider's own trust domain only: the source header is
 * re-read from the ingest bucket (ranged, no pixels), the SR is written to {@code results/{provider}/{uploadId}/sr.dcm}
 * beside the uploads and, when the provider registered a DICOMweb endpoint, stored there with STOW-RS. The outcome is
 * the item's {@code export} attribute ({@link ExportStore}); the item's status stays GRADED whatever happens here. A
 * retryable failure is reported in {@code batchItemFailures} so SQS redelivers it, up to the queue's receive count
 * (then the export DLQ); its last receive records {@code FAILED}. A message the invocation has no time left for is
 * returned unattempted ({@link StowBudget}); one that no receive finished reaches the export DLQ, where
 * {@link ExportDeadLetterHandler} records it FAILED.
 */
public final class ExportHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(ExportHandler.class);
    /** STOW-RS timeout (connect and answer), milliseconds; default 10 s. */
    public static final String DICOMWEB_TIMEOUT_MS = "DICOMWEB_TIMEOUT_MS";

    private final S3Client s3;
    private final ExportStore store;
    private final Keys keys;
    private final int maxReceiveCount;
    private final DicomWeb dicomWeb;
    private final StowTargets targets;

    public ExportHandler() {
        this(PipelineConfig.fromEnvironment(), AwsClients.s3(), AwsClients.dynamoDb(),
                () -> SecretsManagerClient.builder().httpClientBuilder(AwsCrtHttpClient.builder()).build());
    }

    public ExportHandler(PipelineConfig config, S3Client s3, DynamoDbClient dynamo,
                         Supplier<SecretsManagerClient> secrets) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.store = new ExportStore(dynamo, config.requireTableName());
        this.keys = config.requireKeys(); // opens the item's sealed object key to read the source header
        this.maxReceiveCount = config.maxReceiveCount();
        this.dicomWeb = DicomWeb.withTimeoutMs(org.hipoa.domain.Settings.get(DICOMWEB_TIMEOUT_MS).orElse(null));
        this.targets = new StowTargets(store, secrets);
    }

    /** The SR's place beside the provider's uploads. */
    public static String srKey(String provider, String uploadId) {
        return "results/" + provider + "/" + uploadId + "/sr.dcm";
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return Powertools.withLogging(context, () -> {
            StowBudget budget = new StowBudget(context);
            SQSBatchResponse answer = Invocation.eachMessage(Invocation.messages(event), LOG,
                    m -> budget.allowsAnother() && export(m, budget));
            budget.logSkipped(LOG);
            return answer;
        });
    }

    /** False: redeliver this message. */
    private boolean export(SQSEvent.SQSMessage m, StowBudget budget) {
        Optional<GradedEvents.Graded> g = GradedMessage.read(m, LOG);
        if (g.isEmpty()) return true;
        ExportStore.Upload upload;
        try {
            upload = store.read(g.get().uploadId());
        } catch (RuntimeException e) {
            LOG.warn("table unreadable, message will be redelivered {} {}", entry("uploadId", g.get().uploadId()),
                    entry("errorType", e.getClass().getSimpleName()));
            return false;
        }
        return switch (upload) {
            case ExportStore.Absent a -> dropped("graded message for an unknown upload, dropped", g.get());
            case ExportStore.Unreadable u -> unreadable(g.get(), u.cause());
            case ExportStore.Found f -> export(m, g.get(), f, budget);
        };
    }

    private boolean export(SQSEvent.SQSMessage m, GradedEvents.Graded g, ExportStore.Found found, StowBudget budget) {
        ResultRecord r = found.result();
        if (r.status() != Status.GRADED || r.provider().map(p -> !p.name().equals(g.provider())).orElse(true)) {
            return dropped("graded message does not match the item, dropped", g);
        }
        if (found.status().orElse(null) == ExportStatus.DONE) {
            log("already exported", r, ExportStatus.DONE, null);
            return true;
        }
        int attempts = found.attempts() + 1;
        String key = srKey(g.provider(), g.uploadId());
        boolean srWritten = false;
        try {
            AttributeList header = SourceHeader.read(s3, r.bucket(), r.objectKey(keys), r.objectVersion()).header();
            // The item's last change as the content time: a retry writes the same bytes.
            byte[] sr = HipSrWriter.write(header, r.hips(), r.model().orElseThrow(),
                    r.updatedAt().atZone(ZoneOffset.UTC));
            s3.putObject(b -> b.bucket(r.bucket()).key(key).contentType("application/dicom"),
                    RequestBody.fromBytes(sr));
            srWritten = true;
            Optional<StowTargets.Target> to = targets.of(r.provider().orElseThrow());
            if (to.isPresent()) dicomWeb.store(to.get().root(), sr, to.get().authorization(), budget.forStow());
            store.record(r.uploadId(), new ExportStore.Outcome(ExportStatus.DONE, attempts, Instant.now(), null, null,
                    key, to.isPresent() ? "STORED" : "NOT_REGISTERED"));
            log("exported", r, ExportStatus.DONE, null);
            return true;
        } catch (StowBudget.OutOfTime e) {
            return false;
        } catch (ExportFailure e) {
            return failed(m, r, e, attempts, srWritten ? key : null, false);
        } catch (HipSrWriter.SourceIncompleteException e) {
            return failed(m, r, ExportFailure.of(e), attempts, null, false);
        } catch (RuntimeException e) {
            // Throttling, 5xx and network errors are worth a retry; a permanent refusal by AWS (our own
            // misconfiguration: AccessDenied on our table or bucket, a validation error) gets the same answer on every
            // receive, so it ends FAILED now; anything else is our fault: retried, then FAILED on the last receive.
            LOG.error("export error {} {} {}", entry("uploadId", r.uploadId()), entry("errorType",
                    e.getClass().getSimpleName()), entry("where", Faults.where(e)));
            return failed(m, r, new ExportFailure(Reason.INTERNAL, Faults.INTERNAL_MESSAGE), attempts,
                    srWritten ? key : null, e instanceof SdkException && !Faults.isTransient(e));
        }
    }

    /**
     * The item does not read as a result (a hand edit, a bug in an older writer): it is FAILED with a reason on the
     * raw item, while it still says GRADED, and the message is done — no retry reads it differently.
     */
    private boolean unreadable(GradedEvents.Graded g, RuntimeException e) {
        LOG.error("result item unreadable {} {}", entry("uploadId", g.uploadId()),
                entry("errorType", e.getClass().getSimpleName()));
        try {
            store.record(g.uploadId(), new ExportStore.Outcome(ExportStatus.FAILED, 1, Instant.now(),
                    Reason.ITEM_UNREADABLE, "The result could not be read to build its report.", null, null));
            return true;
        } catch (RuntimeException again) {
            return notRecorded(g.uploadId(), again);
        }
    }

    /** Recorded RETRYING (the message comes back) or FAILED: at once when {@code now} or no retry helps. */
    private boolean failed(SQSEvent.SQSMessage m, ResultRecord r, ExportFailure f, int attempts, String srKey,
                           boolean now) {
        boolean retry = !now && f.retryable() && !BatchFailures.isLastReceive(m, maxReceiveCount);
        ExportStatus status = retry ? ExportStatus.RETRYING : ExportStatus.FAILED;
        try {
            store.record(r.uploadId(), new ExportStore.Outcome(status, attempts, Instant.now(), f.reason,
                    f.getMessage(), srKey, null));
        } catch (RuntimeException e) {
            return notRecorded(r.uploadId(), e); // the message comes back; the record is made then
        }
        log("export failed", r, status, f.reason);
        return !retry;
    }

    private static boolean dropped(String why, GradedEvents.Graded g) {
        LOG.warn("{} {}", why, entry("uploadId", g.uploadId()));
        return true;
    }

    private static boolean notRecorded(String uploadId, RuntimeException e) {
        LOG.warn("could not record the export failure {} {}", entry("uploadId", uploadId),
                entry("errorType", e.getClass().getSimpleName()));
        return false;
    }

    private static void log(String what, ResultRecord r, ExportStatus status, Reason reason) {
        LOG.info("{} {} {} {} {}", what, entry("uploadId", r.uploadId()),
                entry("provider", r.provider().map(Object::toString).orElse("")), entry("export", status.name()),
                entry("reason", reason == null ? "" : reason.name()));
    }
}
