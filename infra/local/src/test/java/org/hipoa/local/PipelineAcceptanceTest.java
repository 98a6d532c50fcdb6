package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.fasterxml.jackson.databind.JsonNode;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.phantom.PhantomSet;
import org.hipoa.api.ApiContract;
import org.hipoa.api.ApiHandler;
import org.hipoa.aws.GrantStore;
import org.hipoa.domain.upload.Keys;
import org.hipoa.aws.ResultItems;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance test of issue 4: 50 uploads through the local stack and the REAL handlers and models, every S3 event
 * delivered twice and two preprocess environments racing on them, one corrupt upload among them. Expect 49 GRADED,
 * 1 FAILED with its reason, one item per upload, no status ever going backwards, nothing missing — read through the
 * local API as a partner would.
 */
class PipelineAcceptanceTest {
    private static final String PROVIDER = "acme-clinic";
    private static final int UPLOADS = 50;
    private static final List<String> ORDER = List.of("RECEIVED", "PREPROCESSED", "GRADED");

    @Test
    void fiftyUploadsDeliveredTwice_oneCorrupt_give49Graded1FailedNoDuplicatesNoneMissing(@TempDir Path tmp)
            throws Exception {
        long t0 = System.nanoTime();
        List<PhantomSet.Study> studies = PhantomSet.write(20261127L, 0, UPLOADS,
                TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, tmp.resolve("films"), 2, () -> { });
        System.err.printf("acceptance: %d phantom films in %.1f s%n", UPLOADS, (System.nanoTime() - t0) / 1e9);
        PhantomSet.Study corruptSource = studies.getLast();
        byte[] whole = Files.readAllBytes(corruptSource.file());
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length * 3 / 5);

