package org.hipoa.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.schema.SchemaValidator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.hipoa.domain.Reason;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * openapi.yaml is the single source of the partner API: the handler's routing table, template.yaml's API and the
 * document must agree, and what the document promises must hold for what the code emits.
 */
class ApiContractTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final JsonNode DOC = read(Path.of("openapi.yaml"));
    static final String INTEGRATION_URI =
            "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ApiFunctionAliaslive}/invocations";
    /** The one origin CORS names, as AWS::Include resolves it (a static API Gateway value, hence the quotes). */
    static final String VIEWER_ORIGIN_SUB = "'https://${ViewerDistribution.DomainName}'";

    static JsonNode read(Path p) {
        try {
            return YAML.readTree(Files.readString(p));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * API Gateway's REST import takes OpenAPI 2.0 and 3.0 only and refuses a 3.1 document ("Invalid OpenAPI
     * input."): the document template.yaml gives it must be 3.0.x and read as 3.0 without a message, and a 3.1
     * keyword in it must be noticed (the negative control).
     */
    @Test
    void theDocumentApiGatewayImports_isOpenApi30_andParsesAs30WithoutAMessage() {
        assertTrue(DOC.get("openapi").asText().matches("3\\.0\\.\\d+"), "openapi: " + DOC.get("openapi"));
        SwaggerParseResult r = parse30(ApiContract.DOCUMENT);
        assertEquals(List.of(), r.getMessages());
        assertEquals(SpecVersion.V30, r.getOpenAPI().getSpecVersion());
        String withConst = ApiContract.DOCUMENT.replace("schema: {type: string, enum: [no-store]}",
                "schema: {type: string, const: no-store}");
        assertFalse(withConst.equals(ApiContract.DOCUMENT));
        assertFalse(parse30(withConst).getMessages().isEmpty(), "const is 3.1 (JSON Schema 2020-12), not 3.0");
    }

    private static SwaggerParseResult parse30(String text) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new OpenAPIV3Parser().readContents(text, null, options);
    }

    /**
     * API Gateway checks every method's request before the function runs (required parameters, and the body
     * against its model), and its refusals are this document's 400 problems.
     */
    @Test
    void everyMethod_hasApiGatewaysRequestValidator_forParametersAndBody() {
        JsonNode validators = DOC.get("x-amazon-apigateway-request-validators");
        String fallback = DOC.path("x-amazon-apigateway-request-validator").asText(null);
        DOC.get("paths").properties().forEach(p -> p.getValue().properties().forEach(m -> {
            if (m.getKey().equals("parameters")) return;
            String name = m.getValue().path("x-amazon-apigateway-request-validator").asText(fallback);
            String where = p.getKey() + " " + m.getKey();
            assertTrue(name != null && validators.has(name), where + ": validator " + name);
            assertTrue(validators.get(name).path("validateRequestParameters").asBoolean(), where);
            assertTrue(validators.get(name).path("validateRequestBody").asBoolean(), where);
        }));
        for (String type : List.of("BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY")) {
            JsonNode r = DOC.at("/x-amazon-apigateway-gateway-responses/" + type);
            assertEquals(400, r.path("statusCode").asInt(), type);
            assertEquals("'application/problem+json'",
                    r.at("/responseParameters/gatewayresponse.header.Content-Type").asText(), type);
        }
    }

    @Test
    void theDocumentsPaths_areExactlyApiRoutes_withOneOperationEach() {
        Set<String> documented = new TreeSet<>();
        DOC.get("paths").fieldNames().forEachRemaining(documented::add);
        Set<String> routed = new TreeSet<>(ApiRoute.resources());
        routed.add(ApiRoute.CATCH_ALL);
        assertEquals(routed, documented);
        for (ApiRoute r : ApiRoute.values()) {
            PathItem item = ApiContract.MODEL.getPaths().get(r.resource());
            Map<PathItem.HttpMethod, Operation> ops = item.readOperationsMap();
            // The partner operation, and the browser's preflight (see everyRoute_answersTheViewersPreflight...).
            assertEquals(Set.of(PathItem.HttpMethod.valueOf(r.method()), PathItem.HttpMethod.OPTIONS), ops.keySet(),
                    r.resource());
        }
        assertTrue(ApiContract.MODEL.getPaths().get(ApiRoute.CATCH_ALL).readOperations().isEmpty(),
                "the catch-all is API Gateway's only (x-amazon-apigateway-any-method), not a partner operation");
    }

    @Test
    void everyPathReachesTheFunctionsAlias_forEveryMethod_withTheApiKeyRequired() {
        assertEquals("apiKey", DOC.at("/security/0").fieldNames().next());
        assertEquals("x-api-key", DOC.at("/components/securitySchemes/apiKey/name").asText());
        DOC.get("paths").properties().forEach(e -> {
            List<JsonNode> operations = new ArrayList<>();
            e.getValue().properties().forEach(m -> {
                if (m.getKey().equals("parameters") || m.getKey().equals("options")) return; // preflight: a mock
                operations.add(m.getValue());
            });
            assertTrue(e.getValue().has("x-amazon-apigateway-any-method"), e.getKey() + ": other methods get 405");
            for (JsonNode op : operations) {
                JsonNode i = op.get("x-amazon-apigateway-integration");
                assertEquals("aws_proxy", i.get("type").asText(), e.getKey());
                assertEquals("POST", i.get("httpMethod").asText(), e.getKey());
                assertEquals(INTEGRATION_URI, i.at("/uri/Fn::Sub").asText(), e.getKey());
                assertFalse(op.has("security") && op.get("security").isEmpty(), e.getKey() + " drops the key");
            }
        });
    }

    @Test
    void everyRoute_answersTheViewersPreflight_withoutAKey_forItsMethodOnly() {
        for (ApiRoute r : ApiRoute.values()) {
            JsonNode op = DOC.get("paths").get(r.resource()).get("options");
            String where = r.resource() + " OPTIONS";
            assertTrue(op != null, where);
            assertTrue(op.get("security").isArray() && op.get("security").isEmpty(), where + ": a preflight has no key");
            JsonNode i = op.get("x-amazon-apigateway-integration");
            assertEquals("mock", i.get("type").asText(), where + ": API Gateway answers, not the function");
            assertEquals(204, parse(i.at("/requestTemplates/application~1json").asText()).get("statusCode").asInt());
            JsonNode answer = i.at("/responses/default");
            assertEquals("204", answer.get("statusCode").asText(), where);
            JsonNode p = answer.get("responseParameters");
            assertEquals(VIEWER_ORIGIN_SUB,
                    p.at("/method.response.header.Access-Control-Allow-Origin/Fn::Sub").asText(), where);
            assertEquals("'" + r.method() + ",OPTIONS'",
                    p.get("method.response.header.Access-Control-Allow-Methods").asText(), where);
            assertTrue(p.get("method.response.header.Access-Control-Allow-Headers").asText().contains("x-api-key"),
                    where + ": the viewer sends its key in x-api-key");
            assertEquals("'nosniff'", p.path("method.response.header.X-Content-Type-Options").asText(), where);
            // API Gateway's import refuses a mapping to a header the method response does not declare.
            String ref = op.at("/responses/204/$ref").asText();
            JsonNode declared = DOC.at(ref.substring(1) + "/headers");
            p.fieldNames().forEachRemaining(name -> assertTrue(
                    declared.has(name.substring("method.response.header.".length())), where + ": " + name));
        }
        assertTrue(DOC.at("/paths/" + ApiRoute.CATCH_ALL.replace("/", "~1") + "/options").isMissingNode(),
                "no preflight outside the partner routes");
    }

    @Test
    void theGatewaysOwnAnswers_nameTheViewersOrigin_andPngIsBinary() {
        DOC.get("x-amazon-apigateway-gateway-responses").properties().forEach(e -> {
            assertEquals(VIEWER_ORIGIN_SUB, e.getValue()
                    .at("/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin/Fn::Sub").asText(),
                    e.getKey());
            assertEquals("'nosniff'", e.getValue()
                    .at("/responseParameters/gatewayresponse.header.X-Content-Type-Options").asText(), e.getKey());
        });
        assertEquals(List.of("image/png"), ApiContract.BINARY_MEDIA_TYPES);
        // The function names the same origin (VIEWER_ORIGIN), from the same distribution.
        JsonNode env = read(Path.of("../../template.yaml"))
                .at("/Resources/ApiFunction/Properties/Environment/Variables/VIEWER_ORIGIN");
        assertEquals(VIEWER_ORIGIN_SUB, "'" + env.asText() + "'");
    }

    @Test
    void templateYaml_takesItsApiFromTheDocument_andAddsNoRouteOrAuthOfItsOwn() {
        JsonNode t = read(Path.of("../../template.yaml"));
        JsonNode api = t.at("/Resources/HipoaApi/Properties");
        assertEquals("AWS::Include", api.at("/DefinitionBody/Fn::Transform/Name").asText());
        assertEquals("functions/api/openapi.yaml", api.at("/DefinitionBody/Fn::Transform/Parameters/Location").asText());
        assertFalse(api.has("Auth"), "security lives in the document");
        // SAM cannot edit an included definition; what it would add lives in the document, once.
        for (String p : List.of("Cors", "GatewayResponses", "BinaryMediaTypes")) {
            assertFalse(api.has(p), p + " lives in the document");
        }
        assertFalse(api.has("DefinitionUri"));
        t.get("Resources").properties().forEach(r -> {
            JsonNode events = r.getValue().at("/Properties/Events");
            events.properties().forEach(ev -> assertFalse(ev.getValue().path("Type").asText().equals("Api"),
                    r.getKey() + "." + ev.getKey() + " would add a route outside openapi.yaml"));
            if (r.getKey().equals("HipoaApiUsagePlanKey")) {
                assertFalse(r.getValue().has("DependsOn"), "W3005: its Refs already order it");
            }
        });
    }

    /**
     * A handled 500 is a successful Lambda invocation and API Gateway's 502/504 are no function error either: only
     * API Gateway's 5XXError metric of the stage partners call sees them all, and it must page someone.
     */
    @Test
    void apiGateways5xx_onTheStagePartnersCall_raisesAnAlarm() {
        JsonNode t = read(Path.of("../../template.yaml"));
        JsonNode api = t.at("/Resources/HipoaApi/Properties");
        List<JsonNode> alarms = new ArrayList<>();
        t.get("Resources").forEach(r -> {
            if (r.path("Type").asText().equals("AWS::CloudWatch::Alarm")
                    && r.at("/Properties/Namespace").asText().equals("AWS/ApiGateway")
                    && r.at("/Properties/MetricName").asText().equals("5XXError")) {
                alarms.add(r.get("Properties"));
            }
        });
        assertEquals(1, alarms.size(), "one 5XXError alarm");
        JsonNode alarm = alarms.getFirst();
        Map<String, String> dimensions = new LinkedHashMap<>();
        alarm.get("Dimensions").forEach(d -> dimensions.put(d.get("Name").asText(), d.get("Value").asText()));
        assertEquals(Map.of("ApiName", api.get("Name").asText(), "Stage", api.get("StageName").asText()),
                dimensions);
        assertEquals("AlarmTopic", alarm.at("/AlarmActions/0").asText());
        assertEquals(0, alarm.get("Threshold").asInt());
        assertEquals("GreaterThanThreshold", alarm.get("ComparisonOperator").asText());
    }

    @Test
    void everyProblemCodeTheCodeEmits_isInTheDocument() {
        Set<String> documented = new TreeSet<>();
        DOC.at("/components/schemas/Problem/properties/code/enum").forEach(n -> documented.add(n.asText()));
        // The handler's codes (ApiError and the 500) and the local gateway's, mirroring the gateway responses.
        for (String c : List.of("BAD_REQUEST", "FORBIDDEN", "NOT_FOUND", "METHOD_NOT_ALLOWED", "INTERNAL_ERROR",
                "BAD_GATEWAY", "TOO_MANY_REQUESTS", "GATEWAY_TIMEOUT")) {
            assertTrue(documented.contains(c), c);
        }
        DOC.get("x-amazon-apigateway-gateway-responses").properties().forEach(e -> {
            JsonNode body = parse(e.getValue().at("/responseTemplates/application~1json").asText());
            assertTrue(documented.contains(body.get("code").asText()), e.getKey());
            assertEquals(e.getValue().get("statusCode").asInt(), body.get("status").asInt(), e.getKey());
            var r = new SchemaValidator(ApiContract.MODEL, new MessageResolver()).validate(body.toString(),
                    ApiContract.MODEL.getComponents().getSchemas().get("Problem"), "gateway");
            assertFalse(r.hasErrors(), e.getKey() + ": " + r.getMessages());
        });
    }

    @Test
    void theOracleRefuses_whatTheDocumentForbids() {
        String id = "0123456789abcdef0123456789abcdef";
        Map<String, List<String>> json = Map.of("Content-Type", List.of("application/json"),
                "Cache-Control", List.of("no-store"), "X-Content-Type-Options", List.of("nosniff"));
        Map<String, List<String>> problem = Map.of("Content-Type", List.of("application/problem+json"),
                "Cache-Control", List.of("no-store"), "X-Content-Type-Options", List.of("nosniff"));
        String good = "{\"uploadId\":\"" + id + "\",\"status\":\"RECEIVED\",\"receivedAt\":\"2026-11-27T10:00:00.000Z\","
                + "\"updatedAt\":\"2026-11-27T10:00:00.000Z\"";
        ApiContract.assertValid("GET", "/v1/uploads/" + id, 200, json, good + "}");
        // What a hip route may answer: a grey PNG's bytes (through HTTP, or base64 from the handler), the heatmaps,
        // a preflight.
        Map<String, List<String>> png = Map.of("Content-Type", List.of("image/png"),
                "Cache-Control", List.of("no-store"), "X-Content-Type-Options", List.of("nosniff"));
        ApiContract.assertValid("GET", "/v1/uploads/" + id + "/hips/left.png", 200, png,
                png(BufferedImage.TYPE_BYTE_GRAY));
        ApiContract.assertValid(new APIGatewayProxyRequestEvent().withHttpMethod("GET")
                .withPath("/v1/uploads/" + id + "/hips/right.png"), new APIGatewayProxyResponseEvent()
                .withStatusCode(200).withHeaders(Map.of("Content-Type", "image/png", "Cache-Control", "no-store",
                        "X-Content-Type-Options", "nosniff"))
                .withIsBase64Encoded(true)
                .withBody(Base64.getEncoder().encodeToString(png(BufferedImage.TYPE_BYTE_GRAY))));
        ApiContract.assertValid("GET", "/v1/uploads/" + id + "/hips/left.cam.json", 200, json, CAM);
        ApiContract.assertValid("OPTIONS", "/v1/uploads/" + id + "/hips/left.png", 204, Map.of(
                "Access-Control-Allow-Origin", List.of("http://127.0.0.1:8080"),
                "Access-Control-Allow-Methods", List.of("GET,OPTIONS"),
                "Access-Control-Allow-Headers", List.of("Accept,Content-Type,x-api-key"),
                "Access-Control-Max-Age", List.of("600"), "X-Content-Type-Options", List.of("nosniff")),
                (String) null);
        List<Runnable> bad = List.of(
                // an object key leaking into a result
                () -> ApiContract.assertValid("GET", "/v1/uploads/" + id, 200, json,
                        good + ",\"objectKey\":\"incoming/acme/x.dcm\"}"),
                // the error shape before problem+json
                () -> ApiContract.assertValid("GET", "/v1/uploads/" + id, 404, json,
                        "{\"error\":\"NOT_FOUND\",\"message\":\"No result for this upload.\"}"),
                // a status the operation does not declare
                () -> ApiContract.assertValid("GET", "/v1/uploads/" + id, 418, problem,
                        "{\"type\":\"about:blank\",\"title\":\"x\",\"status\":418,\"detail\":\"x\",\"code\":\"BAD_REQUEST\"}"),
                // a 405 without Allow, and a 200 where no operation exists
                () -> ApiContract.assertValid("PUT", "/v1/uploads/" + id, 405, problem,
                        "{\"type\":\"about:blank\",\"title\":\"x\",\"status\":405,\"detail\":\"x\",\"code\":\"METHOD_NOT_ALLOWED\"}"),
                () -> ApiContract.assertValid("DELETE", "/v1/uploads/" + id, 200, json, good + "}"),
                // a listing without next
                () -> ApiContract.assertValid("GET", "/v1/providers/acme/updates", 200, json, "{\"results\":[]}"),
                // a hip picture: base64 text instead of bytes, a colour PNG, JSON for a .png, heatmaps without grade
                () -> ApiContract.assertValid("GET", "/v1/uploads/" + id + "/hips/left.png", 200, png,
                        Base64.getEncoder().encode(png(BufferedImage.TYPE_BYTE_GRAY))),
                () -> ApiContract.assertValid("GET", "/v1/uploads/" + id + "/hips/left.png", 200, png,
                        png(BufferedImage.TYPE_INT_RGB)),
                () -> ApiContract.assertValid("GET", "/v1/uploads/" + id + "/hips/left.png", 200, json, CAM),
                () -> ApiContract.assertValid("GET", "/v1/uploads/" + id + "/hips/left.cam.json", 200, json,
                        CAM.replace("\"grade\":2,", "")),
                // a handler that forgets isBase64Encoded: API Gateway would send the text
                () -> ApiContract.assertValid(new APIGatewayProxyRequestEvent().withHttpMethod("GET")
                        .withPath("/v1/uploads/" + id + "/hips/right.png"), new APIGatewayProxyResponseEvent()
                        .withStatusCode(200).withHeaders(Map.of("Content-Type", "image/png",
                                "Cache-Control", "no-store", "X-Content-Type-Options", "nosniff"))
                        .withBody(Base64.getEncoder().encodeToString(png(BufferedImage.TYPE_BYTE_GRAY)))),
                // an answer a browser may sniff
                () -> ApiContract.assertValid("GET", "/v1/uploads/" + id, 200, Map.of("Content-Type",
                        List.of("application/json"), "Cache-Control", List.of("no-store")), good + "}"),
                // a preflight without the origin
                () -> ApiContract.assertValid("OPTIONS", "/v1/uploads/" + id, 204, Map.of(
                        "Access-Control-Allow-Methods", List.of("GET,OPTIONS"),
                        "Access-Control-Allow-Headers", List.of("Accept,Content-Type,x-api-key"),
                        "Access-Control-Max-Age", List.of("600"), "X-Content-Type-Options", List.of("nosniff")),
                        (String) null));
        for (int i = 0; i < bad.size(); i++) {
            int n = i;
            org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, bad.get(i)::run, "case " + n);
        }
    }

    @Test
    void everyReasonCode_fitsTheDocumentsFailureReason() {
        Pattern p = Pattern.compile(DOC.at("/components/schemas/Failure/properties/reason/pattern").asText());
        for (Reason r : Reason.values()) assertTrue(p.matcher(r.name()).matches(), r.name());
    }

    @Test
    void everyExample_validatesAgainstItsSchema() {
        SchemaValidator v = new SchemaValidator(ApiContract.MODEL, new MessageResolver());
        // Inline responses of the operations, and the shared ones they reference (components/responses).
        Map<String, ApiResponse> responses = new LinkedHashMap<>();
        ApiContract.MODEL.getPaths().forEach((path, item) -> item.readOperations().forEach(op ->
                op.getResponses().forEach((status, r) -> responses.put(path + " " + status, r))));
        ApiContract.MODEL.getComponents().getResponses().forEach(responses::put);
        int checked = 0;
        for (var response : responses.entrySet()) {
            if (response.getValue().getContent() == null) continue; // a $ref, checked as a component
            for (MediaType m : response.getValue().getContent().values()) {
                List<Object> values = new ArrayList<>();
                if (m.getExample() != null) values.add(m.getExample());
                if (m.getExamples() != null) {
                    for (Example x : m.getExamples().values()) {
                        values.add(x.get$ref() == null ? x.getValue() : ApiContract.MODEL.getComponents()
                                .getExamples().get(x.get$ref().substring(x.get$ref().lastIndexOf('/') + 1))
                                .getValue());
                    }
                }
                for (Object value : values) {
                    var r = v.validate(Json.pretty(value), m.getSchema(), "example");
                    assertFalse(r.hasErrors(), response.getKey() + ": " + r.getMessages());
                    checked++;
                }
            }
        }
        assertTrue(checked >= 12, "examples checked: " + checked);
    }

    /** Heatmaps of one hip on a 1 x 2 grid, as the inference function writes them. */
    static final String CAM = "{\"method\":\"CAM\",\"rows\":1,\"cols\":2,\"features\":{"
            + "\"fo\":{\"grade\":2,\"values\":[0.1,-0.2]},\"ao\":{\"grade\":0,\"values\":[0.0,0.3]},"
            + "\"jsn\":{\"grade\":1,\"values\":[1.5,0.2]},\"sclerosis\":{\"grade\":1,\"values\":[0.4,0.1]},"
            + "\"cysts\":{\"grade\":0,\"values\":[-0.1,0.0]}}}";

    static byte[] png(int type) {
        var out = new java.io.ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(new BufferedImage(16, 16, type), "png", out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static JsonNode parse(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
