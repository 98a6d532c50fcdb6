package org.hipoa.local.internal;

import org.hipoa.aws.ResultItems;
import org.hipoa.local.StackNames;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.time.Duration;
import java.util.Map;

/** Creates what template.yaml creates (buckets, queue + DLQ with redrive, table + GSIs), by the same names. */
public final class StackResources {
    private StackResources() {}

    /** The claim-check queue's URL and ARN, and its DLQ's URL. */
    public record Queues(String queueUrl, String queueArn, String deadLetterQueueUrl, String deadLetterQueueArn) {}

    public static void buckets(S3Client s3, StackNames names) {
        s3.createBucket(b -> b.bucket(names.ingestBucket()));
        s3.createBucket(b -> b.bucket(names.workBucket()));
    }

    public static Queues queues(SqsClient sqs, StackNames names, Duration visibilityTimeout, int maxReceiveCount) {
        // template.yaml: the DLQ's visibility is the claim-check queue's, since its consumer now grades (as long).
        String dlqUrl = sqs.createQueue(b -> b.queueName(names.deadLetterQueue()).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibilityTimeout.toSeconds()),
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600"))).queueUrl();
        String dlqArn = arn(sqs, dlqUrl);
        String redrive = "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}";
        String url = sqs.createQueue(b -> b.queueName(names.queue()).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibilityTimeout.toSeconds()),
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, "345600",
                QueueAttributeName.REDRIVE_POLICY, redrive))).queueUrl();
        return new Queues(url, arn(sqs, url), dlqUrl, dlqArn);
    }

    /**
     * template.yaml's export queue and its DLQ (issue 10): graded messages from inference to the export function,
     * named after the claim-check queue.
     */
    public static Queues exportQueues(SqsClient sqs, StackNames names, Duration visibilityTimeout,
                                      int maxReceiveCount) {
        String dlqUrl = sqs.createQueue(b -> b.queueName(names.queue() + "-export-dlq")
                .attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600"))).queueUrl();
        String dlqArn = arn(sqs, dlqUrl);
        String redrive = "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}";
        String url = sqs.createQueue(b -> b.queueName(names.queue() + "-export").attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibilityTimeout.toSeconds()),
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, "345600",
                QueueAttributeName.REDRIVE_POLICY, redrive))).queueUrl();
        return new Queues(url, arn(sqs, url), dlqUrl, dlqArn);
    }

    private static String arn(SqsClient sqs, String url) {
        return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    /**
     * The results table of docs/PIPELINE.md: pk/sk, GSIs byProvider (gsi1), byStudy (gsi2) and byProviderUpdated
     * (provider/updatedAt, the change feed), on demand.
     */
    public static void table(DynamoDbClient ddb, StackNames names) {
        ddb.createTable(b -> b.tableName(names.table())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(s(ResultItems.PK), s(ResultItems.SK), s(ResultItems.GSI1PK), s(ResultItems.GSI1SK),
                        s(ResultItems.GSI2PK), s(ResultItems.GSI2SK), s(ResultItems.UPDATES_PK),
                        s(ResultItems.UPDATES_SK))
                .keySchema(key(ResultItems.PK, KeyType.HASH), key(ResultItems.SK, KeyType.RANGE))
                .globalSecondaryIndexes(gsi(ResultItems.BY_PROVIDER, ResultItems.GSI1PK, ResultItems.GSI1SK),
                        gsi(ResultItems.BY_STUDY, ResultItems.GSI2PK, ResultItems.GSI2SK),
                        gsi(ResultItems.BY_PROVIDER_UPDATED, ResultItems.UPDATES_PK, ResultItems.UPDATES_SK)));
        ddb.waiter().waitUntilTableExists(b -> b.tableName(names.table()));
    }

    private static AttributeDefinition s(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    /** As template.yaml projects each index: ResultItems.INDEX_ATTRIBUTES less the index's own keys. */
    private static GlobalSecondaryIndex gsi(String name, String hash, String range) {
        return GlobalSecondaryIndex.builder().indexName(name)
                .keySchema(key(hash, KeyType.HASH), key(range, KeyType.RANGE))
                .projection(p -> p.projectionType(ProjectionType.INCLUDE).nonKeyAttributes(
                        ResultItems.INDEX_ATTRIBUTES.stream().filter(a -> !a.equals(hash) && !a.equals(range))
                                .toList()))
                .build();
    }
}
