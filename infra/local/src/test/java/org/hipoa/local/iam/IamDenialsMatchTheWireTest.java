package org.hipoa.local.iam;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The local denial is the exception the SDK client itself makes of AWS's access-denied answer. A small HTTP server
 * plays AWS's answer as the services send it (S3's XML error, DynamoDB's JSON error, SQS's JSON error with its
 * query-compatible code header: status, headers and body as documented and as captured from AWS); the same call with
 * the interceptor installed must fail with the same class, status, error code, service, message and attempt count,
 * without reaching the server.
 */
class IamDenialsMatchTheWireTest {
    private static final String KEY_ID = "AKIDDENIED";
    private static final String PRINCIPAL = "arn:aws:sts::000000000000:assumed-role/ApiRole/api";
    private static final String REGION = "eu-west-1";
    private static final String ACCOUNT = "000000000000";
    private static final String KMS_KEY = "arn:aws:kms:eu-west-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private static HttpServer server;
    private static volatile Answer answer;
    private static final AtomicInteger hits = new AtomicInteger();
    private static URI endpoint;

    record Answer(int status, Map<String, String> headers, String body) {}

    /** What a caller can see of an exception, request ids aside (they differ per answer). */
    record Shape(Class<?> type, int status, String errorCode, String errorMessage, String service, String message,
                 Integer attempts) {
        static Shape of(AwsServiceException e) {
            String message = e.getMessage();
            if (e.requestId() != null) message = message.replace(e.requestId(), "<id>");
            if (e.extendedRequestId() != null) message = message.replace(e.extendedRequestId(), "<ext>");
            return new Shape(e.getClass(), e.statusCode(), e.awsErrorDetails().errorCode(),
                    e.awsErrorDetails().errorMessage(), e.awsErrorDetails().serviceName(), message, e.numAttempts());
        }
    }

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            hits.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            Answer a = answer;
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(a.status(), head || body.length == 0 ? -1 : body.length);
            if (!head && body.length > 0) exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterAll
    static void stop() { server.stop(0); }

    @AfterEach
    void uninstall() { IamInterceptor.uninstall(); }

    private static ServiceModel model() {
        return ServiceModel.builder(ACCOUNT, REGION)
                .bucket("ingest", KMS_KEY)
                .table("results", "pk", Map.of())
                .queue(endpoint + "/" + ACCOUNT + "/claims", "claims", KMS_KEY)
                .secret("hipoa/dicomweb/acme", "arn:aws:secretsmanager:" + REGION + ":" + ACCOUNT
                        + ":secret:hipoa/dicomweb/acme-a1B2c3")
                .principal(KEY_ID, PRINCIPAL)
                .build();
    }

