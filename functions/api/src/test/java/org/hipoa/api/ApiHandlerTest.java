package org.hipoa.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.aws.ClosedPortAws;
import org.hipoa.aws.Events;
import org.hipoa.aws.PipelineConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routing and validation: every request here is answered before DynamoDB is needed. The handler gets a real client
 * pointed at a closed port, so a request that reached the table by mistake would come back 500, not 4xx.
 */
class ApiHandlerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ID = "0123456789abcdef0123456789abcdef";
    static ClosedPortAws aws;
    static ApiHandler api;

    @BeforeAll
    static void setUp() {
        aws = new ClosedPortAws();
        api = new ApiHandler(PipelineConfig.from(Map.of("TABLE_NAME", "results",
                "STUDY_KEY_SECRET", "0123456789abcdef-secret")::get), aws.dynamo);
    }

    @AfterAll
    static void tearDown() {
        aws.close();
    }

    /** The handler's answer, which must validate against openapi.yaml whatever the test asserts next. */
    static APIGatewayProxyResponseEvent handle(APIGatewayProxyRequestEvent request) {
        APIGatewayProxyResponseEvent r = api.handleRequest(request, null);
        ApiContract.assertValid(request, r);
        return r;
    }

    static APIGatewayProxyResponseEvent call(String method, String path, Map<String, String> query, String body) {
        return handle(new APIGatewayProxyRequestEvent().withHttpMethod(method).withPath(path)
                .withQueryStringParameters(query).withBody(body));
    }

    /**
     * An RFC 9457 problem (it replaced the earlier {@code {"error","message"}} body): the same facts — status,
     * the stable code, a non-blank human message (now {@code detail}) — in {@code application/problem+json}.
     */
    static JsonNode error(APIGatewayProxyResponseEvent r, int status, String code) throws Exception {
        assertEquals(status, r.getStatusCode(), r.getBody());
        assertEquals("application/problem+json", r.getHeaders().get("Content-Type"));
        JsonNode n = JSON.readTree(r.getBody());
        assertEquals(code, n.get("code").asText());
        assertEquals(status, n.get("status").asInt());
        assertEquals("about:blank", n.get("type").asText());
        assertFalse(n.get("title").asText().isBlank());
        assertFalse(n.get("detail").asText().isBlank());
        assertEquals(5, n.size(), "type, title, status, detail and code only");
        return n;
    }

    @ParameterizedTest
    @CsvSource({"GET,/", "GET,/v2/uploads/" + ID, "GET,/v1", "GET,/v1/uploads", "GET,/v1/uploads/" + ID + "/x",
            "GET,/v1/providers/acme/files", "GET,/v1/providers/acme/updates/x", "GET,/v1/studies/lookup/x",
            "DELETE,/admin"})
    void unknownResources_are404(String method, String path) throws Exception {
        error(call(method, path, null, null), 404, "NOT_FOUND");
    }

    @ParameterizedTest
    @CsvSource({"POST,/v1/uploads/" + ID + ",GET", "DELETE,/v1/studies/" + ID + ",GET",
            "GET,/v1/studies/lookup,POST", "PUT,/v1/providers/acme/results,GET", "POST,/v1/providers/acme/updates,GET",
            "POST,/v1/uploads/" + ID + "/hips/left.png,GET", "PUT,/v1/uploads/" + ID + "/fhir,GET"})
    void wrongMethods_are405_withAllow(String method, String path, String allow) throws Exception {
        var r = call(method, path, null, null);
        error(r, 405, "METHOD_NOT_ALLOWED");
        assertEquals(allow, r.getHeaders().get("Allow"));
    }

    @ParameterizedTest
    @CsvSource({"/v1/uploads/not-an-id", "/v1/uploads/0123456789ABCDEF0123456789ABCDEF", "/v1/studies/abc",
            "/v1/providers/ACME/results", "/v1/providers/a/results", "/v1/providers/..%2F/results",
            "/v1/uploads/" + ID + "/hips/middle.png", "/v1/uploads/" + ID + "/hips/right.jpg",
            "/v1/uploads/not-an-id/hips/right.png", "/v1/uploads/not-an-id/fhir"})
    void malformedIdentifiers_are400(String path) throws Exception {
        error(call("GET", path, null, null), 400, "BAD_REQUEST");
    }

    /** One broken rule per parameter (ListingRequestTest holds every rule): a 400 problem on both listings. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"limit|0", "since|yesterday", "until|+275760-09-13T00:00:00Z",
            "status|DONE", "order|up", "sort|asc", "next|not a token!"})
    void badListingParameters_are400(String name, String value) throws Exception {
        for (String listing : new String[]{"results", "updates"}) {
            error(call("GET", "/v1/providers/acme/" + listing, Map.of(name, value), null), 400, "BAD_REQUEST");
        }
    }

    @Test
    void theFeedIsOrderedByChangeOnly_andEmptyRangesAre400() throws Exception {
        JsonNode n = error(call("GET", "/v1/providers/acme/updates", Map.of("order", "desc"), null), 400,
                "BAD_REQUEST");
        assertTrue(n.get("detail").asText().contains("limit, next, since, status, until"), n.toString());
        error(call("GET", "/v1/providers/acme/results", Map.of("since", "2026-01-01T00:00:00Z",
                "until", "2026-01-01T00:00:00Z"), null), 400, "BAD_REQUEST");
        error(call("GET", "/v1/providers/acme/results", Map.of("since", "2026-01-02T00:00:00Z",
                "until", "2026-01-01T00:00:00+01:00"), null), 400, "BAD_REQUEST");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"status|GRADED,FAILED", "order|desc", "since|2026-01-31T00:00:00+01:00",
            "until|9999-12-31T23:59:59.999Z", "since|1970-01-01T00:00:00Z", "next|''"})
    void goodListingParameters_passValidation_andNeedAKey(String name, String value) throws Exception {
        // 403, not 400: validation passed and the request stopped at the grant check, before any table read.
        error(call("GET", "/v1/providers/acme/results", Map.of(name, value), null), 403, "FORBIDDEN");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"''", "not json", "[]", "{}", "{\"studyInstanceUid\": 12}",
            "{\"studyInstanceUid\": \"\"}", "{\"studyInstanceUid\": \"1.2.abc\"}", "{\"studyInstanceUid\": \"1..2\"}"})
    void badLookupBodies_are400(String body) throws Exception {
        error(call("POST", "/v1/studies/lookup", null, body), 400, "BAD_REQUEST");
    }

    @Test
    void overlongUid_is400_andNeverEchoed() throws Exception {
        String uid = "1.2.840." + "9".repeat(80);
        JsonNode n = error(call("POST", "/v1/studies/lookup", null, "{\"studyInstanceUid\": \"" + uid + "\"}"), 400,
                "BAD_REQUEST");
        assertFalse(n.toString().contains("999999"));
    }

    @Test
    void base64Body_isDecodedBeforeValidation() throws Exception {
        String body = Base64.getEncoder().encodeToString("{\"studyInstanceUid\": \"x\"}".getBytes());
        var r = handle(new APIGatewayProxyRequestEvent().withHttpMethod("POST").withPath("/v1/studies/lookup")
                .withBody(body).withIsBase64Encoded(true));
        JsonNode n = error(r, 400, "BAD_REQUEST");
        assertTrue(n.get("detail").asText().contains("not a DICOM UID"), n.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"GET|/v1/uploads/" + ID, "GET|/v1/studies/" + ID,
            "GET|/v1/providers/acme/results", "GET|/v1/providers/acme/updates",
            "GET|/v1/uploads/" + ID + "/hips/right.png", "GET|/v1/uploads/" + ID + "/hips/left.cam.json",
            "GET|/v1/uploads/" + ID + "/fhir"})
    void validRequestsWithoutAnApiKey_are403_beforeAnyTableRead(String method, String path) throws Exception {
        // The table is unreachable: a 403 (not a 500) proves no read was attempted.
        error(call(method, path, null, null), 403, "FORBIDDEN");
        error(call("POST", "/v1/studies/lookup", null, "{\"studyInstanceUid\": \"1.2.3\"}"), 403, "FORBIDDEN");
    }

    @Test
    void tableUnreachable_is500_withoutInternals() throws Exception {
        var r = handle(new APIGatewayProxyRequestEvent().withHttpMethod("GET").withPath("/v1/uploads/" + ID)
                .withRequestContext(new APIGatewayProxyRequestEvent.ProxyRequestContext()
                        .withIdentity(new APIGatewayProxyRequestEvent.RequestIdentity().withApiKey("partner-key"))));
        JsonNode n = error(r, 500, "INTERNAL_ERROR");
        assertFalse(n.toString().contains("Exception"));
        assertFalse(n.toString().contains("127.0.0.1"));
        assertFalse(n.toString().contains("at org."));
    }

    @Test
    void emptyEvent_is404_notACrash() throws Exception {
        error(handle(new APIGatewayProxyRequestEvent()), 404, "NOT_FOUND");
        error(handle(null), 404, "NOT_FOUND");
    }

    @Test
    void apiModule_carriesNoModelRuntimeOrDicomCodec() {
        for (String c : new String[]{"ai.djl.Model", "ai.onnxruntime.OrtEnvironment", "com.pixelmed.dicom.AttributeList"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(c), c + " is on the API's classpath");
        }
    }

    @Test
    void recordedEvents_areRoutedByTheirResource_andPathParameters() throws Exception {
        var unknownMethod = Events.load("api-unknown-method.json", APIGatewayProxyRequestEvent.class);
        var r = handle(unknownMethod);
        error(r, 405, "METHOD_NOT_ALLOWED");
        assertEquals("GET", r.getHeaders().get("Allow"));
        // The path still names a valid id: only a router that reads pathParameters sees the bad one.
        var upload = Events.load("api-get-upload.json", APIGatewayProxyRequestEvent.class);
        upload.setPathParameters(Map.of("uploadId", "not-an-id"));
        error(handle(upload), 400, "BAD_REQUEST");
        var study = Events.load("api-get-study.json", APIGatewayProxyRequestEvent.class);
        study.setPathParameters(Map.of("studyKey", "abc"));
        error(handle(study), 400, "BAD_REQUEST");
        var results = Events.load("api-get-provider-results.json", APIGatewayProxyRequestEvent.class);
        results.setQueryStringParameters(Map.of("limit", "0"));
        error(handle(results), 400, "BAD_REQUEST");
        // The feed's resource takes no order: only a router that reads the resource tells it from /results.
        var updates = Events.load("api-get-provider-updates.json", APIGatewayProxyRequestEvent.class);
        updates.setQueryStringParameters(Map.of("order", "desc"));
        error(handle(updates), 400, "BAD_REQUEST");
        updates.setResource("/v1/providers/{provider}/results");
        updates.setRequestContext(null); // no key: validation passed, stopped at the grant check
        error(handle(updates), 403, "FORBIDDEN");
        var image = Events.load("api-get-hip-image.json", APIGatewayProxyRequestEvent.class);
        image.setPathParameters(Map.of("uploadId", image.getPathParameters().get("uploadId"), "file", "hip.png"));
        error(handle(image), 400, "BAD_REQUEST");
        var lookup = Events.load("api-post-study-lookup.json", APIGatewayProxyRequestEvent.class);
        lookup.setBody("{\"studyInstanceUid\": \"not a uid\"}");
        lookup.setIsBase64Encoded(false);
        error(handle(lookup), 400, "BAD_REQUEST");
    }
}
