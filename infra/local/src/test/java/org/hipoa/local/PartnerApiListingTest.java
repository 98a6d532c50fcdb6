package org.hipoa.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.hipoa.api.ApiContract;
import org.hipoa.aws.ResultItems;
import org.hipoa.aws.ResultTransitions;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.Fixtures;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.upload.UploadRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The partner listings against the local stack's real DynamoDB stand-in (dynalite) and API Gateway emulation, with
 * items written straight through {@link ResultTransitions} (no films, no models): paging with filters, the date bounds,
 * the change feed and the study lookup's tenant filter. Every response is checked
 * against functions/api/openapi.yaml by the client's observer.
 */
class PartnerApiListingTest {
    private static final String OWNER = "acme-clinic", INTRUDER = "intruder-clinic", BUCKET = "hipoa-incoming";
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static EmbeddedAws aws;
    private static LocalApiClient api;
    private static ResultTransitions store;
    private static Keys keys;
    private static int uploads;

    @BeforeAll
    static void start() throws Exception {
        aws = EmbeddedAws.builder().start();
        // Once, before any request: the API caches a key's grants for 60 s, as it does on AWS.
        aws.grantApiKey(Set.of(OWNER, "paging-clinic", "status-clinic", "cursor-clinic", "feed-clinic",
                "huge-clinic", "model-clinic"));
        api = CheckedApi.client(aws);
        store = new ResultTransitions(aws.dynamoDb(), aws.names().table());
        keys = new Keys(aws.studyKeySecret());
    }

    @AfterAll
    static void stop() {
        if (aws != null) aws.close();
    }

    /** A RECEIVED upload of {@code provider} at {@code at}, optionally of a study (as if preprocessing had run). */
    private static ResultRecord received(String provider, Instant at, Optional<String> studyKey) {
        UploadRef ref = UploadRef.fromEvent(BUCKET, "incoming/" + provider + "/film" + uploads++ + ".dcm", "v1", "e");
        ResultRecord r = ResultRecord.received(ref.uploadId(keys), ref, keys, at);
        ResultRecord withStudy = new ResultRecord(r.uploadId(), r.provider(), r.bucket(), r.sealedKey(),
                r.objectVersion(), at, at, Status.RECEIVED, studyKey, Optional.empty(), Optional.empty(), Map.of(),
                Optional.empty(), Map.of(), Map.of(), Optional.empty());
        store.received(withStudy);
        return withStudy;
    }

    private static ResultRecord graded(ResultRecord r, Instant at) {
        ResultRecord g = r.graded(r.studyKey(), Optional.of(Fixtures.SPACING), new ModelRef("hipoa-localiser", "1.0"),
                Map.of("decode", 100L), new ModelRef("hipoa-grader", "2.1"), Fixtures.hip(1, false, 100),
                Fixtures.hip(2, true, 260), Map.of("gradeBatch", 30L), at);
        assertTrue(store.graded(g));
        return g;
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Every page of {@code path + query}, following next with the same query. */
    private static List<JsonNode> pages(String pathAndQuery) {
        List<JsonNode> out = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            var r = api.get(pathAndQuery + (next == null ? "" : "&next=" + q(next)));
            assertEquals(200, r.status(), r.body().toString());
            r.body().path("results").forEach(out::add);
            next = r.body().path("next").isTextual() ? r.body().path("next").asText() : null;
            assertTrue(++pages < 50, "paging ends");
        } while (next != null);
        return out;
    }

    private static List<String> ids(List<JsonNode> results) {
        return results.stream().map(n -> n.get("uploadId").asText()).toList();
    }

