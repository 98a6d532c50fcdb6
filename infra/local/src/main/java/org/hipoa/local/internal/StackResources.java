package org.hipoa.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import org.hipoa.local.StackNames;
import org.hipoa.local.template.StackTemplate;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Creates what template.yaml creates — buckets, queues with their redrive, the table with its indexes — by the
 * stack's names and with the template's own settings (read through {@link StackTemplate}, not copied).
 */
public final class StackResources {
    private StackResources() {}

    /** A queue and its DLQ: URLs and ARNs. */
    public record Queues(String queueUrl, String queueArn, String deadLetterQueueUrl, String deadLetterQueueArn) {}

    public static void buckets(S3Client s3, StackNames names) {
        s3.createBucket(b -> b.bucket(names.ingestBucket()));
        s3.createBucket(b -> b.bucket(names.workBucket()));
    }

    /**
     * A template queue (named {@code name}) and its redrive target ({@code deadLetterName}), as the template sets them;
     * {@code visibility} and {@code maxReceiveCount} may replace the template's (the local stack's shorter clock).
     */
    public static Queues queues(SqsClient sqs, StackTemplate template, String logicalId, String name,
                                String deadLetterName, Duration visibility, int maxReceiveCount) {
        StackTemplate.Queue q = template.queue(logicalId);
        StackTemplate.Queue dl = template.queue(q.deadLetter().orElseThrow(() ->
                new IllegalArgumentException("template.yaml: " + logicalId + " has no RedrivePolicy")));
        // A DLQ whose own visibility the template sets (a consumed one) gets the same local clock as its source.
        Duration dlVisibility = dl.visibilityTimeout().equals(q.visibilityTimeout()) ? visibility
                : dl.visibilityTimeout();
        String dlqUrl = sqs.createQueue(b -> b.queueName(deadLetterName).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(dlVisibility.toSeconds()),
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, Long.toString(dl.retention().toSeconds())))).queueUrl();
        String dlqArn = arn(sqs, dlqUrl);
        String redrive = "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}";
        String url = sqs.createQueue(b -> b.queueName(name).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibility.toSeconds()),
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, Long.toString(q.retention().toSeconds()),
                QueueAttributeName.REDRIVE_POLICY, redrive))).queueUrl();
        return new Queues(url, arn(sqs, url), dlqUrl, dlqArn);
    }

    private static String arn(SqsClient sqs, String url) {
        return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    /** The template's ResultsTable: its attributes, key schema and indexes with their projections, on demand. */
    public static void table(DynamoDbClient ddb, StackTemplate template, StackNames names) {
        JsonNode p = template.tree().path("Resources").path("ResultsTable").path("Properties");
        List<AttributeDefinition> attributes = new ArrayList<>();
        for (JsonNode a : p.path("AttributeDefinitions")) {
            attributes.add(AttributeDefinition.builder().attributeName(a.path("AttributeName").asText())
                    .attributeType(a.path("AttributeType").asText()).build());
        }
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        for (JsonNode g : p.path("GlobalSecondaryIndexes")) {
            JsonNode proj = g.path("Projection");
            List<String> nonKey = new ArrayList<>();
            proj.path("NonKeyAttributes").forEach(n -> nonKey.add(n.asText()));
            Projection.Builder pb = Projection.builder().projectionType(proj.path("ProjectionType").asText("ALL"));
            if (!nonKey.isEmpty()) pb.nonKeyAttributes(nonKey);
            indexes.add(GlobalSecondaryIndex.builder().indexName(g.path("IndexName").asText())
                    .keySchema(keySchema(g.path("KeySchema"))).projection(pb.build()).build());
        }
        if (!"PAY_PER_REQUEST".equals(p.path("BillingMode").asText())) {
            throw new IllegalStateException("template.yaml: ResultsTable is not PAY_PER_REQUEST; the local stack "
                    + "creates on-demand tables only");
        }
        ddb.createTable(b -> b.tableName(names.table()).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attributes).keySchema(keySchema(p.path("KeySchema")))
                .globalSecondaryIndexes(indexes));
        ddb.waiter().waitUntilTableExists(b -> b.tableName(names.table()));
    }

    /** Hash-key attribute of the table ("") and of each index (by name), as the local IAM layer needs them. */
    public static Map<String, String> hashKeys(StackTemplate template) {
        JsonNode p = template.tree().path("Resources").path("ResultsTable").path("Properties");
        Map<String, String> out = new HashMap<>();
        out.put("", hash(p.path("KeySchema")));
        for (JsonNode g : p.path("GlobalSecondaryIndexes")) out.put(g.path("IndexName").asText(), hash(g.path("KeySchema")));
        return out;
    }

    private static String hash(JsonNode schema) {
        for (JsonNode k : schema) if ("HASH".equals(k.path("KeyType").asText())) return k.path("AttributeName").asText();
        throw new IllegalStateException("template.yaml: a key schema without HASH");
    }

    private static List<KeySchemaElement> keySchema(JsonNode schema) {
        List<KeySchemaElement> out = new ArrayList<>();
        for (JsonNode k : schema) {
            out.add(KeySchemaElement.builder().attributeName(k.path("AttributeName").asText())
                    .keyType(k.path("KeyType").asText()).build());
        }
        return out;
    }
}
