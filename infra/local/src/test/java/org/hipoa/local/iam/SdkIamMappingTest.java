package org.hipoa.local.iam;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ComparisonOperator;
import software.amazon.awssdk.services.dynamodb.model.Condition;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetBucketEncryptionRequest;
import software.amazon.awssdk.services.s3.model.GetObjectAttributesRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutBucketNotificationConfigurationRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.ListQueuesRequest;
import software.amazon.awssdk.services.sqs.model.PurgeQueueRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SetQueueAttributesRequest;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityRequest;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each SDK call names the IAM actions, resources and context keys AWS evaluates for it. */
class SdkIamMappingTest {
    private static final String REGION = "eu-west-1";
    private static final String ACCOUNT = "111122223333";
    private static final String KEY = "arn:aws:kms:eu-west-1:111122223333:key/hipoa";
    private static final String INGEST = "hipoa-ingest";
    private static final String LOGS = "hipoa-logs";
    private static final String TABLE = "arn:aws:dynamodb:eu-west-1:111122223333:table/results";
    private static final String QUEUE_URL = "http://127.0.0.1:9324/111122223333/claims";
    private static final String QUEUE = "arn:aws:sqs:eu-west-1:111122223333:claims";
    private static final String PLAIN_QUEUE_URL = "http://127.0.0.1:9324/111122223333/plain";