    private static final StaticCredentialsProvider CREDS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, "secret"));

    /** The exception from AWS's answer, then the interceptor's for the same call refused by {@code only}. */
    private static void assertSameShape(Answer aws, Authorizer authorizer, Supplier<AwsServiceException> call) {
        answer = aws;
        Shape wire = Shape.of(call.get());
        int before = hits.get();
        IamInterceptor.install(authorizer, model());
        Shape local = Shape.of(call.get());
        assertEquals(before, hits.get(), "a denied call must not reach the server");
        assertEquals(wire, local);
    }

    private static Authorizer denying(String action) {
        return (key, r) -> r.action().equals(action) ? Decision.IMPLICIT_DENY : Decision.ALLOW;
    }

    @Test
    void s3GetObject_deniedAsS3Denies() {
        String message = "User: " + PRINCIPAL + " is not authorized to perform: s3:GetObject on resource: "
                + "\"arn:aws:s3:::ingest/incoming/a.dcm\" because no identity-based policy allows the s3:GetObject action";
        Answer aws = new Answer(403, Map.of("Content-Type", "application/xml", "x-amz-request-id", "4442587FB7D0A2F9",
                "x-amz-id-2", "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo="),
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>" + message
                        + "</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQj"
                        + "ryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=</HostId></Error>");
        try (S3Client s3 = s3()) {
            assertSameShape(aws, denying("s3:GetObject"), () -> assertThrows(AwsServiceException.class,
                    () -> s3.getObjectAsBytes(b -> b.bucket("ingest").key("incoming/a.dcm"))));
        }
    }

    @Test
    void s3HeadObject_deniedAsABodiless403() {
        Answer aws = new Answer(403, Map.of("x-amz-request-id", "4442587FB7D0A2F9", "x-amz-id-2", "abc="), "");
        try (S3Client s3 = s3()) {
            assertSameShape(aws, denying("s3:GetObject"), () -> assertThrows(AwsServiceException.class,
                    () -> s3.headObject(b -> b.bucket("ingest").key("incoming/a.dcm"))));
        }
    }

    @Test
    void dynamoDbQuery_deniedAsDynamoDbDenies() {
        String resource = "arn:aws:dynamodb:" + REGION + ":" + ACCOUNT + ":table/results";
        String message = "User: " + PRINCIPAL + " is not authorized to perform: dynamodb:GetItem on resource: "
                + resource + " because no identity-based policy allows the dynamodb:GetItem action";
        Answer aws = new Answer(400, Map.of("Content-Type", "application/x-amz-json-1.0",
                "x-amzn-RequestId", "L8TQ0IQ8Q3S0K6V6JL4B6N2UVVVV4KQNSO5AEMVJF66Q9ASUAAJG"),
                "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\",\"Message\":\"" + message + "\"}");
        try (DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(endpoint).region(Region.of(REGION))
                .credentialsProvider(CREDS).httpClientBuilder(AwsCrtHttpClient.builder()).build()) {
            assertSameShape(aws, denying("dynamodb:GetItem"), () -> assertThrows(AwsServiceException.class,
                    () -> ddb.getItem(b -> b.tableName("results").key(Map.of("pk", AttributeValue.fromS("UPLOAD#1"))))));
        }
    }

    @Test
    void sqsSendMessage_deniedAsSqsDenies() {
        String message = "User: " + PRINCIPAL + " is not authorized to perform: sqs:sendmessage on resource: "
                + "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":claims because no identity-based policy allows the "
                + "sqs:sendmessage action";
        Answer aws = new Answer(403, Map.of("Content-Type", "application/x-amz-json-1.0",
                "x-amzn-RequestId", "0e5a8b51-7b49-5a33-a2b3-6bbd3bbd6a8f", "x-amzn-query-error", "AccessDenied;Sender"),
                "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\",\"Message\":\"" + message + "\"}");
        try (SqsClient sqs = sqs()) {
            assertSameShape(aws, denying("sqs:SendMessage"), () -> assertThrows(AwsServiceException.class,
                    () -> sqs.sendMessage(b -> b.queueUrl(endpoint + "/" + ACCOUNT + "/claims").messageBody("{}"))));
        }
    }

    @Test
    void sqsSendMessageWithoutTheQueueKey_deniedAsSqsDeniesKms() {
        String message = "User: " + PRINCIPAL + " is not authorized to perform: kms:GenerateDataKey on resource: "
                + KMS_KEY + " because no identity-based policy allows the kms:GenerateDataKey action";
        Answer aws = new Answer(400, Map.of("Content-Type", "application/x-amz-json-1.0",
                "x-amzn-RequestId", "0e5a8b51-7b49-5a33-a2b3-6bbd3bbd6a8f",
                "x-amzn-query-error", "KMS.AccessDeniedException;Sender"),
                "{\"__type\":\"com.amazonaws.sqs#KmsAccessDenied\",\"message\":\"" + message + "\"}");
        try (SqsClient sqs = sqs()) {
            assertSameShape(aws, denying("kms:GenerateDataKey"), () -> assertThrows(AwsServiceException.class,
                    () -> sqs.sendMessage(b -> b.queueUrl(endpoint + "/" + ACCOUNT + "/claims").messageBody("{}"))));
        }
    }

    @Test
    void secretsManagerGetSecretValue_deniedAsSecretsManagerDenies() {
        String secret = "arn:aws:secretsmanager:" + REGION + ":" + ACCOUNT + ":secret:hipoa/dicomweb/acme-a1B2c3";
        String message = "User: " + PRINCIPAL + " is not authorized to perform: secretsmanager:GetSecretValue on "
                + "resource: " + secret + " because no identity-based policy allows the secretsmanager:GetSecretValue "
                + "action";
        Answer aws = new Answer(400, Map.of("Content-Type", "application/x-amz-json-1.1",
                "x-amzn-RequestId", "0e5a8b51-7b49-5a33-a2b3-6bbd3bbd6a8f"),
                "{\"__type\":\"AccessDeniedException\",\"Message\":\"" + message + "\"}");
        try (SecretsManagerClient sm = SecretsManagerClient.builder().endpointOverride(endpoint)
                .region(Region.of(REGION)).credentialsProvider(CREDS).httpClientBuilder(AwsCrtHttpClient.builder())
                .build()) {
            assertSameShape(aws, denying("secretsmanager:GetSecretValue"), () -> assertThrows(
                    AwsServiceException.class, () -> sm.getSecretValue(b -> b.secretId("hipoa/dicomweb/acme"))));
        }
    }

    @Test
    void notInstalled_theCallReachesTheServer() {
        answer = new Answer(403, Map.of("x-amz-request-id", "1"), "");
        int before = hits.get();
        try (S3Client s3 = s3()) {
            assertThrows(AwsServiceException.class, () -> s3.headObject(b -> b.bucket("ingest").key("k")));
        }
        assertEquals(before + 1, hits.get());
    }

    private static S3Client s3() {
        return S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.of(REGION))
                .credentialsProvider(CREDS).httpClientBuilder(AwsCrtHttpClient.builder()).build();
    }

    private static SqsClient sqs() {
        return SqsClient.builder().endpointOverride(endpoint).region(Region.of(REGION)).credentialsProvider(CREDS)
                .httpClientBuilder(AwsCrtHttpClient.builder()).build();
    }
}
