package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.api.ApiContract;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local API Gateway is built from the document template.yaml gives API Gateway and does with it what API
 * Gateway does: refuses a non-3.0 document with API Gateway's error, fails on features it does not implement,
 * answers validation failures and Lambda's response limit with the document's gateway responses. The subject is
 * the gateway, so the function behind it is a test handler that counts its calls and answers what it is told.
 */
class GatewayEmulationContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORIGIN = "http://127.0.0.1:8999";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theGateway_isTheDocumentTheTemplateGivesApiGateway() {
        ApiGatewayDocument d = ApiGatewayDocument.fromTemplate(
                EmbeddedAws.repositoryRoot().resolve("template.yaml"), "HipoaApi");
        assertTrue(d.version().startsWith("3.0."), d.version());
        assertEquals(new TreeSet<>(ApiContract.MODEL.getPaths().keySet()), new TreeSet<>(d.resources().keySet()));
        // A PNG leaves the local gateway as bytes exactly when it would leave API Gateway as bytes.
        assertEquals(ApiContract.BINARY_MEDIA_TYPES, d.binaryMediaTypes());
        assertTrue(d.resources().get("/v1/uploads/{uploadId}").get("GET").apiKeyRequired());
        assertTrue(!d.resources().get("/v1/uploads/{uploadId}").get("OPTIONS").apiKeyRequired(), "preflight");
    }

    @Test
    void aDocumentOtherThanOpenApi30_isRefusedAsApiGatewayRefusesIt() {
        for (String version : List.of("3.1.0", "3.2.0", "4")) {
            var e = assertThrows(ApiGatewayDocument.Refused.class, () -> ApiGatewayDocument.parse(
                    ApiContract.DOCUMENT.replaceFirst("(?m)^openapi: .*$", "openapi: " + version)));
            assertEquals(ApiGatewayDocument.INVALID_INPUT, e.getMessage(), version);
        }
        // A 3.1 keyword inside a 3.0 document is an import error too.
        assertThrows(ApiGatewayDocument.Refused.class, () -> ApiGatewayDocument.parse(ApiContract.DOCUMENT
                .replace("schema: {type: string, enum: [no-store]}", "schema: {type: string, const: no-store}")));
    }

    @Test
    void whatTheLocalGatewayDoesNotImplement_failsInsteadOfBeingIgnored() {
        String doc = ApiContract.DOCUMENT;
        Map<String, String> unsupported = Map.of(
                "a resource policy", doc + "\nx-amazon-apigateway-policy: {Version: '2012-10-17', Statement: []}\n",
                "an HTTP integration", doc.replaceFirst("\\{type: aws_proxy, httpMethod: POST,",
                        "{type: http_proxy, httpMethod: POST,"),
                "a VTL gateway response", doc.replace("\"detail\":\"No such resource.\"",
                        "\"detail\":\"$context.error.messageString\""),
                "an authoriser", doc.replace("      name: x-api-key\n",
                        "      name: Authorization\n      x-amazon-apigateway-authtype: custom\n"),
                "OpenAPI 2.0", "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n");
        unsupported.forEach((what, text) -> {
            assertTrue(!text.equals(doc), what + ": the edit applied");
            assertThrows(ApiGatewayDocument.NotImplemented.class, () -> ApiGatewayDocument.parse(text), what);
        });
    }

    @Test
    void aFunctionResponseOver6MB_isTheGateways502_asLambdaFailsTheInvocation() throws Exception {
        int limit = ApiGatewayServer.LAMBDA_RESPONSE_LIMIT;
        try (Gateway g = new Gateway(ApiContract.DOCUMENT, e -> ok("x".repeat(
                Integer.parseInt(e.getQueryStringParameters().get("bytes")))))) {
            HttpResponse<String> fits = g.send("GET", "/v1/uploads/" + "a".repeat(32) + "?bytes=" + (limit - 4096),
                    "key", null);
            assertEquals(200, fits.statusCode());
            HttpResponse<String> over = g.send("GET", "/v1/uploads/" + "a".repeat(32) + "?bytes=" + limit, "key",
                    null);
            assertEquals(502, over.statusCode());
            assertEquals("BAD_GATEWAY", JSON.readTree(over.body()).path("code").asText());
            g.checked("GET", "/v1/uploads/" + "a".repeat(32), over);
            assertEquals(2, g.calls.get(), "the function ran both times; its answer is what failed");
        }
    }

    @Test
    void aLookupBodyOutsideTheDocumentsSchema_isBadRequestBody_andNeverReachesTheFunction() throws Exception {
        try (Gateway g = new Gateway(ApiContract.DOCUMENT, e -> ok("{}"))) {
            for (String body : List.of("{\"studyInstanceUid\": 7}", "{}", "not json", "",
                    "{\"studyInstanceUid\": \"" + "1.".repeat(40) + "1\"}", "{\"studyInstanceUid\": \"SMITH^JOHN\"}")) {
                HttpResponse<String> r = g.send("POST", "/v1/studies/lookup", "key", body);
                assertEquals(400, r.statusCode(), body);
                assertEquals("BAD_REQUEST", JSON.readTree(r.body()).path("code").asText(), body);
                assertTrue(!r.body().contains("SMITH"), "the refused value is never echoed");
                g.checked("POST", "/v1/studies/lookup", r);
            }
            assertEquals(0, g.calls.get(), "API Gateway refused them all before the integration");
            assertEquals(200, g.send("POST", "/v1/studies/lookup", "key", "{\"studyInstanceUid\": \"1.2.3\"}")
                    .statusCode());
            assertEquals(1, g.calls.get());
        }
    }

    @Test
    void aMissingRequiredParameter_isBadRequestParameters() throws Exception {
        String doc = ApiContract.DOCUMENT.replace("""
                      parameters:
                        - $ref: '#/components/parameters/status'
                        - $ref: '#/components/parameters/receivedSince'
                """, """
                      parameters:
                        - {name: tenant, in: header, required: true, schema: {type: string}}
                        - $ref: '#/components/parameters/status'
                        - $ref: '#/components/parameters/receivedSince'
                """);
        assertTrue(!doc.equals(ApiContract.DOCUMENT), "the edit applied");
        try (Gateway g = new Gateway(doc, e -> ok("{}"))) {
            HttpResponse<String> r = g.send("GET", "/v1/providers/acme-clinic/results", "key", null);
            assertEquals(400, r.statusCode());
            assertEquals("BAD_REQUEST", JSON.readTree(r.body()).path("code").asText());
            assertEquals(0, g.calls.get());
            assertEquals(200, g.send("GET", "/v1/providers/acme-clinic/results", "key", null,
                    "tenant", "acme").statusCode());
        }
    }

    @Test
    void routesKeysPreflightsAndOwnAnswers_comeFromTheDocument() throws Exception {
        try (Gateway g = new Gateway(ApiContract.DOCUMENT, e -> ok(JSON.createObjectNode()
                .put("resource", e.getResource()).set("params", JSON.valueToTree(e.getPathParameters())).toString()))) {
            JsonNode lookup = JSON.readTree(g.send("POST", "/v1/studies/lookup", "key", "{\"studyInstanceUid\":\"1\"}")
                    .body());
            assertEquals("/v1/studies/lookup", lookup.path("resource").asText(), "static resource before {studyKey}");
            JsonNode greedy = JSON.readTree(g.send("GET", "/v1/nothing/here", "key", null).body());
            assertEquals("/v1/{proxy+}", greedy.path("resource").asText(), "the catch-all reaches the function");
            assertEquals("nothing/here", greedy.at("/params/proxy").asText());

            HttpResponse<String> outside = g.send("GET", "/elsewhere", "key", null);
            assertEquals(404, outside.statusCode(), "MISSING_AUTHENTICATION_TOKEN as the document answers it");
            g.checked("GET", "/elsewhere", outside);
            for (String key : new String[] {null, "wrong"}) {
                HttpResponse<String> denied = g.send("GET", "/v1/uploads/" + "a".repeat(32), key, null);
                assertEquals(403, denied.statusCode());
                g.checked("GET", "/v1/uploads/" + "a".repeat(32), denied);
            }
            HttpResponse<String> preflight = g.send("OPTIONS", "/v1/studies/lookup", null, null);
            assertEquals(204, preflight.statusCode(), "a preflight needs no key");
            assertEquals("POST,OPTIONS", preflight.headers().firstValue("Access-Control-Allow-Methods").orElse(""));
            assertEquals(ORIGIN, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            g.checked("OPTIONS", "/v1/studies/lookup", preflight);
            assertEquals(2, g.calls.get(), "only the two keyed requests above reached the function");
        }
    }

    @Test
    void aFunctionSlowerThanTheIntegrationTimeout_isGatewayTimeout() throws Exception {
        String doc = ApiContract.DOCUMENT.replace(
                "{type: aws_proxy, httpMethod: POST, passthroughBehavior: when_no_match, uri:",
                "{type: aws_proxy, httpMethod: POST, passthroughBehavior: when_no_match, timeoutInMillis: 300, uri:");
        try (Gateway g = new Gateway(doc, e -> {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
            }
            return ok("{}");
        })) {
            HttpResponse<String> r = g.send("GET", "/v1/uploads/" + "a".repeat(32), "key", null);
            assertEquals(504, r.statusCode());
            assertEquals("GATEWAY_TIMEOUT", JSON.readTree(r.body()).path("code").asText());
        }
    }

    private static APIGatewayProxyResponseEvent ok(String body) {
        return new APIGatewayProxyResponseEvent().withStatusCode(200)
                .withHeaders(new java.util.HashMap<>(Map.of("Content-Type", "application/json")))
                .withBody(body);
    }

    /** The gateway over a test function, with one accepted key ({@code key}) and the viewer's origin set. */
    private final class Gateway implements AutoCloseable {
        final AtomicInteger calls = new AtomicInteger();
        final LocalFunction<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> function;
        final ApiGatewayServer server;

        Gateway(String document, Function<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> answer)
                throws Exception {
            RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> h = (e, c) -> {
                calls.incrementAndGet();
                return answer.apply(e);
            };
            function = new LocalFunction<>("ApiFunction", "eu-central-1", APIGatewayProxyRequestEvent.class,
                    () -> h, 2, Duration.ofSeconds(15));
            server = new ApiGatewayServer(ApiGatewayDocument.parse(document), function, "prod", "key",
                    "eu-central-1");
            server.allowOrigin(ORIGIN);
        }

        HttpResponse<String> send(String method, String path, String key, String body, String... headers)
                throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).method(method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (key != null) b.header("x-api-key", key);
            if (body != null) b.header("Content-Type", "application/json");
            if (headers.length > 0) b.headers(headers);
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** A gateway answer must be what the contract promises (problem+json, nosniff, the declared status). */
        void checked(String method, String path, HttpResponse<String> r) {
            ApiContract.assertValid(method, path, r.statusCode(), r.headers().map(), r.body());
        }

        @Override
        public void close() {
            server.close();
            function.close();
        }
    }
}
