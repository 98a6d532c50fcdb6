package org.hipoa.api;

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
import io.swagger.v3.oas.models.responses.ApiResponse;
import org.hipoa.domain.Reason;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    static JsonNode read(Path p) {
        try {
            return YAML.readTree(Files.readString(p));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
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
            assertEquals(Set.of(PathItem.HttpMethod.valueOf(r.method())), ops.keySet(), r.resource());
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
                if (m.getKey().equals("parameters")) return;
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
    void templateYaml_takesItsApiFromTheDocument_andAddsNoRouteOrAuthOfItsOwn() {
        JsonNode t = read(Path.of("../../template.yaml"));
        JsonNode api = t.at("/Resources/HipoaApi/Properties");
        assertEquals("AWS::Include", api.at("/DefinitionBody/Fn::Transform/Name").asText());
        assertEquals("functions/api/openapi.yaml", api.at("/DefinitionBody/Fn::Transform/Parameters/Location").asText());
        assertFalse(api.has("Auth"), "security lives in the document");
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
                "Cache-Control", List.of("no-store"));
        Map<String, List<String>> problem = Map.of("Content-Type", List.of("application/problem+json"),
                "Cache-Control", List.of("no-store"));
        String good = "{\"uploadId\":\"" + id + "\",\"status\":\"RECEIVED\",\"receivedAt\":\"2026-11-27T10:00:00.000Z\","
                + "\"updatedAt\":\"2026-11-27T10:00:00.000Z\"";
        ApiContract.assertValid("GET", "/v1/uploads/" + id, 200, json, good + "}");
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
                () -> ApiContract.assertValid("GET", "/v1/providers/acme/updates", 200, json, "{\"results\":[]}"));
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

    static JsonNode parse(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