    private static final ServiceModel MODEL = ServiceModel.builder(ACCOUNT, REGION)
            .bucket(INGEST, KEY)
            .bucket(LOGS, null)
            .table("results", "pk", Map.of("byProvider", "provider", "byStudy", "studyKey"))
            .queue(QUEUE_URL, "claims", KEY)
            .queue(PLAIN_QUEUE_URL, "plain", null)
            .secret("hipoa/dicomweb/acme", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:hipoa/dicomweb/acme-Ab12Cd")
            .build();

    private static List<IamRequest> map(Object request) { return map(request, Map.of()); }

    private static List<IamRequest> map(Object request, Map<String, List<String>> headers) {
        return SdkIamMapping.map((software.amazon.awssdk.core.SdkRequest) request, headers, MODEL);
    }

    /** The (action, resource) pairs in order. */
    private static List<String> asked(List<IamRequest> requests) {
        return requests.stream().map(r -> r.action() + " " + r.resource()).toList();
    }

    private static IamRequest only(List<IamRequest> requests, String action) {
        List<IamRequest> matching = requests.stream().filter(r -> r.action().equals(action)).toList();
        assertEquals(1, matching.size(), () -> action + " in " + asked(requests));
        return matching.getFirst();
    }

    // ---- S3 ----

    @Test
    void getObject_isGetObjectOnTheObject_andDecryptOnTheBucketsKey() {
        List<IamRequest> r = map(GetObjectRequest.builder().bucket(INGEST).key("incoming/acme/a.dcm").build());
        assertEquals(List.of("s3:GetObject arn:aws:s3:::hipoa-ingest/incoming/acme/a.dcm", "kms:Decrypt " + KEY),
                asked(r));
        assertEquals(List.of("s3." + REGION + ".amazonaws.com"), only(r, "kms:Decrypt").context().get("kms:ViaService"));
    }

    @Test
    void everyRequest_carriesSecureTransportAndTheRegion() {
        for (IamRequest q : map(GetObjectRequest.builder().bucket(INGEST).key("k").build())) {
            assertEquals(List.of("true"), q.context().get("aws:SecureTransport"));
            assertEquals(List.of(REGION), q.context().get("aws:RequestedRegion"));
        }
    }

    @Test
    void versionedGetObject_isGetObjectVersionOnly() {
        assertEquals(List.of("s3:GetObjectVersion arn:aws:s3:::hipoa-ingest/k", "kms:Decrypt " + KEY),
                asked(map(GetObjectRequest.builder().bucket(INGEST).key("k").versionId("v1").build())));
    }

    @Test
    void headObject_onAnSseS3Bucket_needsNoKey() {
        assertEquals(List.of("s3:GetObject arn:aws:s3:::hipoa-logs/k"),
                asked(map(HeadObjectRequest.builder().bucket(LOGS).key("k").build())));
        assertEquals(List.of("s3:GetObject arn:aws:s3:::hipoa-ingest/k", "kms:Decrypt " + KEY),
                asked(map(HeadObjectRequest.builder().bucket(INGEST).key("k").build())));
    }

    @Test
    void putObject_withoutEncryptionHeaders_takesTheBucketsKey_andHasNoHeaderConditionKeys() {
        List<IamRequest> r = map(PutObjectRequest.builder().bucket(INGEST).key("results/a.png").build());
        assertEquals(List.of("s3:PutObject arn:aws:s3:::hipoa-ingest/results/a.png", "kms:GenerateDataKey " + KEY),
                asked(r));
        assertTrue(only(r, "s3:PutObject").context().keySet().stream().noneMatch(k -> k.startsWith("s3:")));
    }

    @Test
    void putObject_headers_becomeConditionKeys_andTheNamedKeyIsTheOneUsed() {
        List<IamRequest> r = map(PutObjectRequest.builder().bucket(INGEST).key("k").build(), Map.of(
                "X-Amz-Server-Side-Encryption", List.of("aws:kms"),
                "x-amz-server-side-encryption-aws-kms-key-id", List.of("other-key"),
                "x-amz-storage-class", List.of("GLACIER")));
        Map<String, List<String>> context = only(r, "s3:PutObject").context();
        assertEquals(List.of("aws:kms"), context.get("s3:x-amz-server-side-encryption"));
        assertEquals(List.of("other-key"), context.get("s3:x-amz-server-side-encryption-aws-kms-key-id"));
        assertEquals(List.of("GLACIER"), context.get("s3:x-amz-storage-class"));
        assertTrue(!context.containsKey("s3:x-amz-server-side-encryption-customer-algorithm"));
        assertEquals("arn:aws:kms:eu-west-1:111122223333:key/other-key", only(r, "kms:GenerateDataKey").resource());
    }

    @Test
    void putObject_withSseS3OrSseC_usesNoKmsKey() {
        assertEquals(1, map(PutObjectRequest.builder().bucket(INGEST).key("k").build(),
                Map.of("x-amz-server-side-encryption", List.of("AES256"))).size());
        List<IamRequest> sseC = map(PutObjectRequest.builder().bucket(INGEST).key("k").build(),
                Map.of("x-amz-server-side-encryption-customer-algorithm", List.of("AES256")));
        assertEquals(List.of("s3:PutObject arn:aws:s3:::hipoa-ingest/k"), asked(sseC));
        assertEquals(List.of("AES256"),
                sseC.getFirst().context().get("s3:x-amz-server-side-encryption-customer-algorithm"));
    }

    @Test
    void multipartSteps_arePutObject_andNeedGenerateDataKeyAndDecrypt() {
        List<String> expected = List.of("s3:PutObject arn:aws:s3:::hipoa-ingest/incoming/acme/big.dcm",
                "kms:GenerateDataKey " + KEY, "kms:Decrypt " + KEY);
        assertEquals(expected, asked(map(CreateMultipartUploadRequest.builder().bucket(INGEST)
                .key("incoming/acme/big.dcm").build())));
        assertEquals(expected, asked(map(UploadPartRequest.builder().bucket(INGEST).key("incoming/acme/big.dcm")
                .uploadId("u").partNumber(1).build())));
        assertEquals(expected, asked(map(CompleteMultipartUploadRequest.builder().bucket(INGEST)
                .key("incoming/acme/big.dcm").uploadId("u").build())));
        assertEquals(List.of("s3:AbortMultipartUpload arn:aws:s3:::hipoa-ingest/incoming/acme/big.dcm"),
                asked(map(AbortMultipartUploadRequest.builder().bucket(INGEST).key("incoming/acme/big.dcm")
                        .uploadId("u").build())));
    }

    @Test
    void listObjects_isListBucketOnTheBucket_withThePrefix() {
        IamRequest v2 = map(ListObjectsV2Request.builder().bucket(INGEST).prefix("incoming/acme/").build()).getFirst();
        assertEquals("s3:ListBucket arn:aws:s3:::hipoa-ingest", v2.action() + " " + v2.resource());
        assertEquals(List.of("incoming/acme/"), v2.context().get("s3:prefix"));
        IamRequest v1 = map(ListObjectsRequest.builder().bucket(INGEST).prefix("p").delimiter("/").build()).getFirst();
        assertEquals("s3:ListBucket", v1.action());
        assertEquals(List.of("p"), v1.context().get("s3:prefix"));
        assertEquals(List.of("/"), v1.context().get("s3:delimiter"));
    }

    @Test
    void deleteAndCopy() {
        assertEquals(List.of("s3:DeleteObject arn:aws:s3:::hipoa-logs/k"),
                asked(map(DeleteObjectRequest.builder().bucket(LOGS).key("k").build())));
        assertEquals(List.of("s3:GetObject arn:aws:s3:::hipoa-ingest/incoming/a", "kms:Decrypt " + KEY,
                        "s3:PutObject arn:aws:s3:::hipoa-logs/copy/a"),
                asked(map(CopyObjectRequest.builder().sourceBucket(INGEST).sourceKey("incoming/a")
                        .destinationBucket(LOGS).destinationKey("copy/a").build())));
    }

    @Test
    void bucketOperations_useTheirIamNames() {
        assertEquals(List.of("s3:GetEncryptionConfiguration arn:aws:s3:::hipoa-ingest"),
                asked(map(GetBucketEncryptionRequest.builder().bucket(INGEST).build())));
        assertEquals(List.of("s3:PutBucketNotification arn:aws:s3:::hipoa-ingest"),
                asked(map(PutBucketNotificationConfigurationRequest.builder().bucket(INGEST).build())));
        assertEquals(List.of("s3:CreateBucket arn:aws:s3:::new-bucket"),
                asked(map(CreateBucketRequest.builder().bucket("new-bucket").build())));
    }

    @Test
    void anUnmappedS3Operation_orABucketNotInTheModel_failsClosed() {
        var e = assertThrows(SdkIamMapping.UnmappedRequestException.class,
                () -> map(GetObjectAttributesRequest.builder().bucket(INGEST).key("k").build()));
        assertTrue(e.getMessage().contains("GetObjectAttributes"), e.getMessage());
        var unknown = assertThrows(SdkIamMapping.UnmappedRequestException.class,
                () -> map(GetObjectRequest.builder().bucket("elsewhere").key("k").build()));
        assertTrue(unknown.getMessage().contains("'elsewhere'"), unknown.getMessage());
    }

    // ---- DynamoDB ----

    private static AttributeValue s(String v) { return AttributeValue.fromS(v); }

    @Test
    void itemOperations_carryTheItemsPartitionKeyAsLeadingKeys() {
        IamRequest get = map(GetItemRequest.builder().tableName("results")
                .key(Map.of("pk", s("UPLOAD#1"), "sk", s("A"))).build()).getFirst();
        assertEquals("dynamodb:GetItem " + TABLE, get.action() + " " + get.resource());
        assertEquals(List.of("UPLOAD#1"), get.context().get("dynamodb:LeadingKeys"));
        assertEquals(List.of("PROVIDER#acme"), map(PutItemRequest.builder().tableName("results")
                .item(Map.of("pk", s("PROVIDER#acme"), "x", s("y"))).build()).getFirst().context()
                .get("dynamodb:LeadingKeys"));
        assertEquals("dynamodb:UpdateItem", map(UpdateItemRequest.builder().tableName("results")
                .key(Map.of("pk", s("UPLOAD#2"))).build()).getFirst().action());
    }

    @Test
    void numberAndBinaryPartitionKeys_areTheirStringForms() {
        ServiceModel numeric = ServiceModel.builder(ACCOUNT, REGION).table("n", "id", Map.of()).build();
        assertEquals(List.of("42"), SdkIamMapping.map(GetItemRequest.builder().tableName("n")
                .key(Map.of("id", AttributeValue.fromN("42"))).build(), Map.of(), numeric).getFirst().context()
                .get("dynamodb:LeadingKeys"));
        assertEquals(List.of(Base64.getEncoder().encodeToString(new byte[]{1, 2})), SdkIamMapping.map(
                GetItemRequest.builder().tableName("n").key(Map.of("id", AttributeValue.fromB(
                        SdkBytes.fromByteArray(new byte[]{1, 2})))).build(), Map.of(), numeric).getFirst().context()
                .get("dynamodb:LeadingKeys"));
    }

    @Test
    void queryOnAnIndex_isOnTheIndexArn_withTheIndexPartitionKeyValue() {
        IamRequest q = map(QueryRequest.builder().tableName("results").indexName("byProvider")
                .keyConditionExpression("#p = :p AND begins_with(sk, :s)")
                .expressionAttributeNames(Map.of("#p", "provider"))
                .expressionAttributeValues(Map.of(":p", s("acme"), ":s", s("2026"))).build()).getFirst();
        assertEquals("dynamodb:Query " + TABLE + "/index/byProvider", q.action() + " " + q.resource());
        assertEquals(List.of("acme"), q.context().get("dynamodb:LeadingKeys"));
    }

    @Test
    void queryOnTheTable_findsTheHashKeyInAnyConjunct_eitherSide() {
        IamRequest q = map(QueryRequest.builder().tableName("results")
                .keyConditionExpression("sk BETWEEN :a AND :b and (:v = pk)")
                .expressionAttributeValues(Map.of(":v", s("UPLOAD#9"), ":a", s("a"), ":b", s("b"))).build())
                .getFirst();
        assertEquals(TABLE, q.resource());
        assertEquals(List.of("UPLOAD#9"), q.context().get("dynamodb:LeadingKeys"));
        IamRequest legacy = map(QueryRequest.builder().tableName("results").keyConditions(Map.of("pk",
                Condition.builder().comparisonOperator(ComparisonOperator.EQ).attributeValueList(s("UPLOAD#3")).build()))
                .build()).getFirst();
        assertEquals(List.of("UPLOAD#3"), legacy.context().get("dynamodb:LeadingKeys"));
    }

    @Test
    void queryWithoutAPartitionKeyEquality_orOnAnUnknownIndex_failsClosed() {
        assertThrows(SdkIamMapping.UnmappedRequestException.class, () -> map(QueryRequest.builder()
                .tableName("results").keyConditionExpression("begins_with(pk, :p)")
                .expressionAttributeValues(Map.of(":p", s("U"))).build()));
        var e = assertThrows(SdkIamMapping.UnmappedRequestException.class, () -> map(QueryRequest.builder()
                .tableName("results").indexName("byProviderUpdated").keyConditionExpression("provider = :p")
                .expressionAttributeValues(Map.of(":p", s("acme"))).build()));
        assertTrue(e.getMessage().contains("byProviderUpdated"), e.getMessage());
    }

    @Test
    void scan_hasNoLeadingKeys_andAnIndexScanIsOnTheIndex() {
        IamRequest scan = map(ScanRequest.builder().tableName("results").build()).getFirst();
        assertEquals("dynamodb:Scan " + TABLE, scan.action() + " " + scan.resource());
        assertTrue(!scan.context().containsKey("dynamodb:LeadingKeys"));
        assertEquals(TABLE + "/index/byStudy",
                map(ScanRequest.builder().tableName("results").indexName("byStudy").build()).getFirst().resource());
    }

    @Test
    void batches_carryEveryItemsPartitionKey() {
        IamRequest write = map(BatchWriteItemRequest.builder().requestItems(Map.of("results", List.of(
                WriteRequest.builder().putRequest(PutRequest.builder().item(Map.of("pk", s("UPLOAD#1"))).build()).build(),
                WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(Map.of("pk", s("UPLOAD#2"))).build())
                        .build()))).build()).getFirst();
        assertEquals("dynamodb:BatchWriteItem " + TABLE, write.action() + " " + write.resource());
        assertEquals(List.of("UPLOAD#1", "UPLOAD#2"), write.context().get("dynamodb:LeadingKeys"));
        IamRequest read = map(BatchGetItemRequest.builder().requestItems(Map.of("results", KeysAndAttributes.builder()
                .keys(Map.of("pk", s("UPLOAD#3")), Map.of("pk", s("PROVIDER#x"))).build())).build()).getFirst();
        assertEquals("dynamodb:BatchGetItem", read.action());
        assertEquals(List.of("UPLOAD#3", "PROVIDER#x"), read.context().get("dynamodb:LeadingKeys"));
    }

