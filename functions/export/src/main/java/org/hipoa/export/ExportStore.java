package org.hipoa.export;

import org.hipoa.aws.ResultItems;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Provider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The export's part of the results table: an upload's {@code export} attribute {status, attempts, at, reason,
 * message, srKey, dicomweb} and the provider's DICOMweb endpoint item. Every write sets the export attribute alone and
 * only while the item says GRADED: the result itself is never touched, and a deleted or changed item is left alone.
 * Table errors are thrown (the caller's message comes back).
 */
public final class ExportStore {
    /** The item attribute the export owns. */
    public static final String EXPORT = "export";
    /**
     * The per-provider endpoint item: pk {@code PROVIDER#{provider}}, sk {@code DICOMWEB}, {@code url},
     * {@code secretName}.
     */
    public static final String DICOMWEB_SK = "DICOMWEB";

    /** One upload as the export reads it. */
    sealed interface Upload {}

    /** No such item. */
    record Absent() implements Upload {}

    /** The item does not read as a result, or its export record has no number of attempts. */
    record Unreadable(RuntimeException cause) implements Upload {}

    /**
     * The result, with what the export recorded on it before: its status (empty when none, or none this code
     * writes) and how many receives tried it.
     */
    record Found(ResultRecord result, Optional<ExportStatus> status, int attempts) implements Upload {}

    /** One outcome to record; {@code reason}, {@code message}, {@code srKey} and {@code dicomweb} may be null. */
    record Outcome(ExportStatus status, int attempts, Instant at, Reason reason, String message, String srKey,
                   String dicomweb) {
        Outcome {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(at, "at");
        }
    }

    /** A provider's registration: where its PACS takes STOW-RS, and the secret that holds its credentials. */
    record Endpoint(String url, Optional<String> secretName) {}

    /**
     * What became of a dead-lettered export: ended FAILED; left alone because the item is gone or not GRADED; or
     * because a receive exported it (or the item changed) before this could end it.
     */
    enum DeadLetter { ENDED, NOT_GRADED, ALREADY_DONE }

    private final DynamoDbClient dynamo;
    private final String table;

    public ExportStore(DynamoDbClient dynamo, String table) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
    }

    /** A strongly consistent read: the export follows the GRADED write that sent its message. */
    Upload read(String uploadId) {
        Map<String, AttributeValue> item = item(uploadId);
        if (item == null || item.isEmpty()) return new Absent();
        try {
            AttributeValue previous = item.get(EXPORT);
            Map<String, AttributeValue> export = previous != null && previous.hasM() ? previous.m() : Map.of();
            int attempts = export.get("attempts") != null ? Integer.parseInt(export.get("attempts").n()) : 0;
            return new Found(ResultItems.fromItem(item), ExportStatus.of(s(export.get("status"))), attempts);
        } catch (RuntimeException e) {
            return new Unreadable(e);
        }
    }

    /** Sets the export attribute while the item says GRADED. */
    void record(String uploadId, Outcome outcome) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(ResultItems.key(uploadId))
                    .updateExpression("SET #e = :e")
                    .conditionExpression("#s = :graded")
                    .expressionAttributeNames(Map.of("#e", EXPORT, "#s", "status"))
                    .expressionAttributeValues(Map.of(":e", AttributeValue.fromM(attribute(outcome)),
                            ":graded", AttributeValue.fromS(Status.GRADED.name()))));
        } catch (ConditionalCheckFailedException gone) {
            // The item is no longer GRADED (deleted): nothing to record on.
        }
    }

    /**
     * Ends an export that no receive finished: FAILED with {@code reason} and {@code message}, the attempts and SR key
     * recorded before kept as they are, unless the item is gone, no longer GRADED, or exported meanwhile.
     */
    DeadLetter endDeadLettered(String uploadId, Reason reason, String message, Instant at) {
        Map<String, AttributeValue> item = item(uploadId);
        if (item == null || item.isEmpty() || item.get("status") == null
                || !Status.GRADED.name().equals(item.get("status").s())) {
            return DeadLetter.NOT_GRADED;
        }
        AttributeValue previous = item.get(EXPORT);
        if (previous != null && previous.hasM()
                && ExportStatus.DONE.name().equals(s(previous.m().get("status")))) {
            return DeadLetter.ALREADY_DONE; // a later receive finished it after all
        }
        try {
            dynamo.updateItem(b -> b.tableName(table).key(ResultItems.key(uploadId))
                    .updateExpression("SET #e = :e")
                    // Still GRADED, and not exported meanwhile by a receive that was still running.
                    .conditionExpression("#s = :graded AND (attribute_not_exists(#e) OR #e.#s <> :done)")
                    .expressionAttributeNames(Map.of("#e", EXPORT, "#s", "status"))
                    .expressionAttributeValues(Map.of(
                            ":e", AttributeValue.fromM(deadLettered(previous, reason, message, at)),
                            ":graded", AttributeValue.fromS(Status.GRADED.name()),
                            ":done", AttributeValue.fromS(ExportStatus.DONE.name()))));
        } catch (ConditionalCheckFailedException changed) {
            return DeadLetter.ALREADY_DONE;
        }
        return DeadLetter.ENDED;
    }

    /** The provider's DICOMweb registration; empty when it has none (the SR goes to the bucket only). */
    Optional<Endpoint> endpoint(Provider provider) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(endpointKey(provider))).item();
        return endpointOf(item);
    }

    static Map<String, AttributeValue> endpointKey(Provider provider) {
        return Map.of(ResultItems.PK, AttributeValue.fromS(ResultItems.providerPk(provider)),
                ResultItems.SK, AttributeValue.fromS(DICOMWEB_SK));
    }

    static Optional<Endpoint> endpointOf(Map<String, AttributeValue> item) {
        if (item == null || item.isEmpty() || s(item.get("url")) == null) return Optional.empty();
        return Optional.of(new Endpoint(s(item.get("url")), Optional.ofNullable(s(item.get("secretName")))));
    }

    /** The export attribute of {@code outcome}, as stored. */
    static Map<String, AttributeValue> attribute(Outcome o) {
        Map<String, AttributeValue> e = new LinkedHashMap<>();
        e.put("status", AttributeValue.fromS(o.status().name()));
        e.put("attempts", AttributeValue.fromN(Integer.toString(o.attempts())));
        e.put("at", AttributeValue.fromS(ResultRecord.TIME.format(o.at())));
        if (o.reason() != null) e.put("reason", AttributeValue.fromS(o.reason().name()));
        if (o.message() != null) e.put("message", AttributeValue.fromS(o.message()));
        if (o.srKey() != null) e.put("srKey", AttributeValue.fromS(o.srKey()));
        if (o.dicomweb() != null) e.put("dicomweb", AttributeValue.fromS(o.dicomweb()));
        return e;
    }

    /** FAILED over {@code previous}: its attempts (0 when none) and SR key carried over as stored. */
    static Map<String, AttributeValue> deadLettered(AttributeValue previous, Reason reason, String message,
                                                    Instant at) {
        Map<String, AttributeValue> export = new LinkedHashMap<>();
        if (previous != null && previous.hasM()) {
            for (String keep : List.of("attempts", "srKey")) {
                if (previous.m().get(keep) != null) export.put(keep, previous.m().get(keep));
            }
        }
        export.putIfAbsent("attempts", AttributeValue.fromN("0"));
        export.put("status", AttributeValue.fromS(ExportStatus.FAILED.name()));
        export.put("reason", AttributeValue.fromS(reason.name()));
        export.put("message", AttributeValue.fromS(message));
        export.put("at", AttributeValue.fromS(ResultRecord.TIME.format(at)));
        return export;
    }

    private Map<String, AttributeValue> item(String uploadId) {
        return dynamo.getItem(b -> b.tableName(table).key(ResultItems.key(uploadId)).consistentRead(true)).item();
    }

    private static String s(AttributeValue v) {
        return v == null ? null : v.s();
    }
}
