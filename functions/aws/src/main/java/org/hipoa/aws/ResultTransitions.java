package org.hipoa.aws;

import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The write side of the results table: an upload's status changes, each ONE conditional single-item write
 * (docs/PIPELINE.md, "Idempotency"; dynalite has no transactions), so a re-delivered event never regresses an item
 * and FAILED stays terminal. SDK exceptions other than a failed condition propagate: they are transient.
 * The read side is {@link ResultQueries}.
 */
public final class ResultTransitions {
    /**
     * A failure write's outcome: the FAILED record, and whether this call wrote it (false: the item was already
     * GRADED or FAILED, a duplicate delivery or a race another function won).
     */
    public record Ended(ResultRecord record, boolean written) {
        public Ended {
            Objects.requireNonNull(record, "record");
        }
    }

    private static final Set<String> PREPROCESSED_FIELDS = Set.of("updatedAt", "status", "studyKey",
            ResultItems.GSI2PK, ResultItems.GSI2SK, "localiser", "preprocessTimingsMs", "spacing");
    private static final Set<String> GRADED_FIELDS = Set.of("updatedAt", "status", "studyKey", ResultItems.GSI2PK,
            ResultItems.GSI2SK, "localiser", "preprocessTimingsMs", "model", "hips", "inferenceTimingsMs", "spacing");
    /** Set by a failure write only when the item does not have them yet (the first receipt's time wins). */
    private static final Set<String> KEEP_EXISTING = Set.of("receivedAt", ResultItems.GSI1PK, ResultItems.GSI1SK,
            ResultItems.GSI2PK, ResultItems.GSI2SK);

    private final DynamoDbClient dynamo;
    private final String table;
    private final ResultQueries reads;

    public ResultTransitions(DynamoDbClient dynamo, String table) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        this.reads = new ResultQueries(dynamo, table);
    }

    /**
     * Writes the RECEIVED item unless the upload already has one, and returns what is stored now: {@code fresh}, or
     * the earlier item (a re-delivery). The caller treats an earlier item past RECEIVED as a duplicate.
     */
    public ResultRecord received(ResultRecord fresh) {
        require(fresh, Status.RECEIVED);
        try {
            dynamo.putItem(b -> b.tableName(table).item(ResultItems.toItem(fresh))
                    .conditionExpression("attribute_not_exists(pk)"));
            return fresh;
        } catch (ConditionalCheckFailedException e) {
            return reads.get(fresh.uploadId()).orElse(fresh);
        }
    }

    /** RECEIVED → PREPROCESSED; false when the item had moved on (a duplicate delivery). */
    public boolean preprocessed(ResultRecord next) {
        require(next, Status.PREPROCESSED);
        return update(next, PREPROCESSED_FIELDS, "#s = :received", Map.of(":received", s(Status.RECEIVED)));
    }

    /** RECEIVED | PREPROCESSED → GRADED; false when already GRADED or FAILED. */
    public boolean graded(ResultRecord next) {
        require(next, Status.GRADED);
        return update(next, GRADED_FIELDS, "#s IN (:received, :preprocessed)",
                Map.of(":received", s(Status.RECEIVED), ":preprocessed", s(Status.PREPROCESSED)));
    }

    /**
     * → FAILED, also when the item does not exist yet (the failure is recorded even if the received write never
     * happened); false when it is already GRADED or FAILED.
     */
    public boolean failed(ResultRecord next) {
        require(next, Status.FAILED);
        Set<String> all = new HashSet<>(ResultItems.toItem(next).keySet());
        all.remove(ResultItems.PK);
        all.remove(ResultItems.SK);
        return update(next, all, "attribute_not_exists(pk) OR #s IN (:received, :preprocessed)",
                Map.of(":received", s(Status.RECEIVED), ":preprocessed", s(Status.PREPROCESSED)));
    }

    /** {@code current} → FAILED for {@code why}, now: the one way every function ends an upload that failed. */
    public Ended end(ResultRecord current, Failure why) {
        return end(current, why, Instant.now());
    }

    /** The same at a time of the caller's clock (the sweep's). */
    public Ended end(ResultRecord current, Failure why, Instant at) {
        ResultRecord failed = current.failed(why, at);
        return new Ended(failed, failed(failed));
    }

    private boolean update(ResultRecord next, Set<String> fields, String condition,
                           Map<String, AttributeValue> conditionValues) {
        Map<String, AttributeValue> item = ResultItems.toItem(next);
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, AttributeValue> values = new LinkedHashMap<>(conditionValues);
        names.put("#s", "status");
        List<String> sets = new ArrayList<>();
        int i = 0;
        for (String field : item.keySet()) { // item order: deterministic expressions
            if (!fields.contains(field) || field.equals("status")) continue;
            String n = "#a" + i, v = ":v" + i++;
            names.put(n, field);
            values.put(v, item.get(field));
            sets.add(KEEP_EXISTING.contains(field) ? n + " = if_not_exists(" + n + ", " + v + ")" : n + " = " + v);
        }
        values.put(":status", item.get("status"));
        sets.add("#s = :status");
        String expression = "SET " + String.join(", ", sets);
        try {
            dynamo.updateItem(b -> b.tableName(table).key(ResultItems.key(next.uploadId()))
                    .updateExpression(expression).conditionExpression(condition)
                    .expressionAttributeNames(names).expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static AttributeValue s(Status status) {
        return AttributeValue.fromS(status.name());
    }

    private static void require(ResultRecord r, Status status) {
        if (r.status() != status) throw new IllegalArgumentException("expected a " + status + " record");
    }
}
