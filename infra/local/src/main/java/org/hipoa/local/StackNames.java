package org.hipoa.local;

import java.util.Objects;

/**
 * The names of what template.yaml creates, as the local stack creates them. One place for them, so the handlers'
 * settings (TABLE_NAME, WORK_BUCKET, QUEUE_URL) and the bridges agree.
 *
 * @param ingestBucket   where providers upload ({@code incoming/{provider}/…} raises ObjectCreated)
 *
 * <p>The key prefix ({@code UploadRef.INCOMING}), the index names and the setting names are not repeated here:
 * they live with the code that reads them ({@code ResultItems}, {@code PipelineConfig}).
 * @param workBucket     crops between preprocess and inference
 * @param queue          the claim-check queue (preprocess → inference)
 * @param deadLetterQueue the claim-check queue's redrive target
 * @param table          the results table
 */
public record StackNames(String ingestBucket, String workBucket, String queue, String deadLetterQueue, String table) {

    public StackNames {
        Objects.requireNonNull(ingestBucket, "ingestBucket");
        Objects.requireNonNull(workBucket, "workBucket");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(deadLetterQueue, "deadLetterQueue");
        Objects.requireNonNull(table, "table");
    }

    /**
     * The names the local stack uses unless told otherwise: the buckets follow template.yaml's pattern
     * ({@code hipoa-ingest-${AWS::AccountId}-${AWS::Region}-${Stage}}) with LocalStack's conventional account id and
     * stage {@code local}; the table and queues carry names CloudFormation would generate, so any stand-in will do.
     */
    public static StackNames defaults() {
        String suffix = "-000000000000-us-east-1-local";
        return new StackNames("hipoa-ingest" + suffix, "hipoa-work" + suffix, "hipoa-claim-check", "hipoa-claim-check-dlq",
                "hipoa-results");
    }
}
