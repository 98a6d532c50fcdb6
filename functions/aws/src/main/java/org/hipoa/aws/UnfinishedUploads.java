package org.hipoa.aws;

import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The results that are neither GRADED nor FAILED, for the sweeper. A filtered Scan of the whole table: simple and
 * exact, and the table holds one small item per upload. Trade-off, written down so it is revisited: the scan reads
 * every item each run (about 1 read unit per 8 KB, eventually consistent), which stays cents per run to a few
 * million items; beyond that a sparse "unfinished" index (an attribute set on RECEIVED/PREPROCESSED and removed by
 * the terminal writes) would read only what is unfinished.
 */
public final class UnfinishedUploads {
    private final DynamoDbClient dynamo;
    private final String table;

    public UnfinishedUploads(DynamoDbClient dynamo, String table) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
    }

    /** Every upload result still RECEIVED or PREPROCESSED (grant items and other kinds are skipped). */
    public List<ResultRecord> list() {
        return list(item -> {
            throw new IllegalStateException("an unfinished item does not read as a result");
        });
    }

    /**
     * As {@link #list()}, but an item that does not read as a result goes to {@code unreadable} (its key only, never
     * its attributes) and the listing goes on: one bad item must not hide every other from the sweeper.
     */
    public List<ResultRecord> list(Consumer<Map<String, AttributeValue>> unreadable) {
        List<ResultRecord> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder q = ScanRequest.builder().tableName(table)
                    .filterExpression("#sk = :result AND #s IN (:received, :preprocessed)")
                    .expressionAttributeNames(Map.of("#sk", ResultItems.SK, "#s", "status"))
                    .expressionAttributeValues(Map.of(":result", AttributeValue.fromS(ResultItems.RESULT_SK),
                            ":received", AttributeValue.fromS(Status.RECEIVED.name()),
                            ":preprocessed", AttributeValue.fromS(Status.PREPROCESSED.name())));
            if (start != null) q.exclusiveStartKey(start);
            ScanResponse r = dynamo.scan(q.build());
            for (Map<String, AttributeValue> item : r.items()) {
                ResultRecord record;
                try {
                    record = ResultItems.fromItem(item);
                } catch (RuntimeException e) {
                    Map<String, AttributeValue> key = new java.util.HashMap<>();
                    if (item.get(ResultItems.PK) != null) key.put(ResultItems.PK, item.get(ResultItems.PK));
                    if (item.get(ResultItems.SK) != null) key.put(ResultItems.SK, item.get(ResultItems.SK));
                    unreadable.accept(key);
                    continue;
                }
                out.add(record);
            }
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }
}
