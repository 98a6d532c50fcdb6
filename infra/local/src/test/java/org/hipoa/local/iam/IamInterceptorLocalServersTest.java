package org.hipoa.local.iam;

import org.hipoa.local.internal.EmbeddedIds;
import org.hipoa.local.internal.LocalServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AccessDeniedException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.KmsAccessDeniedException;
import software.amazon.awssdk.services.sqs.model.SqsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interceptor in front of the real local servers (S3Proxy, dynalite, ElasticMQ, no handlers): real SDK clients
 * signed with two access keys, one granted and one not, see AWS's answers. The granted key is the one S3Proxy
 * authenticates, so an allowed S3 call really reaches it; the other is refused before any server sees it.
 */
class IamInterceptorLocalServersTest {
    private static final String REGION = "us-east-1";
    private static final String ACCOUNT = EmbeddedIds.ACCOUNT;
    private static final String GRANTED = EmbeddedIds.ACCESS_KEY_ID;
    private static final String OTHER = "hipoa-not-granted";
    private static final String KEY = "arn:aws:kms:us-east-1:000000000000:key/hipoa";
    private static final String BUCKET = "ingest";
    private static final String TABLE = "arn:aws:dynamodb:us-east-1:000000000000:table/results";

    private static LocalServers servers;
    private static String queueUrl;
    private static ServiceModel model;

    /** Allowed (key, action, resource) triples; a resource ending in '*' matches by prefix. Every question asked. */
    private final Set<List<String>> grants = ConcurrentHashMap.newKeySet();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final List<IamRequest> questions = new CopyOnWriteArrayList<>();

    private final Authorizer authorizer = (key, r) -> {
        asked.add(key + " " + r.action() + " " + r.resource());
        questions.add(r);
        for (List<String> g : grants) {
            boolean resource = g.get(2).endsWith("*") ? r.resource().startsWith(g.get(2).substring(0, g.get(2).length() - 1))
                    : r.resource().equals(g.get(2));
            if (g.get(0).equals(key) && g.get(1).equals(r.action()) && resource) return Decision.ALLOW;
        }
        return Decision.IMPLICIT_DENY;
    };

    private void grant(String key, String action, String resource) { grants.add(List.of(key, action, resource)); }

    private long askedOf(String keyAndAction) { return asked.stream().filter(a -> a.startsWith(keyAndAction + " ")).count(); }