    @Test
    void sinceTogetherWithNext_pagesThroughTheRange_inBothOrders() {
        String provider = "paging-clinic";
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) all.add(received(provider, T0.plusSeconds(i), Optional.empty()).uploadId());
        String base = "/v1/providers/" + provider + "/results?limit=2&since=" + q(T0.plusSeconds(1).toString())
                + "&until=" + q(T0.plusSeconds(6).toString());
        assertEquals(all.subList(1, 6), ids(pages(base)));
        assertEquals(all.subList(1, 6).reversed(), ids(pages(base + "&order=desc")));
    }

    @Test
    void statusFilter_pagesOnlyMatchingResults() {
        String provider = "status-clinic";
        List<String> gradedIds = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ResultRecord r = received(provider, T0.plusSeconds(i), Optional.empty());
            if (i % 2 == 0) gradedIds.add(graded(r, T0.plusSeconds(100 + i)).uploadId());
        }
        assertEquals(gradedIds, ids(pages("/v1/providers/" + provider + "/results?limit=2&status=GRADED")));
        assertEquals(6, pages("/v1/providers/" + provider + "/results?status=RECEIVED,GRADED").size());
    }

    @Test
    void aCursorFromOneQuery_is400InAnother() {
        String provider = "cursor-clinic";
        for (int i = 0; i < 3; i++) received(provider, T0.plusSeconds(i), Optional.empty());
        String path = "/v1/providers/" + provider + "/results";
        String next = api.get(path + "?limit=1").body().path("next").asText();
        assertEquals(200, api.get(path + "?limit=2&next=" + q(next)).status(), "same query, other limit");
        for (String other : List.of("?since=" + q(T0.plusSeconds(2).toString()), "?order=desc", "?status=FAILED")) {
            var r = api.get(path + other + "&next=" + q(next));
            assertEquals(400, r.status(), other + ": " + r.body());
            assertEquals("BAD_REQUEST", r.body().path("code").asText());
        }
        var r = api.get("/v1/providers/" + provider + "/updates?next=" + q(next));
        assertEquals(400, r.status(), "a results cursor in the updates feed: " + r.body());
    }

    @Test
    void datesOutside1970To9999_andEmptyRanges_are400() {
        String path = "/v1/providers/" + OWNER + "/results?since=";
        for (String bad : List.of("+10000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "-0001-01-01T00:00:00Z")) {
            var r = api.get(path + q(bad));
            assertEquals(400, r.status(), bad + ": " + r.body());
        }
        var r = api.get(path + q(T0.toString()) + "&until=" + q(T0.toString()));
        assertEquals(400, r.status(), "until must be after since: " + r.body());
        assertEquals(200, api.get(path + q("9999-12-31T23:59:59.999Z")).status());
        assertEquals(200, api.get(path + q("1970-01-01T00:00:00Z")).status());
    }

    @Test
    void updatesFeed_showsAnUploadAgainWhenItMovesFromReceivedToGraded() {
        String provider = "feed-clinic";
        ResultRecord first = received(provider, T0, Optional.empty());
        ResultRecord second = received(provider, T0.plusSeconds(1), Optional.empty());
        String feed = "/v1/providers/" + provider + "/updates?limit=1";
        List<JsonNode> before = pages(feed);
        assertEquals(List.of(first.uploadId(), second.uploadId()), ids(before));
        String newestSeen = before.getLast().get("updatedAt").asText();

        graded(first, T0.plusSeconds(30));
        List<JsonNode> after = pages(feed + "&since=" + q(newestSeen));
        // The polling rule of the contract: since = newest updatedAt seen, then drop exact repeats.
        List<JsonNode> fresh = after.stream().filter(n -> before.stream().noneMatch(b ->
                b.get("uploadId").equals(n.get("uploadId")) && b.get("updatedAt").equals(n.get("updatedAt")))).toList();
        assertEquals(List.of(first.uploadId()), ids(fresh));
        assertEquals("GRADED", fresh.getFirst().get("status").asText());
        // The receipt-ordered listing keeps the upload where it was.
        assertEquals(List.of(first.uploadId(), second.uploadId()),
                ids(pages("/v1/providers/" + provider + "/results?limit=1")));
    }

    @Test
    void hundredUploadsOfOneStudyByAnotherProvider_doNotHideTheOwnersResult() {
        String uid = "1.2.826.0.1.3680043.10.1082.99";
        String studyKey = keys.studyKey(uid);
        for (int i = 0; i < 100; i++) received(INTRUDER, T0.plusMillis(i), Optional.of(studyKey));
        ResultRecord mine = received(OWNER, T0.plusSeconds(60), Optional.of(studyKey));

        var byKey = api.get("/v1/studies/" + studyKey);
        assertEquals(200, byKey.status(), byKey.body().toString());
        assertEquals(List.of(mine.uploadId()), ids(iter(byKey.body().path("results"))));
        assertEquals(List.of(mine.uploadId()), ids(api.lookupStudy(uid)));
    }

    /**
     * Free text in results (a failure message quoting a file-controlled header: 130 K control bytes, which JSON
     * writes as 780 KB) must not push a page past Lambda's 6 MB response limit, where the whole listing would be a
     * 502: the page ends early with a cursor, in both listings. Items are written straight into the table, as a
     * pipeline that did not bound the message would have written them.
     */
    @Test
    void failuresWithHugeMessages_endAPageEarly_withANextCursor_belowLambdasResponseLimit() {
        String provider = "huge-clinic";
        String message = "\u0001".repeat(130_000);
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ResultRecord r = received(provider, T0.plusSeconds(i), Optional.empty()).failed(
                    new Failure(Stage.PREPROCESS, Reason.UNSUPPORTED_TRANSFER_SYNTAX, "x"), T0.plusSeconds(60 + i));
            Map<String, AttributeValue> item = new java.util.HashMap<>(ResultItems.toItem(r));
            item.put("failure", AttributeValue.fromM(Map.of("stage", AttributeValue.fromS("PREPROCESS"),
                    "reason", AttributeValue.fromS(Reason.UNSUPPORTED_TRANSFER_SYNTAX.name()),
                    "message", AttributeValue.fromS(message))));
            aws.dynamoDb().putItem(b -> b.tableName(aws.names().table()).item(item));
            all.add(r.uploadId());
        }
        List<Integer> sizes = new ArrayList<>();
        LocalApiClient measured = new LocalApiClient(aws.apiBaseUrl(), aws.apiKey()).observing(x -> {
            ApiContract.assertValid(x.method(), x.pathAndQuery(), x.status(), x.headers(), x.body());
            sizes.add(x.body().getBytes(StandardCharsets.UTF_8).length);
        });
        for (String feed : List.of("results", "updates")) {
            sizes.clear();
            List<String> seen = new ArrayList<>();
            String next = null;
            do {
                var r = measured.get("/v1/providers/" + provider + "/" + feed + "?limit=100"
                        + (next == null ? "" : "&next=" + q(next)));
                assertEquals(200, r.status(), feed + ": " + r.body().path("code"));
                r.body().path("results").forEach(n -> {
                    seen.add(n.get("uploadId").asText());
                    assertTrue(n.path("failure").path("message").asText().length() <= 300,
                            feed + ": a stored message is bounded again when it is read");
                });
                next = r.body().path("next").isTextual() ? r.body().path("next").asText() : null;
                if (seen.size() < all.size()) assertTrue(next != null, feed + ": a short page says more follow");
            } while (next != null && sizes.size() < 20);
            assertEquals(all, seen, feed);
            // Failure bounds a message when it is read as well as when it is written, so such items no longer make
            // a page big; the listing's byte cap (one page per ~3 MB) stays behind it for whatever else might.
            for (int size : sizes) {
                assertTrue(size < ApiGatewayServer.LAMBDA_RESPONSE_LIMIT / 2, feed + ": a page of " + size + " bytes");
            }
        }
    }

    /**
     * The listing's byte cap, driven: a field that nothing bounds when it is read (the model's name, which the ONNX
     * file carries; 130 K control bytes, 780 KB as JSON) makes 8 results bigger than half of Lambda's 6 MB response
     * limit. A page of 100 asked for ends after the results that fit, its cursor continues right after them, and no
     * page comes near the limit, in both listings.
     */
    @Test
    void resultsTooBigForOneResponse_endAPageEarly_withANextCursor_belowLambdasResponseLimit() {
        String provider = "model-clinic";
        ModelRef huge = new ModelRef("\u0001".repeat(130_000), "1.0");
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ResultRecord r = received(provider, T0.plusSeconds(i), Optional.empty());
            ResultRecord g = r.graded(r.studyKey(), Optional.of(Fixtures.SPACING), new ModelRef("hipoa-localiser",
                    "1.0"), Map.of("decode", 100L), huge, Fixtures.hip(1, false, 100), Fixtures.hip(2, true, 260),
                    Map.of("gradeBatch", 30L), T0.plusSeconds(60 + i));
            assertTrue(store.graded(g));
            all.add(r.uploadId());
        }
        List<Integer> sizes = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        LocalApiClient measured = new LocalApiClient(aws.apiBaseUrl(), aws.apiKey()).observing(x -> {
            ApiContract.assertValid(x.method(), x.pathAndQuery(), x.status(), x.headers(), x.body());
            sizes.add(x.body().getBytes(StandardCharsets.UTF_8).length);
        });
        for (String feed : List.of("results", "updates")) {
            sizes.clear();
            counts.clear();
            List<String> seen = new ArrayList<>();
            String next = null;
            do {
                var r = measured.get("/v1/providers/" + provider + "/" + feed + "?limit=100"
                        + (next == null ? "" : "&next=" + q(next)));
                assertEquals(200, r.status(), feed + ": " + r.body().path("code"));
                counts.add(r.body().path("results").size());
                r.body().path("results").forEach(n -> {
                    seen.add(n.get("uploadId").asText());
                    assertEquals(huge.name(), n.path("model").path("name").asText(), feed + ": returned whole");
                });
                next = r.body().path("next").isTextual() ? r.body().path("next").asText() : null;
                if (seen.size() < all.size()) assertTrue(next != null, feed + ": a short page says more follow");
            } while (next != null && sizes.size() < 20);
            assertEquals(all, seen, feed);
            assertTrue(counts.getFirst() < all.size(), feed + ": the cap ended the first page early: " + counts);
            for (int size : sizes) {
                assertTrue(size < ApiGatewayServer.LAMBDA_RESPONSE_LIMIT / 2, feed + ": a page of " + size + " bytes");
            }
        }
    }

    private static List<JsonNode> iter(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