    @Test
    void tableOperations_andUnmappedOnes() {
        assertEquals(List.of("dynamodb:DescribeTable " + TABLE),
                asked(map(DescribeTableRequest.builder().tableName("results").build())));
        var e = assertThrows(SdkIamMapping.UnmappedRequestException.class,
                () -> map(TransactWriteItemsRequest.builder().build()));
        assertTrue(e.getMessage().contains("TransactWriteItems"), e.getMessage());
    }

    // ---- SQS ----

    @Test
    void sendToAnSseKmsQueue_needsGenerateDataKeyAndDecrypt() {
        assertEquals(List.of("sqs:SendMessage " + QUEUE, "kms:GenerateDataKey " + KEY, "kms:Decrypt " + KEY),
                asked(map(SendMessageRequest.builder().queueUrl(QUEUE_URL).messageBody("{}").build())));
        assertEquals(List.of("sqs:SendMessage " + QUEUE, "kms:GenerateDataKey " + KEY, "kms:Decrypt " + KEY),
                asked(map(SendMessageBatchRequest.builder().queueUrl(QUEUE_URL).build())));
        List<IamRequest> plain = map(SendMessageRequest.builder().queueUrl(PLAIN_QUEUE_URL).messageBody("{}").build());
        assertEquals(List.of("sqs:SendMessage arn:aws:sqs:eu-west-1:111122223333:plain"), asked(plain));
    }

