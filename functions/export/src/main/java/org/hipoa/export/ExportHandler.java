package org.hipoa.export;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.pixelmed.dicom.AttributeList;
import org.hipoa.aws.BatchFailures;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.Faults;
import org.hipoa.aws.GradedEvents;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.domain.upload.Keys;
import org.hipoa.aws.Powertools;
import org.hipoa.aws.ResultItems;
import org.hipoa.core.model.HipGrades;
import org.hipoa.core.model.ModelInfo;
import org.hipoa.core.report.HipSrWriter;
import org.hipoa.core.study.StudyGrades;
import org.hipoa.domain.Feature;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.HipResult;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * "Graded" messages → the DICOM SR of each upload, in the provider's own trust domain only: the source header is
 * re-read from the ingest bucket (ranged, no pixels), the SR is written to {@code results/{provider}/{uploadId}/sr.dcm}
 * beside the uploads and, when the provider registered a DICOMweb endpoint, stored there with STOW-RS. The outcome is
 * the item's {@code export} attribute {status, reason, message, attempts, srKey, dicomweb}; the item's status stays
 * GRADED whatever happens here. A retryable failure is reported in {@code batchItemFailures} so SQS redelivers it,
 * up to the queue's receive count (then the export DLQ); its last receive records {@code FAILED}. A message the
 * invocation has no time left for is returned unattempted ({@link Budget}); one that no receive finished reaches the
 * export DLQ, where {@link ExportDeadLetterHandler} records it FAILED.
 */
