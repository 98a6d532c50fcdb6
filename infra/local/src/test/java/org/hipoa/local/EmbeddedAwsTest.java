package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stack's own behaviour, with small recording handlers standing in for the real ones. */
class EmbeddedAwsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final List<S3EventNotificationRecord> s3Records = new CopyOnWriteArrayList<>();
    private static final Map<String, AtomicInteger> s3Attempts = new ConcurrentHashMap<>();
    private static final List<SQSEvent> sqsEvents = new CopyOnWriteArrayList<>();
    private static EmbeddedAws aws;

    @BeforeAll
    static void start() {
        aws = EmbeddedAws.builder()
                .deliveriesPerEvent(2)
                .asyncRetryDelays(List.of(Duration.ofMillis(50), Duration.ofMillis(100)))
                .visibilityTimeout(Duration.ofSeconds(1))
                .functionTimeout(Duration.ofSeconds(1))
                .maxReceiveCount(3)
                .deadLetter(null) // the redrive test counts what reaches the DLQ
                .batchWindow(Duration.ofMillis(300))
                .apiKey("test-key")
                .preprocess(() -> (RequestHandler<S3Event, Void>) (event, ctx) -> {
                    S3EventNotificationRecord r = event.getRecords().getFirst();
                    String key = r.getS3().getObject().getUrlDecodedKey();
                    int attempt = s3Attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                    if (key.contains("always-fails")) throw new IllegalStateException("permanent trouble");
                    if (key.contains("fails-once") && attempt == 1) throw new IllegalStateException("transient");
                    s3Records.add(r);
                    return null;
                })
                .inference(() -> (RequestHandler<SQSEvent, SQSBatchResponse>) (event, ctx) -> {
                    sqsEvents.add(event);
                    List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
                    for (SQSEvent.SQSMessage m : event.getRecords()) {
                        boolean firstTry = "1".equals(m.getAttributes().get("ApproximateReceiveCount"));
                        if (m.getBody().startsWith("poison") || m.getBody().startsWith("flaky") && firstTry) {
                            failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                        }
                    }
                    return new SQSBatchResponse(failures);
                })
                .api(() -> (RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent>) (e, ctx) -> {
                    if (e.getPath().endsWith("/boom")) throw new IllegalStateException("api bug");
                    Map<String, Object> echo = new java.util.LinkedHashMap<>();
                    echo.put("httpMethod", e.getHttpMethod());
                    echo.put("path", e.getPath());
                    echo.put("resource", e.getResource());
                    echo.put("pathParameters", e.getPathParameters());
                    echo.put("query", e.getQueryStringParameters());
                    echo.put("body", e.getBody());
                    echo.put("stage", e.getRequestContext().getStage());
                    echo.put("requestId", e.getRequestContext().getRequestId());
                    echo.put("apiKey", e.getRequestContext().getIdentity().getApiKey());
                    try {
                        return new APIGatewayProxyResponseEvent().withStatusCode(201)
                                .withHeaders(Map.of("Content-Type", "application/json", "X-Echo", "yes"))
                                .withBody(JSON.writeValueAsString(echo));
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                })
                .start();
    }

    @AfterAll
    static void stop() {
        if (aws != null) aws.close();
    }

    @Test
    void everyPutUnderIncoming_becomesTheS3EventAwsSends_deliveredAsOftenAsConfigured() throws Exception {
        String key = "incoming/acme-clinic/2026 01/a b+c.dcm";
        PutObjectResponse put = aws.upload(key,
                RequestBody.fromString("not really dicom"));
        aws.s3().putObject(b -> b.bucket(aws.names().ingestBucket()).key("outgoing/x.dcm"), RequestBody.fromString("x"));
        aws.s3().putObject(b -> b.bucket(aws.names().workBucket()).key("incoming/y.dcm"), RequestBody.fromString("y"));
        aws.awaitIdle(Duration.ofSeconds(20));

        List<S3EventNotificationRecord> mine = s3Records.stream()
                .filter(r -> r.getS3().getObject().getUrlDecodedKey().equals(key)).toList();
        assertEquals(2, mine.size(), "each event delivered twice");
        for (S3EventNotificationRecord r : mine) {
            assertEquals("ObjectCreated:Put", r.getEventName());
            assertEquals("aws:s3", r.getEventSource());
            assertEquals(aws.names().ingestBucket(), r.getS3().getBucket().getName());
            assertEquals("incoming/acme-clinic/2026+01/a+b%2Bc.dcm", r.getS3().getObject().getKey());
            assertEquals(16L, r.getS3().getObject().getSizeAsLong());
            assertEquals(put.eTag().replace("\"", ""), r.getS3().getObject().geteTag());
            assertTrue(r.getEventTime() != null, "eventTime");
        }
        assertTrue(s3Records.stream().noneMatch(r -> r.getS3().getObject().getKey().contains("outgoing")
                || r.getS3().getBucket().getName().equals(aws.names().workBucket())), "only incoming/ of ingest");
    }

    @Test
    void failingS3Event_isRetriedLikeAsyncInvoke_andParkedWhenItKeepsFailing() throws Exception {
        int parkedBefore = aws.notifications().failedEvents().size();
        aws.upload("incoming/acme/fails-once.dcm",
                RequestBody.fromString("1"));
        aws.upload("incoming/acme/always-fails.dcm",
                RequestBody.fromString("2"));
        aws.awaitIdle(Duration.ofSeconds(20));

        assertEquals(2, s3Records.stream()
                .filter(r -> r.getS3().getObject().getKey().endsWith("fails-once.dcm")).count());
        assertEquals(2 + 1, s3Attempts.get("incoming/acme/fails-once.dcm").get(), "one retry after the first error");
        assertEquals(2 * 3, s3Attempts.get("incoming/acme/always-fails.dcm").get(), "1 try + 2 retries, twice");
        assertEquals(parkedBefore + 2, aws.notifications().failedEvents().size());
    }

    @Test
    void queuePump_deletesWhatSucceeded_redeliversReportedFailures_andRedrivesPoison() throws Exception {
        String queueArn = aws.sqs().getQueueAttributes(b -> b.queueUrl(aws.queueUrl())
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        for (String body : List.of("ok-1", "flaky-1", "ok-2", "poison-1", "ok-3", "flaky-2")) {
            aws.sqs().sendMessage(b -> b.queueUrl(aws.queueUrl()).messageBody(body));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (dlqCount() < 1 && System.nanoTime() < deadline) Thread.sleep(100);
        aws.awaitIdle(Duration.ofSeconds(20));

        Map<String, List<String>> receiveCounts = new java.util.TreeMap<>();
        for (SQSEvent e : sqsEvents) {
            assertTrue(e.getRecords().size() <= 10);
            for (SQSEvent.SQSMessage m : e.getRecords()) {
                assertEquals(queueArn, m.getEventSourceArn());
                assertEquals("aws:sqs", m.getEventSource());
                assertTrue(m.getReceiptHandle() != null && m.getMessageId() != null);
                receiveCounts.computeIfAbsent(m.getBody(), k -> new ArrayList<>())
                        .add(m.getAttributes().get("ApproximateReceiveCount"));
            }
        }
        assertEquals(List.of("1"), receiveCounts.get("ok-1"), "a success is deleted at once");
        assertEquals(List.of("1"), receiveCounts.get("ok-3"));
        assertEquals(List.of("1", "2"), receiveCounts.get("flaky-1"), "a reported failure comes back once");
        assertEquals(List.of("1", "2"), receiveCounts.get("flaky-2"));
        assertEquals(List.of("1", "2", "3"), receiveCounts.get("poison-1"), "maxReceiveCount 3, then the DLQ");
        assertEquals(1, dlqCount());
        assertTrue(sqsEvents.stream().anyMatch(e -> e.getRecords().size() > 1), "messages are batched");
    }

    private static int dlqCount() {
        return Integer.parseInt(aws.sqs().getQueueAttributes(b -> b.queueUrl(aws.deadLetterQueueUrl())
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    @Test
    void httpRequests_becomeRestProxyEvents_andResponsesGoBack() throws Exception {
        HttpResponse<String> r = send("GET", "/v1/uploads/abc%20def?since=2026-01-01T00:00:00Z&limit=5", "test-key",
                null);
        assertEquals(201, r.statusCode());
        assertEquals("yes", r.headers().firstValue("x-echo").orElseThrow());
        JsonNode echo = JSON.readTree(r.body());
        assertEquals("GET", echo.get("httpMethod").asText());
        assertEquals("/v1/uploads/abc%20def", echo.get("path").asText());
        assertEquals("/v1/uploads/{uploadId}", echo.get("resource").asText());
        assertEquals("abc def", echo.get("pathParameters").get("uploadId").asText());
        assertEquals("5", echo.get("query").get("limit").asText());
        assertEquals("2026-01-01T00:00:00Z", echo.get("query").get("since").asText());
        assertEquals("local", echo.get("stage").asText());
        assertEquals("test-key", echo.get("apiKey").asText());
        assertTrue(echo.get("body").isNull());

        JsonNode lookup = JSON.readTree(send("POST", "/v1/studies/lookup", "test-key", "{\"studyInstanceUid\":\"1.2\"}")
                .body());
        assertEquals("/v1/studies/lookup", lookup.get("resource").asText(), "static resource wins over {studyKey}");
        assertNull(lookup.get("pathParameters").get("studyKey"));
        assertEquals("{\"studyInstanceUid\":\"1.2\"}", lookup.get("body").asText());
        assertEquals("/v1/studies/{studyKey}",
                JSON.readTree(send("GET", "/v1/studies/k1", "test-key", null).body()).get("resource").asText());
        assertEquals("/v1/providers/{provider}/results",
                JSON.readTree(send("GET", "/v1/providers/acme/results", "test-key", null).body()).get("resource")
                        .asText());

        assertEquals(403, send("GET", "/v1/uploads/x", null, null).statusCode(), "no key");
        assertEquals(403, send("GET", "/v1/uploads/x", "wrong", null).statusCode(), "wrong key");
        // Under /v1 the document's catch-all resource reaches the function; outside it, API Gateway answers.
        assertEquals("/v1/{proxy+}", JSON.readTree(send("GET", "/v1/nothing-here", "test-key", null).body())
                .get("resource").asText());
        HttpResponse<String> unknown = send("GET", "/nothing-here", "test-key", null);
        assertEquals(404, unknown.statusCode(), "the contract's gateway response for an unknown resource");
        assertEquals("NOT_FOUND", JSON.readTree(unknown.body()).get("code").asText());
        assertEquals(502, send("GET", "/v1/uploads/boom", "test-key", null).statusCode(), "function error");
    }

    private static HttpResponse<String> send(String method, String pathAndQuery, String key, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(aws.apiBaseUrl() + pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("x-api-key", key);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void close_leavesNoDynaliteProcess() throws Exception {
        EmbeddedAws other = EmbeddedAws.builder().setSystemProperties(false).start();
        long pid = other.dynalite().pid();
        URI endpoint = other.dynamoDbEndpoint();
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(other.dynamoDb().listTables().tableNames().contains(other.names().table()));
        other.close();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "dynalite process gone");
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 500);
            throw new AssertionError("dynalite port still open");
        } catch (java.net.ConnectException expected) {
            // closed
        }
        assertTrue(Set.of(pid).size() == 1);
    }
}
