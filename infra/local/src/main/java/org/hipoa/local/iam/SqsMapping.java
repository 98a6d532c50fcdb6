package org.hipoa.local.iam;

import org.hipoa.local.iam.SdkIamMapping.Requests;
import org.hipoa.local.iam.SdkIamMapping.UnmappedRequestException;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.SqsRequest;

import java.util.Map;

import static java.util.Map.entry;
import static org.hipoa.local.iam.SdkIamMapping.operation;
import static org.hipoa.local.iam.SdkIamMapping.unmapped;

/**
 * SQS's actions on the queue's ARN; a batch call is authorised as its single-message action (SQS developer guide,
 * "Amazon SQS API permissions: Actions and resource reference"). On an SSE-KMS queue SQS uses the key with the
 * caller's permissions: producers need kms:GenerateDataKey and kms:Decrypt, consumers kms:Decrypt (developer guide,
 * "Key management").
 */
final class SqsMapping {
    private SqsMapping() {}

    private static final Map<String, String> ACTIONS = Map.ofEntries(
            entry("SendMessage", "sqs:SendMessage"),
            entry("SendMessageBatch", "sqs:SendMessage"),
            entry("ReceiveMessage", "sqs:ReceiveMessage"),
            entry("DeleteMessage", "sqs:DeleteMessage"),
            entry("DeleteMessageBatch", "sqs:DeleteMessage"),
            entry("ChangeMessageVisibility", "sqs:ChangeMessageVisibility"),
            entry("ChangeMessageVisibilityBatch", "sqs:ChangeMessageVisibility"),
            entry("GetQueueAttributes", "sqs:GetQueueAttributes"),
            entry("SetQueueAttributes", "sqs:SetQueueAttributes"),
            entry("PurgeQueue", "sqs:PurgeQueue"),
            entry("DeleteQueue", "sqs:DeleteQueue"));

    static void map(SqsRequest r, Requests out) {
        String op = operation(r);
        switch (r) {
            case GetQueueUrlRequest g -> out.add("sqs:GetQueueUrl", arn(g.queueName(),
                    g.queueOwnerAWSAccountId() == null ? out.model.account() : g.queueOwnerAWSAccountId(), out),
                    Map.of());
            case CreateQueueRequest c -> out.add("sqs:CreateQueue", arn(c.queueName(), out.model.account(), out),
                    Map.of());
            default -> {
                String action = ACTIONS.get(op);
                if (action == null) throw unmapped(r, "the operation");
                String url = r.getValueForField("QueueUrl", String.class)
                        .orElseThrow(() -> unmapped(r, "a call without QueueUrl"));
                ServiceModel.Queue queue = out.model.queues().get(url);
                if (queue == null) {
                    throw new UnmappedRequestException(action + ": queue URL '" + url + "' is not in the local "
                            + "stack's service model (known: " + out.model.queueUrls() + ")");
                }
                out.add(action, queue.arn(), Map.of());
                queue.kmsKey().ifPresent(key -> {
                    switch (action) {
                        case "sqs:SendMessage" -> {
                            out.kms("kms:GenerateDataKey", key, "sqs");
                            out.kms("kms:Decrypt", key, "sqs");
                        }
                        case "sqs:ReceiveMessage" -> out.kms("kms:Decrypt", key, "sqs");
                        default -> { }
                    }
                });
            }
        }
    }

    private static String arn(String name, String account, Requests out) {
        return "arn:aws:sqs:" + out.model.region() + ":" + account + ":" + name;
    }
}
