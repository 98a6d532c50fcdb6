package org.hipoa.aws;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.hipoa.domain.upload.Provider;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.result.ResultRecord;

/**
 * The results table through the low-level DynamoDB client. Every status change is ONE conditional single-item
 * write (docs/PIPELINE.md, "Idempotency"; dynalite has no transactions), so a re-delivered event never regresses an
 * item and FAILED stays terminal. SDK exceptions other than a failed condition propagate: they are transient.
 */
public final class ResultStore {
    /** Most items a study listing returns. */
    public static final int MAX_STUDY_RESULTS = 100;
    public static final int MAX_PAGE = 100;

    /** A page of a provider's results; {@code next} continues the listing. */
    public record Page(List<ResultRecord> results, Optional<String> next) {
        public Page {
            results = List.copyOf(results);
            Objects.requireNonNull(next, "next");
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

    public ResultStore(DynamoDbClient dynamo, String table) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
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
            return get(fresh.uploadId()).orElse(fresh);
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
        Set<String> all = new java.util.HashSet<>(ResultItems.toItem(next).keySet());
        all.remove(ResultItems.PK);
        all.remove(ResultItems.SK);
        return update(next, all, "attribute_not_exists(pk) OR #s IN (:received, :preprocessed)",
                Map.of(":received", s(Status.RECEIVED), ":preprocessed", s(Status.PREPROCESSED)));
    }

    /** Strongly consistent read of one upload's result. */
    public Optional<ResultRecord> get(String uploadId) {
        GetItemResponse r = dynamo.getItem(b -> b.tableName(table).key(ResultItems.key(uploadId)).consistentRead(true));
        return r.hasItem() && !r.item().isEmpty() ? Optional.of(ResultItems.fromItem(r.item())) : Optional.empty();
    }

    /**
     * A provider's results in upload order, from {@code since} on. The token is bound to the provider: it only
     * carries the position, never the partition, so it cannot open another provider's listing.
     *
     * @throws PageToken.InvalidTokenException when {@code token} is not one this store issued
     */
    public Page byProvider(Provider provider, Optional<Instant> since, int limit, Optional<String> token) {
        if (limit < 1 || limit > MAX_PAGE) throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE);
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        values.put(":p", AttributeValue.fromS(ResultItems.providerPk(provider)));
        String condition = "gsi1pk = :p";
        if (since.isPresent()) {
            values.put(":since", AttributeValue.fromS(ResultRecord.TIME.format(since.get())));
            condition += " AND gsi1sk >= :since";
        }
        QueryRequest.Builder q = QueryRequest.builder().tableName(table).indexName(ResultItems.BY_PROVIDER)
                .keyConditionExpression(condition).expressionAttributeValues(values).limit(limit)
                .scanIndexForward(true);
        token.map(t -> PageToken.decode(t, ResultItems.providerPk(provider))).ifPresent(q::exclusiveStartKey);
        QueryResponse r = dynamo.query(q.build());
        List<ResultRecord> results = r.items().stream().map(ResultItems::fromItem).toList();
        Optional<String> next = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty()
                ? Optional.of(PageToken.encode(r.lastEvaluatedKey())) : Optional.empty();
        return new Page(results, next);
    }

    /** All results of one study (at most {@link #MAX_STUDY_RESULTS}), in upload order; empty when none. */
    public List<ResultRecord> byStudy(String studyKey) {
        List<ResultRecord> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder q = QueryRequest.builder().tableName(table).indexName(ResultItems.BY_STUDY)
                    .keyConditionExpression("gsi2pk = :s")
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(ResultItems.studyPk(studyKey))))
                    .limit(MAX_STUDY_RESULTS - out.size()).scanIndexForward(true);
            if (start != null) q.exclusiveStartKey(start);
            QueryResponse r = dynamo.query(q.build());
            r.items().stream().map(ResultItems::fromItem).forEach(out::add);
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null && out.size() < MAX_STUDY_RESULTS);
        return out;
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