        try (EmbeddedAws aws = EmbeddedAws.builder()
                .blobStoreDir(tmp.resolve("s3"))
                .deliveriesPerEvent(2)
                .preprocessConcurrency(2)
                .processes(true) // each environment a runtime-client JVM from its package, IAM inside it
                .start()) {
            System.err.printf("acceptance: stack started in %d ms%n", aws.startTime().toMillis());
            aws.grantApiKey(Set.of(PROVIDER));
            Keys keys = new Keys(aws.studyKeySecret());
            String bucket = aws.names().ingestBucket();
            StatusWatcher watcher = new StatusWatcher(aws);
            watcher.start();

            Map<String, PhantomSet.Study> goodByUploadId = new LinkedHashMap<>();
            String corruptUploadId = null;
            Map<String, Instant> uploadedAt = new HashMap<>();
            long u0 = System.nanoTime();
            for (int i = 0; i < UPLOADS; i++) {
                PhantomSet.Study s = studies.get(i);
                boolean corrupt = i == UPLOADS - 1;
                String key = "incoming/" + PROVIDER + "/2026/11/" + s.file().getFileName()
                        + (corrupt ? ".truncated" : "");
                String eTag = aws.upload(key,
                        corrupt ? RequestBody.fromBytes(truncated) : RequestBody.fromFile(s.file())).eTag();
                String uploadId = keys.uploadId(bucket, key, eTag.replace("\"", ""));
                uploadedAt.put(uploadId, Instant.now());
                if (corrupt) corruptUploadId = uploadId;
                else goodByUploadId.put(uploadId, s);
            }
            System.err.printf("acceptance: %d uploads in %.1f s%n", UPLOADS, (System.nanoTime() - u0) / 1e9);
            aws.awaitIdle(Duration.ofMinutes(15));
            double seconds = (System.nanoTime() - u0) / 1e9;
            watcher.stop();

            // --- through the API, as the provider would read them ---------------------------------------------
            LocalApiClient api = CheckedApi.client(aws); // every answer validated against openapi.yaml
            List<JsonNode> all = api.providerResults(PROVIDER);
            Set<String> ids = new HashSet<>();
            Map<String, JsonNode> byId = new HashMap<>();
            for (JsonNode r : all) {
                assertTrue(ids.add(r.get("uploadId").asText()), "duplicate result " + r.get("uploadId"));
                byId.put(r.get("uploadId").asText(), r);
            }
            assertEquals(UPLOADS, all.size(), "one result per upload");
            Set<String> expected = new HashSet<>(goodByUploadId.keySet());
            expected.add(corruptUploadId);
            assertEquals(expected, ids, "no upload missing, nothing extra");

            long graded = all.stream().filter(r -> r.get("status").asText().equals("GRADED")).count();
            assertEquals(UPLOADS - 1, graded, "graded");
            JsonNode failed = api.get("/v1/uploads/" + corruptUploadId).body();
            assertEquals("FAILED", failed.get("status").asText());
            assertEquals("PREPROCESS", failed.path("failure").path("stage").asText());
            assertEquals("TRUNCATED", failed.path("failure").path("reason").asText(), failed.toString());

            for (Map.Entry<String, PhantomSet.Study> e : goodByUploadId.entrySet()) {
                List<JsonNode> found = api.lookupStudy(e.getValue().studyInstanceUid());
                assertEquals(1, found.size(), "one result for study " + e.getValue().index());
                JsonNode r = found.getFirst();
                assertEquals(e.getKey(), r.get("uploadId").asText());
                assertEquals("GRADED", r.get("status").asText());
                for (String side : List.of("right", "left")) {
                    JsonNode hip = r.path("hips").path(side);
                    for (String f : List.of("fo", "ao", "jsn", "sclerosis", "cysts")) {
                        assertFalse(hip.path(f).isMissingNode(), side + "." + f + " in " + r);
                    }
                }
                // The partner learns what the millimetres rest on, read from the file itself: the phantom writes
                // Pixel Spacing, or Imager Pixel Spacing with the estimated magnification; neither is an assumption.
                assertEquals(spacingSourceOf(e.getValue().file()), r.path("spacing").path("source").asText(), r.toString());
                assertFalse(r.path("spacing").path("assumed").asBoolean(true), r.toString());
            }

            // --- tenancy: a partner key granted another provider reads nothing of this one's ----------------------
            new GrantStore(aws.dynamoDb(), aws.names().table()).grant("other-partner-key", Set.of("other-clinic"));
            ApiHandler secondContainer = new ApiHandler(); // Lambda's constructor: the same settings
            String someUpload = goodByUploadId.keySet().iterator().next();
            String someUid = goodByUploadId.get(someUpload).studyInstanceUid();
            assertEquals(403, status(secondContainer, "other-partner-key", "GET", "/v1/providers/" + PROVIDER + "/results", null));
            assertEquals(404, status(secondContainer, "other-partner-key", "GET", "/v1/uploads/" + someUpload, null));
            assertEquals(404, status(secondContainer, "other-partner-key", "POST", "/v1/studies/lookup",
                    "{\"studyInstanceUid\": \"" + someUid + "\"}"));
            assertEquals(200, status(secondContainer, "other-partner-key", "GET", "/v1/providers/other-clinic/results", null));
            assertEquals(200, status(secondContainer, aws.apiKey(), "GET", "/v1/uploads/" + someUpload, null));
            assertEquals(403, status(secondContainer, "never-granted-key", "GET", "/v1/providers/" + PROVIDER + "/results", null));

            // --- the table itself, and what the watcher saw on the way ------------------------------------------
            assertEquals(UPLOADS, aws.dynamoDb().scan(b -> b.tableName(aws.names().table())
                            .filterExpression("sk = :r").expressionAttributeValues(
                                    Map.of(":r", AttributeValue.fromS(ResultItems.RESULT_SK)))).count(),
                    "exactly one result item per upload in the table");
            watcher.assertNeverRegressed();
            assertTrue(aws.notifications().failedEvents().isEmpty(), "no S3 event parked: "
                    + aws.notifications().failedEvents());
            assertEquals("0", aws.sqs().getQueueAttributes(b -> b.queueUrl(aws.deadLetterQueueUrl())
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                    .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES), "DLQ empty");
            assertEquals(2 * UPLOADS, aws.notifications().invocations(), "every event delivered twice, no retries");

            report(aws, all, uploadedAt, seconds);
        }
    }

    private static int status(ApiHandler api, String apiKey, String method, String path, String body) {
        var request = new APIGatewayProxyRequestEvent().withHttpMethod(method).withPath(path).withBody(body)
                .withRequestContext(new APIGatewayProxyRequestEvent.ProxyRequestContext().withIdentity(
                        new APIGatewayProxyRequestEvent.RequestIdentity().withApiKey(apiKey)));
        var response = api.handleRequest(request, null);
        ApiContract.assertValid(request, response);
        return response.getStatusCode();
    }

    private static void report(EmbeddedAws aws, List<JsonNode> all, Map<String, Instant> uploadedAt, double seconds) {
        List<Long> latencies = new ArrayList<>();
        for (JsonNode r : all) {
            Instant up = uploadedAt.get(r.get("uploadId").asText());
            if (up != null && r.hasNonNull("updatedAt")) {
                latencies.add(Duration.between(up, Instant.parse(r.get("updatedAt").asText())).toMillis());
            }
        }
        latencies.sort(null);
        System.err.printf("acceptance: %d uploads settled in %.1f s (%.2f s/upload); upload->final p50 %d ms, max %d ms%n",
                all.size(), seconds, seconds / all.size(), latencies.get(latencies.size() / 2), latencies.getLast());
        for (LambdaFunction<?, ?> f : List.of(aws.preprocessFunction(), aws.inferenceFunction(), aws.apiFunction())) {
            System.err.printf("acceptance: %s cold starts %s; warm %s%n", f.name(), f.coldStarts(),
                    f.warmInvocations());
        }
        System.err.printf("acceptance: inference batches %d for %d messages%n", aws.eventSource().batches(),
                aws.eventSource().messages());
    }

    /** Scans the table while the run goes on and records each item's status sequence. */
    private static final class StatusWatcher {
        private final EmbeddedAws aws;
        private final Map<String, List<String>> seen = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        StatusWatcher(EmbeddedAws aws) {
            this.aws = aws;
            this.thread = Thread.ofPlatform().daemon().name("status-watcher").unstarted(this::loop);
        }

        void start() {
            thread.start();
        }

        private void loop() {
            while (running.get()) {
                try {
                    for (Map<String, AttributeValue> item : aws.dynamoDb().scanPaginator(
                            b -> b.tableName(aws.names().table()).projectionExpression("pk, #s")
                                    .expressionAttributeNames(Map.of("#s", "status"))).items()) {
                        if (!item.containsKey("status")) continue; // the API key's grant item
                        String pk = item.get("pk").s();
                        String status = item.get("status").s();
                        List<String> list = seen.computeIfAbsent(pk, k -> new ArrayList<>());
                        if (list.isEmpty() || !list.getLast().equals(status)) list.add(status);
                    }
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    if (running.get()) System.err.println("status watcher: " + e.getMessage());
                }
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }

        void assertNeverRegressed() {
            assertFalse(seen.isEmpty(), "the watcher saw items");
            for (Map.Entry<String, List<String>> e : seen.entrySet()) {
                List<String> s = e.getValue();
                for (int i = 1; i < s.size(); i++) {
                    String prev = s.get(i - 1), cur = s.get(i);
                    boolean terminalBefore = prev.equals("GRADED") || prev.equals("FAILED");
                    assertFalse(terminalBefore, e.getKey() + " left a terminal status: " + s);
                    if (!cur.equals("FAILED")) {
                        assertTrue(ORDER.indexOf(cur) > ORDER.indexOf(prev), e.getKey() + " went backwards: " + s);
                    }
                }
            }
        }
    }

    /** What the spacing source must be for this film, from its own attributes (PixelMed, not the decoder). */
    static String spacingSourceOf(java.nio.file.Path film) throws Exception {
        com.pixelmed.dicom.AttributeList l = new com.pixelmed.dicom.AttributeList();
        l.read(film.toFile(), com.pixelmed.dicom.TagFromName.PixelData);
        if (l.get(com.pixelmed.dicom.TagFromName.PixelSpacing) != null) return "PIXEL_SPACING";
        return l.get(com.pixelmed.dicom.TagFromName.EstimatedRadiographicMagnificationFactor) != null
                ? "IMAGER_PIXEL_SPACING_MAGNIFICATION_CORRECTED" : "IMAGER_PIXEL_SPACING_UNCORRECTED";
    }
}