public final class ExportHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(ExportHandler.class);
    /** The per-provider endpoint item: pk {@code PROVIDER#{provider}}, sk {@code DICOMWEB}, {@code url}, {@code secretName}. */
    public static final String DICOMWEB_SK = "DICOMWEB";
    /** STOW-RS timeout (connect and answer), milliseconds; default 10 s. */
    public static final String DICOMWEB_TIMEOUT_MS = "DICOMWEB_TIMEOUT_MS";
    public static final String EXPORT = "export";

    private final S3Client s3;
    private final DynamoDbClient dynamo;
    private final String table;
    private final Keys keys;
    private final int maxReceiveCount;
    private final DicomWeb dicomWeb;
    private final Supplier<SecretsManagerClient> secretsFactory;
    private SecretsManagerClient secrets;

    public ExportHandler() {
        this(PipelineConfig.fromEnvironment(), AwsClients.s3(), AwsClients.dynamoDb(),
                () -> SecretsManagerClient.builder().httpClientBuilder(AwsCrtHttpClient.builder()).build());
    }

    public ExportHandler(PipelineConfig config, S3Client s3, DynamoDbClient dynamo,
                         Supplier<SecretsManagerClient> secrets) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = config.requireTableName();
        this.keys = config.requireKeys(); // opens the item's sealed object key to read the source header
        this.maxReceiveCount = config.maxReceiveCount();
        String ms = PipelineConfig.setting(DICOMWEB_TIMEOUT_MS);
        this.dicomWeb = new DicomWeb(Duration.ofMillis(ms == null ? 10_000 : Math.max(1, Long.parseLong(ms))));
        this.secretsFactory = Objects.requireNonNull(secrets, "secrets");
    }

    /** The SR's place beside the provider's uploads. */
    public static String srKey(String provider, String uploadId) {
        return "results/" + provider + "/" + uploadId + "/sr.dcm";
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return Powertools.withLogging(context, () -> {
            Budget budget = Budget.of(context);
            List<SQSBatchResponse.BatchItemFailure> retry = new ArrayList<>();
            for (SQSEvent.SQSMessage m : event == null || event.getRecords() == null
                    ? List.<SQSEvent.SQSMessage>of() : event.getRecords()) {
                boolean done;
                if (!budget.allowsAnother()) {
                    done = false;
                } else {
                    try {
                        done = export(m, budget);
                    } catch (RuntimeException e) {
                        // Nothing one message holds may fail the others: this one comes back, alone.
                        LOG.error("export error outside the per-upload handling {} {} {}",
                                entry("messageId", m.getMessageId()), entry("errorType", e.getClass().getSimpleName()),
                                entry("where", Faults.where(e)));
                        done = false;
                    }
                }
                if (!done) retry.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
            }
            if (budget.skipped > 0) {
                LOG.warn("left for a later receive, not attempted: too little time left {}",
                        entry("messages", budget.skipped));
            }
            return new SQSBatchResponse(retry);
        });
    }

    /**
     * The invocation's time: each STOW gets at most what is left less a reserve for recording its outcome and
     * answering, and a message is not started when less than that is left. Lambda ends an invocation at its timeout
     * with no answer, and then every message of the batch comes back, done or not: one provider's PACS that never
     * answers would hold back all the others, and after MaxReceiveCount receives park them all in the DLQ.
     */
    static final class Budget {
        /** Below this a STOW is not started: a PACS does not answer a store faster. */
        static final Duration MIN_STOW = Duration.ofMillis(500);
        private final Context context;
        private final Duration reserve;
        int skipped;

        private Budget(Context context) {
            this.context = context;
            // A tenth of the invocation (6 s of the template's 60), within 0.25..3 s: recording an outcome is one
            // DynamoDB write, and the local stack runs this function with a 3 s timeout.
            long ms = context == null ? 0 : context.getRemainingTimeInMillis() / 10;
            this.reserve = Duration.ofMillis(Math.clamp(ms, 250, 3_000));
        }

        static Budget of(Context context) {
            return new Budget(context);
        }

        /** Time a STOW may take now: what is left less the reserve (unbounded without a context). */
        Duration stow() {
            if (context == null) return Duration.ofDays(1);
            return Duration.ofMillis(context.getRemainingTimeInMillis()).minus(reserve);
        }

        boolean allowsAnother() {
            boolean ok = stow().compareTo(MIN_STOW) >= 0;
            if (!ok) skipped++;
            return ok;
        }
    }

    /** Thrown when the time left will not hold a STOW: the message is left for a later receive, unrecorded. */
    private static final class OutOfTime extends Exception {
        OutOfTime() {
            super(null, null, false, false);
        }
    }

    /** False: redeliver this message. */
    private boolean export(SQSEvent.SQSMessage m, Budget budget) {
        GradedEvents.Graded g;
        try {
            g = GradedEvents.Graded.fromJson(m.getBody());
        } catch (IllegalArgumentException e) {
            LOG.error("not a graded message, dropped {}", entry("messageId", m.getMessageId()));
            return true;
        }
        Map<String, AttributeValue> item;
        try {
            item = dynamo.getItem(b -> b.tableName(table).key(ResultItems.key(g.uploadId())).consistentRead(true))
                    .item();
        } catch (RuntimeException e) {
            LOG.warn("table unreadable, message will be redelivered {} {}", entry("uploadId", g.uploadId()),
                    entry("errorType", e.getClass().getSimpleName()));
            return false;
        }
        if (item == null || item.isEmpty()) {
            LOG.warn("graded message for an unknown upload, dropped {}", entry("uploadId", g.uploadId()));
            return true;
        }
        ResultRecord r;
        AttributeValue previous = item.get(EXPORT);
        int attempts;
        try {
            r = ResultItems.fromItem(item);
            attempts = 1 + (previous != null && previous.hasM() && previous.m().get("attempts") != null
                    ? Integer.parseInt(previous.m().get("attempts").n()) : 0);
        } catch (RuntimeException e) {
            return unreadable(g, e);
        }
        if (r.status() != Status.GRADED || r.provider().map(p -> !p.name().equals(g.provider())).orElse(true)) {
            LOG.warn("graded message does not match the item, dropped {}", entry("uploadId", g.uploadId()));
            return true;
        }
        if (previous != null && previous.hasM() && "DONE".equals(s(previous.m().get("status")))) {
            log("already exported", r, "DONE", "");
            return true;
        }
        String key = srKey(g.provider(), g.uploadId());
        boolean srWritten = false;
        try {
            AttributeList header = SourceHeader.read(s3, r.bucket(), r.objectKey(keys), r.objectVersion()).header();
            // The item's last change as the content time: a retry writes the same bytes.
            byte[] sr = HipSrWriter.write(header, grades(r), model(r), r.updatedAt().atZone(ZoneOffset.UTC));
            s3.putObject(b -> b.bucket(r.bucket()).key(key).contentType("application/dicom"),
                    RequestBody.fromBytes(sr));
            srWritten = true;
            Optional<Endpoint> endpoint = endpoint(g.provider());
            if (endpoint.isPresent()) {
                URI url = DicomWeb.endpoint(endpoint.get().url());
                String secretName = endpoint.get().secretName();
                if (secretName != null && !secretBelongsTo(secretName, g.provider())) {
                    throw new DicomWeb.StowException(ExportReason.DICOMWEB_SECRET_NOT_PROVIDERS, "The registered"
                            + " secretName is not the provider's own (hipoa/dicomweb/" + g.provider() + ").");
                }
                Optional<String> auth = secretName == null ? Optional.empty()
                        : DicomWeb.authorization(secret(secretName));
                Duration stow = budget.stow();
                if (stow.compareTo(Budget.MIN_STOW) < 0) throw new OutOfTime();
                dicomWeb.store(url, sr, auth, stow);
            }
            record(r, "DONE", null, null, attempts, key, endpoint.isPresent() ? "STORED" : "NOT_REGISTERED");
            log("exported", r, "DONE", "");
            return true;
        } catch (OutOfTime e) {
            budget.skipped++;
            return false;
        } catch (SourceHeader.SourceMissingException e) {
            return failed(m, r, ExportReason.SOURCE_MISSING, "The uploaded object no longer exists.", attempts, null);
        } catch (SourceHeader.SourceUnreadableException e) {
            return failed(m, r, ExportReason.SOURCE_UNREADABLE, e.cause.rejection().message(), attempts, null);
        } catch (SourceHeader.UnreadableHeaderException e) {
            return failed(m, r, ExportReason.SR_SOURCE_INCOMPLETE, "The uploaded object's header could not be read"
                    + " (" + e.getMessage() + ").", attempts, null);
        } catch (HipSrWriter.SourceIncompleteException e) {
            return failed(m, r, ExportReason.SR_SOURCE_INCOMPLETE, e.getMessage(), attempts, null);
        } catch (DicomWeb.StowException e) {
            return failed(m, r, e.reason, e.getMessage(), attempts, key);
        } catch (RuntimeException e) {
            // Throttling, 5xx and network errors are worth a retry; a permanent refusal by AWS (our own
            // misconfiguration: AccessDenied on our table or bucket, a validation error) gets the same answer on every
            // receive, so it ends FAILED now; anything else is our fault: retried, then FAILED on the last receive.
            LOG.error("export error {} {} {}", entry("uploadId", r.uploadId()), entry("errorType",
                    e.getClass().getSimpleName()), entry("where", Faults.where(e)));
            if (e instanceof software.amazon.awssdk.core.exception.SdkException && !Faults.isTransient(e)) {
                return failedNow(r, ExportReason.INTERNAL, Faults.INTERNAL_MESSAGE, attempts, srWritten ? key : null);
            }
            return failed(m, r, ExportReason.INTERNAL, Faults.INTERNAL_MESSAGE, attempts, srWritten ? key : null);
        }
    }

    /**
     * A provider's DICOMWEB item names its secret, and ExportRole may read every hipoa/dicomweb/* secret (IAM cannot
     * tie the secret to the provider of the message being exported): the name must be the provider's own,
     * {@code hipoa/dicomweb/{provider}} or under it, so one provider's registration cannot send another's
     * credentials to its own endpoint.
     */
    static boolean secretBelongsTo(String secretName, String provider) {
        String own = "hipoa/dicomweb/" + provider;
        return secretName.equals(own) || secretName.startsWith(own + "/");
    }

    /**
     * The item does not read as a result (a hand edit, a bug in an older writer): it is FAILED with a reason on the
     * raw item, while it still says GRADED, and the message is done — no retry reads it differently.
     */
    private boolean unreadable(GradedEvents.Graded g, RuntimeException e) {
        LOG.error("result item unreadable {} {}", entry("uploadId", g.uploadId()),
                entry("errorType", e.getClass().getSimpleName()));
        Map<String, AttributeValue> export = new LinkedHashMap<>();
        export.put("status", AttributeValue.fromS("FAILED"));
        export.put("attempts", AttributeValue.fromN("1"));
        export.put("at", AttributeValue.fromS(ResultRecord.TIME.format(Instant.now())));
        export.put("reason", AttributeValue.fromS(ExportReason.ITEM_UNREADABLE.name()));
        export.put("message", AttributeValue.fromS("The result could not be read to build its report."));
        try {
            update(g.uploadId(), export);
            return true;
        } catch (RuntimeException again) {
            LOG.warn("could not record the export failure {} {}", entry("uploadId", g.uploadId()),
                    entry("errorType", again.getClass().getSimpleName()));
            return false;
        }
    }

    private boolean failed(SQSEvent.SQSMessage m, ResultRecord r, ExportReason reason, String message, int attempts,
                           String srKey) {
        boolean retry = reason.retryable && !lastReceive(m);
        String status = retry ? "RETRYING" : "FAILED";
        try {
            record(r, status, reason, message, attempts, srKey, null);
        } catch (RuntimeException e) {
            LOG.warn("could not record the export failure {} {}", entry("uploadId", r.uploadId()),
                    entry("errorType", e.getClass().getSimpleName()));
            return false; // the message comes back; the record is made then
        }
        log("export failed", r, status, reason.name());
        return !retry;
    }

    /** A failure no retry changes: recorded FAILED at once, the message deleted. */
    private boolean failedNow(ResultRecord r, ExportReason reason, String message, int attempts, String srKey) {
        try {
            record(r, "FAILED", reason, message, attempts, srKey, null);
        } catch (RuntimeException e) {
            LOG.warn("could not record the export failure {} {}", entry("uploadId", r.uploadId()),
                    entry("errorType", e.getClass().getSimpleName()));
            return false;
        }
        log("export failed", r, "FAILED", reason.name());
        return true;
    }

    /** Only the export attribute, and only while the item is GRADED: the result itself is never touched. */
    private void record(ResultRecord r, String status, ExportReason reason, String message, int attempts,
                        String srKey, String dicomweb) {
        Map<String, AttributeValue> e = new LinkedHashMap<>();
        e.put("status", AttributeValue.fromS(status));
        e.put("attempts", AttributeValue.fromN(Integer.toString(attempts)));
        e.put("at", AttributeValue.fromS(ResultRecord.TIME.format(Instant.now())));
        if (reason != null) e.put("reason", AttributeValue.fromS(reason.name()));
        if (message != null) e.put("message", AttributeValue.fromS(message));
        if (srKey != null) e.put("srKey", AttributeValue.fromS(srKey));
        if (dicomweb != null) e.put("dicomweb", AttributeValue.fromS(dicomweb));
        update(r.uploadId(), e);
    }

    /** Sets the export attribute while the item says GRADED (a conditional write; a changed item is left alone). */
    private void update(String uploadId, Map<String, AttributeValue> export) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(ResultItems.key(uploadId))
                    .updateExpression("SET #e = :e")
                    .conditionExpression("#s = :graded")
                    .expressionAttributeNames(Map.of("#e", EXPORT, "#s", "status"))
                    .expressionAttributeValues(Map.of(":e", AttributeValue.fromM(export),
                            ":graded", AttributeValue.fromS(Status.GRADED.name()))));
        } catch (ConditionalCheckFailedException gone) {
            // The item is no longer GRADED (deleted): nothing to record on.
        }
    }

    private record Endpoint(String url, String secretName) {}

    private Optional<Endpoint> endpoint(String provider) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(Map.of(
                ResultItems.PK, AttributeValue.fromS("PROVIDER#" + provider),
                ResultItems.SK, AttributeValue.fromS(DICOMWEB_SK)))).item();
        if (item == null || item.isEmpty() || s(item.get("url")) == null) return Optional.empty();
        return Optional.of(new Endpoint(s(item.get("url")), s(item.get("secretName"))));
    }

    private synchronized String secret(String name) {
        if (secrets == null) secrets = secretsFactory.get();
        return secrets.getSecretValue(b -> b.secretId(name)).secretString();
    }

    private boolean lastReceive(SQSEvent.SQSMessage m) {
        return BatchFailures.isLastReceive(m, maxReceiveCount);
    }

    /** The stored (rounded) grades as the SR writer takes them. */
    static StudyGrades grades(ResultRecord r) {
        return new StudyGrades(hip(Side.RIGHT, r.hips().get(Side.RIGHT)), hip(Side.LEFT, r.hips().get(Side.LEFT)));
    }

    private static HipGrades hip(Side side, HipResult h) {
        if (h == null) throw new IllegalStateException("a GRADED item without both hips");
        Map<Feature, Integer> g = new EnumMap<>(Feature.class);
        Map<Feature, float[]> p = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            g.put(f, h.grade(f));
            List<Double> v = h.probabilities().get(f);
            float[] a = new float[v.size()];
            for (int i = 0; i < a.length; i++) a[i] = v.get(i).floatValue();
            p.put(f, a);
        }
        return new HipGrades(side, g, p, h.centerXmm(), h.centerYmm());
    }

    private static ModelInfo model(ResultRecord r) {
        return r.model().map(m -> new ModelInfo(m.name(), m.version(), Map.of()))
                .orElseThrow(() -> new IllegalStateException("a GRADED item without its model"));
    }

    private static String s(AttributeValue v) {
        return v == null ? null : v.s();
    }

    private static void log(String what, ResultRecord r, String status, String reason) {
        LOG.info("{} {} {} {} {}", what, entry("uploadId", r.uploadId()),
                entry("provider", r.provider().map(Object::toString).orElse("")), entry("export", status),
                entry("reason", reason));
    }
}