    @BeforeAll
    static void startServers() throws IOException {
        servers = LocalServers.start(REGION, null, nodeDir(), o -> { });
        servers.s3().createBucket(b -> b.bucket(BUCKET));
        servers.dynamoDb().createTable(b -> b.tableName("results")
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                                .attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("provider").attributeType(ScalarAttributeType.S)
                                .build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName("byProvider")
                        .keySchema(KeySchemaElement.builder().attributeName("provider").keyType(KeyType.HASH).build())
                        .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build())
                .billingMode("PAY_PER_REQUEST"));
        queueUrl = servers.sqs().createQueue(b -> b.queueName("claims")).queueUrl();
        model = ServiceModel.builder(ACCOUNT, REGION)
                .bucket(BUCKET, KEY)
                .table("results", "pk", Map.of("byProvider", "provider"))
                .queue(queueUrl, "claims", KEY)
                .principal(GRANTED, "arn:aws:sts::000000000000:assumed-role/GrantedRole/fn")
                .principal(OTHER, "arn:aws:sts::000000000000:assumed-role/OtherRole/fn")
                .build();
    }

    @AfterAll
    static void stopServers() {
        if (servers != null) servers.close();
    }

    @BeforeEach
    void install() { IamInterceptor.install(authorizer, model); }

    @AfterEach
    void uninstall() { IamInterceptor.uninstall(); }

    private static Path nodeDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("infra/local/node/dynalite-server.js"))) return p.resolve("infra/local/node");
        }
        throw new IllegalStateException("no infra/local/node above " + Path.of("").toAbsolutePath());
    }

    private static StaticCredentialsProvider as(String key) {
        String secret = key.equals(GRANTED) ? EmbeddedIds.SECRET_ACCESS_KEY : "not-a-real-secret";
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret));
    }

    private static S3Client s3(String key) {
        return S3Client.builder().endpointOverride(servers.s3Endpoint()).forcePathStyle(true).region(Region.of(REGION))
                .credentialsProvider(as(key)).httpClientBuilder(AwsCrtHttpClient.builder()).build();
    }

    private static DynamoDbClient ddb(String key) {
        return DynamoDbClient.builder().endpointOverride(servers.dynamoDbEndpoint()).region(Region.of(REGION))
                .credentialsProvider(as(key)).httpClientBuilder(AwsCrtHttpClient.builder()).build();
    }

    private static SqsClient sqs(String key) {
        return SqsClient.builder().endpointOverride(servers.sqsEndpoint()).region(Region.of(REGION))
                .credentialsProvider(as(key)).httpClientBuilder(AwsCrtHttpClient.builder()).build();
    }

    @Test
    void s3_theGrantedKeyWritesAndReads_theOtherGetsAccessDenied_once() {
        grant(GRANTED, "s3:PutObject", "arn:aws:s3:::ingest/incoming/*");
        grant(GRANTED, "s3:GetObject", "arn:aws:s3:::ingest/incoming/*");
        grant(GRANTED, "kms:GenerateDataKey", KEY);
        grant(GRANTED, "kms:Decrypt", KEY);
        try (S3Client granted = s3(GRANTED); S3Client other = s3(OTHER)) {
            granted.putObject(b -> b.bucket(BUCKET).key("incoming/acme/a.dcm"), RequestBody.fromString("dicom"));
            assertEquals("dicom", granted.getObjectAsBytes(b -> b.bucket(BUCKET).key("incoming/acme/a.dcm"))
                    .asUtf8String());

            S3Exception e = assertThrows(S3Exception.class,
                    () -> other.getObjectAsBytes(b -> b.bucket(BUCKET).key("incoming/acme/a.dcm")));
            assertEquals(403, e.statusCode());
            assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
            assertEquals("User: arn:aws:sts::000000000000:assumed-role/OtherRole/fn is not authorized to perform: "
                    + "s3:GetObject on resource: \"arn:aws:s3:::ingest/incoming/acme/a.dcm\" because no "
                    + "identity-based policy allows the s3:GetObject action", e.awsErrorDetails().errorMessage());
            assertEquals(1, e.numAttempts());
            assertEquals(1, askedOf(OTHER + " s3:GetObject"), "the SDK must not retry a denied call: " + asked);

            // The same key without the bucket key's kms:Decrypt: S3 refuses the read it cannot decrypt.
            grants.remove(List.of(GRANTED, "kms:Decrypt", KEY));
            S3Exception kms = assertThrows(S3Exception.class,
                    () -> granted.getObjectAsBytes(b -> b.bucket(BUCKET).key("incoming/acme/a.dcm")));
            assertEquals(403, kms.statusCode());
            assertTrue(kms.awsErrorDetails().errorMessage().contains("kms:Decrypt on resource: \"" + KEY + "\""),
                    kms.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void s3_aMissingKey_is403WithoutListBucket_and404WithIt() {
        grant(GRANTED, "s3:GetObject", "arn:aws:s3:::ingest/*");
        grant(GRANTED, "kms:Decrypt", KEY);
        try (S3Client granted = s3(GRANTED)) {
            S3Exception get = assertThrows(S3Exception.class,
                    () -> granted.getObjectAsBytes(b -> b.bucket(BUCKET).key("incoming/none.dcm")));
            assertEquals(403, get.statusCode());
            // what the SDK makes of S3's AccessDenied document, and not retried
            assertInstanceOf(AccessDeniedException.class, get);
            assertEquals("AccessDenied", get.awsErrorDetails().errorCode());
            assertEquals(1, get.numAttempts());
            assertTrue(get.awsErrorDetails().errorMessage().contains("s3:ListBucket on resource: \"arn:aws:s3:::ingest\""),
                    get.awsErrorDetails().errorMessage());
            assertEquals(List.of("incoming/none.dcm"), questions.stream()
                    .filter(q -> q.action().equals("s3:ListBucket")).findFirst().orElseThrow().context().get("s3:prefix"));
            S3Exception head = assertThrows(S3Exception.class,
                    () -> granted.headObject(b -> b.bucket(BUCKET).key("incoming/none.dcm")));
            assertEquals(403, head.statusCode());
            assertNull(head.awsErrorDetails().errorCode(), "a HEAD answer has no body to name the error");

            grant(GRANTED, "s3:ListBucket", "arn:aws:s3:::ingest");
            NoSuchKeyException missing = assertThrows(NoSuchKeyException.class,
                    () -> granted.getObjectAsBytes(b -> b.bucket(BUCKET).key("incoming/none.dcm")));
            assertEquals(404, missing.statusCode());
            S3Exception headMissing = assertThrows(S3Exception.class,
                    () -> granted.headObject(b -> b.bucket(BUCKET).key("incoming/none.dcm")));
            assertEquals(404, headMissing.statusCode());
        }
    }

    @Test
    void dynamoDb_theGrantedKeyReadsItsItems_theOtherIsDenied_andAnIndexNeedsItsOwnGrant() {
        grant(GRANTED, "dynamodb:PutItem", TABLE);
        grant(GRANTED, "dynamodb:GetItem", TABLE);
        grant(GRANTED, "dynamodb:Query", TABLE);
        try (DynamoDbClient granted = ddb(GRANTED); DynamoDbClient other = ddb(OTHER)) {
            granted.putItem(b -> b.tableName("results").item(Map.of("pk", AttributeValue.fromS("UPLOAD#1"),
                    "provider", AttributeValue.fromS("acme"))));
            assertEquals("acme", granted.getItem(b -> b.tableName("results")
                    .key(Map.of("pk", AttributeValue.fromS("UPLOAD#1")))).item().get("provider").s());
            assertEquals(List.of("UPLOAD#1"), questions.getLast().context().get("dynamodb:LeadingKeys"));
            assertEquals(1, granted.query(b -> b.tableName("results").keyConditionExpression("pk = :p")
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("UPLOAD#1")))).count());

            DynamoDbException denied = assertThrows(DynamoDbException.class, () -> other.getItem(b -> b
                    .tableName("results").key(Map.of("pk", AttributeValue.fromS("UPLOAD#1")))));
            assertEquals(400, denied.statusCode());
            assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
            assertEquals(1, denied.numAttempts());
            assertEquals(1, askedOf(OTHER + " dynamodb:GetItem"), "the SDK must not retry a denied call: " + asked);

            DynamoDbException index = assertThrows(DynamoDbException.class, () -> granted.query(b -> b
                    .tableName("results").indexName("byProvider").keyConditionExpression("provider = :p")
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("acme")))));
            assertEquals("AccessDeniedException", index.awsErrorDetails().errorCode());
            assertTrue(index.awsErrorDetails().errorMessage().contains("dynamodb:Query on resource: " + TABLE
                    + "/index/byProvider"), index.awsErrorDetails().errorMessage());

            grant(GRANTED, "dynamodb:Query", TABLE + "/index/byProvider");
            assertEquals(1, granted.query(b -> b.tableName("results").indexName("byProvider")
                    .keyConditionExpression("provider = :p")
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("acme")))).count());
        }
    }

    @Test
    void sqs_theGrantedKeySendsAndReceives_theOtherIsDenied_andTheQueueKeyIsChecked() {
        String queue = "arn:aws:sqs:us-east-1:000000000000:claims";
        grant(GRANTED, "sqs:SendMessage", queue);
        grant(GRANTED, "sqs:ReceiveMessage", queue);
        grant(GRANTED, "sqs:DeleteMessage", queue);
        grant(GRANTED, "kms:GenerateDataKey", KEY);
        grant(GRANTED, "kms:Decrypt", KEY);
        try (SqsClient granted = sqs(GRANTED); SqsClient other = sqs(OTHER)) {
            granted.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"uploadId\":\"1\"}"));
            var received = granted.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(1)).messages();
            assertEquals(1, received.size());
            granted.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(received.getFirst().receiptHandle()));

            SqsException denied = assertThrows(SqsException.class,
                    () -> other.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{}")));
            assertEquals(403, denied.statusCode());
            assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
            assertTrue(denied.awsErrorDetails().errorMessage().contains("sqs:sendmessage on resource: " + queue),
                    denied.awsErrorDetails().errorMessage());
            assertEquals(1, denied.numAttempts());
            assertEquals(1, askedOf(OTHER + " sqs:SendMessage"), "the SDK must not retry a denied call: " + asked);

            grants.remove(List.of(GRANTED, "kms:GenerateDataKey", KEY));
            KmsAccessDeniedException kms = assertThrows(KmsAccessDeniedException.class,
                    () -> granted.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{}")));
            assertEquals("KMS.AccessDeniedException", kms.awsErrorDetails().errorCode());
        }
    }

    @Test
    void anUnmappedCall_isRefusedNamingTheOperation() {
        grant(GRANTED, "sqs:ListQueues", "*");
        try (SqsClient granted = sqs(GRANTED)) {
            SqsException e = assertThrows(SqsException.class, () -> granted.listQueues());
            assertTrue(e.awsErrorDetails().errorMessage().contains("ListQueues"), e.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void uninstalled_nothingIsChecked_andTheOtherKeyReachesS3Proxy() {
        IamInterceptor.uninstall();
        try (S3Client other = s3(OTHER)) {
            S3Exception e = assertThrows(S3Exception.class,
                    () -> other.getObjectAsBytes(b -> b.bucket(BUCKET).key("incoming/acme/a.dcm")));
            // S3Proxy's own refusal of a key it does not know: the request reached the server.
            assertEquals("InvalidAccessKeyId", e.awsErrorDetails().errorCode());
        }
        // and a missing key is S3Proxy's 404 again
        assertThrows(NoSuchKeyException.class,
                () -> servers.s3().getObjectAsBytes(b -> b.bucket(BUCKET).key("incoming/none")));
        assertTrue(asked.isEmpty(), asked.toString());
    }
}