    @Test
    void receiveFromAnSseKmsQueue_needsDecrypt_andBatchesUseTheSingleMessageActions() {
        assertEquals(List.of("sqs:ReceiveMessage " + QUEUE, "kms:Decrypt " + KEY),
                asked(map(ReceiveMessageRequest.builder().queueUrl(QUEUE_URL).build())));
        assertEquals(List.of("sqs:DeleteMessage " + QUEUE),
                asked(map(DeleteMessageBatchRequest.builder().queueUrl(QUEUE_URL).build())));
        assertEquals(List.of("sqs:ChangeMessageVisibility " + QUEUE),
                asked(map(ChangeMessageVisibilityBatchRequest.builder().queueUrl(QUEUE_URL).build())));
        assertEquals(List.of("sqs:GetQueueAttributes " + QUEUE),
                asked(map(GetQueueAttributesRequest.builder().queueUrl(QUEUE_URL).build())));
        assertEquals(List.of("sqs:SetQueueAttributes " + QUEUE),
                asked(map(SetQueueAttributesRequest.builder().queueUrl(QUEUE_URL).build())));
        assertEquals(List.of("sqs:PurgeQueue " + QUEUE), asked(map(PurgeQueueRequest.builder().queueUrl(QUEUE_URL)
                .build())));
    }

    @Test
    void queueByName_andUnknownQueuesOrOperations() {
        assertEquals(List.of("sqs:GetQueueUrl " + QUEUE), asked(map(GetQueueUrlRequest.builder().queueName("claims")
                .build())));
        assertEquals(List.of("sqs:CreateQueue arn:aws:sqs:eu-west-1:111122223333:new"),
                asked(map(CreateQueueRequest.builder().queueName("new").build())));
        assertThrows(SdkIamMapping.UnmappedRequestException.class, () -> map(SendMessageRequest.builder()
                .queueUrl("http://127.0.0.1:9324/111122223333/other").messageBody("{}").build()));
        assertThrows(SdkIamMapping.UnmappedRequestException.class, () -> map(ListQueuesRequest.builder().build()));
    }

    // ---- others ----

    @Test
    void secrets_byNameOrArn() {
        String arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:hipoa/dicomweb/acme-Ab12Cd";
        assertEquals(List.of("secretsmanager:GetSecretValue " + arn),
                asked(map(GetSecretValueRequest.builder().secretId("hipoa/dicomweb/acme").build())));
        assertEquals(List.of("secretsmanager:GetSecretValue " + arn),
                asked(map(GetSecretValueRequest.builder().secretId(arn).build())));
    }

    @Test
    void aServiceWithoutMapping_failsClosed_namingTheOperation() {
        var e = assertThrows(SdkIamMapping.UnmappedRequestException.class,
                () -> map(GetCallerIdentityRequest.builder().build()));
        assertTrue(e.getMessage().contains("GetCallerIdentity"), e.getMessage());
    }
}
