package org.hipoa.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Draft4;
import com.networknt.schema.keyword.AnnotationKeyword;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A REST API as API Gateway imports it from an OpenAPI document: the resources and methods, each method's api-key
 * requirement, integration (Lambda proxy or mock) and request validator, the gateway responses, the binary media
 * types — read from the document and its {@code x-amazon-apigateway-*} extensions, for {@link ApiGatewayServer}.
 *
 * <p>What API Gateway refuses, this refuses ({@link Refused}): a document that is not OpenAPI 2.0 or 3.0 is
 * {@value #INVALID_INPUT}, as API Gateway answers a 3.1 document. What API Gateway has and the local gateway does not
 * (authorisers, VTL mapping templates, HTTP integrations, resource policies, 2.0 documents, …) is
 * {@link NotImplemented}: a document that uses it does not start, so nothing in it is silently ignored.
 */
public final class ApiGatewayDocument {
    /** API Gateway's answer to a document outside OpenAPI 2.0 and 3.0 (e.g. 3.1). */
    public static final String INVALID_INPUT = "Invalid OpenAPI input.";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String X = "x-amazon-apigateway-";
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head",
            "patch", "trace");
    /** API Gateway's gateway response types (Developer Guide, "Gateway response types for API Gateway"). */
    private static final Set<String> RESPONSE_TYPES = Set.of("ACCESS_DENIED", "API_CONFIGURATION_ERROR",
            "AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE", "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY",
            "DEFAULT_4XX", "DEFAULT_5XX", "EXPIRED_TOKEN", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT",
            "INVALID_API_KEY", "INVALID_SIGNATURE", "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED",
            "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND", "THROTTLED", "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE",
            "WAF_FILTERED");
    /** API Gateway's limit on an integration's timeout (and its default). */
    static final Duration MAX_INTEGRATION_TIMEOUT = Duration.ofMillis(29_000);
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!]+)}");

    /** A document API Gateway would refuse to import. */
    public static final class Refused extends IllegalArgumentException {
        Refused(String message) {
            super(message);
        }
    }

    /** Something API Gateway would do with the document that the local gateway does not implement. */
    public static final class NotImplemented extends IllegalArgumentException {
        NotImplemented(String where, String what) {
            super(where + ": " + what + " is not implemented by the local API Gateway");
        }
    }

    /**
     * A value API Gateway maps into a response: a static {@code 'text'}, as written or as CloudFormation's
     * {@code Fn::Sub} (AWS::Include) makes it; {@code sub} says whether {@code ${…}} still needs substituting.
     */
    public record Value(String text, boolean sub) {}

    /** Where a method's integration sends a request. */
    public sealed interface Integration permits LambdaProxy, Mock {}

    /** {@code aws_proxy}: the Lambda function the URI names, invoked with the REST proxy event. */
    public record LambdaProxy(Value uri, Duration timeout) implements Integration {}

    /** {@code mock}: API Gateway answers itself, with the status and static headers of the selected response. */
    public record Mock(int status, Map<String, Value> headers) implements Integration {}

    /** A request parameter the method requires (the parameter validator checks it is present and not blank). */
    public record Required(String in, String name) {}

    /** One method of one resource ({@code ANY} for {@code x-amazon-apigateway-any-method}). */
    public record Method(String resource, String httpMethod, boolean apiKeyRequired, Integration integration,
                         boolean validateParameters, boolean validateBody, List<Required> required,
                         Map<String, Schema> bodyModels) {}

    /** A gateway response as the document customises it; absent parts keep API Gateway's defaults. */
    public record GatewayResponse(Optional<Integer> status, Map<String, Value> headers, Optional<String> body) {}

    private final String version;
    private final Map<String, Map<String, Method>> resources;
    private final Map<String, GatewayResponse> gatewayResponses;
    private final List<String> binaryMediaTypes;
    private final Set<String> subVariables = new TreeSet<>();

    private ApiGatewayDocument(JsonNode doc) {
        this.version = doc.path("openapi").asText(doc.path("swagger").asText(""));
        checkExtensions(doc, "", 0);
        JsonNode security = doc.path("security");
        JsonNode schemes = doc.at("/components/securitySchemes");
        String keySource = doc.path(X + "api-key-source").asText("HEADER");
        if (!keySource.equals("HEADER")) throw new NotImplemented(X + "api-key-source", keySource);
        this.binaryMediaTypes = new ArrayList<>();
        doc.path(X + "binary-media-types").forEach(t -> binaryMediaTypes.add(t.asText().toLowerCase(Locale.ROOT)));
        for (String t : binaryMediaTypes) {
            if (t.contains("*")) throw new NotImplemented(X + "binary-media-types", "a wildcard (" + t + ")");
        }
        JsonNode validators = doc.path(X + "request-validators");
        String defaultValidator = doc.path(X + "request-validator").asText(null);
        Map<String, Map<String, Method>> rs = new LinkedHashMap<>();
        doc.path("paths").properties().forEach(p -> {
            String resource = p.getKey();
            checkResourcePath(resource);
            Map<String, Method> methods = new LinkedHashMap<>();
            JsonNode item = p.getValue();
            if (item.has("$ref")) throw new NotImplemented(resource, "a path item $ref");
            item.properties().forEach(m -> {
                String key = m.getKey();
                String httpMethod = key.equals(X + "any-method") ? "ANY"
                        : HTTP_METHODS.contains(key) ? key.toUpperCase(Locale.ROOT) : null;
                if (httpMethod == null) return; // parameters, summary, description, servers
                methods.put(httpMethod, method(doc, resource, httpMethod, item, m.getValue(), security, schemes,
                        validators, defaultValidator));
            });
            rs.put(resource, Map.copyOf(methods));
        });
        this.resources = Map.copyOf(rs);
        Map<String, GatewayResponse> grs = new LinkedHashMap<>();
        doc.path(X + "gateway-responses").properties().forEach(e -> {
            if (!RESPONSE_TYPES.contains(e.getKey())) throw new Refused("Invalid gateway response type " + e.getKey());
            grs.put(e.getKey(), gatewayResponse(X + "gateway-responses/" + e.getKey(), e.getValue()));
        });
        this.gatewayResponses = Map.copyOf(grs);
    }

    /**
     * The document as API Gateway would import it.
     *
     * @throws Refused where API Gateway refuses it
     * @throws NotImplemented where it uses what the local gateway lacks
     */
    public static ApiGatewayDocument parse(String yaml) {
        JsonNode doc;
        try {
            doc = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new Refused(INVALID_INPUT);
        }
        if (doc == null || !doc.isObject()) throw new Refused(INVALID_INPUT);
        if (doc.path("swagger").asText("").equals("2.0")) throw new NotImplemented("swagger: 2.0", "OpenAPI 2.0");
        if (!doc.path("openapi").asText("").matches("3\\.0\\.\\d+")) throw new Refused(INVALID_INPUT);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        List<String> messages = new OpenAPIV3Parser().readContents(yaml, null, options).getMessages();
        if (messages != null && !messages.isEmpty()) {
            throw new Refused("Errors found during import: " + String.join("; ", messages));
        }
        return new ApiGatewayDocument(doc);
    }

    /** The document template.yaml's {@code HipoaApi} gives API Gateway (its DefinitionBody's AWS::Include). */
    public static ApiGatewayDocument fromTemplate(Path template, String apiLogicalId) {
        try {
            JsonNode t = YAML.readTree(Files.readString(template));
            JsonNode body = t.at("/Resources/" + apiLogicalId + "/Properties/DefinitionBody");
            if (!body.at("/Fn::Transform/Name").asText().equals("AWS::Include")) {
                throw new NotImplemented(apiLogicalId, "a DefinitionBody other than AWS::Include of a file");
            }
            String location = body.at("/Fn::Transform/Parameters/Location").asText();
            if (location.isEmpty() || location.contains("://")) {
                throw new NotImplemented(apiLogicalId, "an AWS::Include Location outside the checkout");
            }
            return parse(Files.readString(template.toAbsolutePath().getParent().resolve(location)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String version() {
        return version;
    }

    /** Resource path → method ({@code GET}, …, {@code ANY}) → what API Gateway does for it. */
    public Map<String, Map<String, Method>> resources() {
        return resources;
    }

    public Optional<GatewayResponse> gatewayResponse(String type) {
        return Optional.ofNullable(gatewayResponses.get(type));
    }

    /** {@code x-amazon-apigateway-binary-media-types}, lower case. */
    public List<String> binaryMediaTypes() {
        return List.copyOf(binaryMediaTypes);
    }

    /** Every {@code ${…}} the document's {@code Fn::Sub} values name: what the stack must resolve. */
    public Set<String> subVariables() {
        return Set.copyOf(subVariables);
    }

    private Method method(JsonNode doc, String resource, String httpMethod, JsonNode item, JsonNode op,
                          JsonNode rootSecurity, JsonNode schemes, JsonNode validators, String defaultValidator) {
        String where = resource + " " + httpMethod;
        JsonNode security = op.has("security") ? op.get("security") : rootSecurity;
        boolean apiKey = false;
        if (security.size() > 1) throw new NotImplemented(where, "alternative security requirements");
        for (JsonNode requirement : security) {
            for (String scheme : (Iterable<String>) requirement::fieldNames) {
                JsonNode s = schemes.path(scheme);
                if (!s.path("type").asText().equals("apiKey") || !s.path("in").asText().equals("header")
                        || !s.path("name").asText().equalsIgnoreCase("x-api-key")) {
                    throw new NotImplemented(where, "security scheme " + scheme + " (only the x-api-key header is)");
                }
                apiKey = true;
            }
        }
        String validatorName = op.path(X + "request-validator").asText(defaultValidator);
        JsonNode validator = validatorName == null ? null : validators.get(validatorName);
        if (validatorName != null && validator == null) {
            throw new Refused(where + ": no request validator named " + validatorName);
        }
        boolean params = validator != null && validator.path("validateRequestParameters").asBoolean(false);
        boolean body = validator != null && validator.path("validateRequestBody").asBoolean(false);
        if (validator != null) only(validator, where + " request validator",
                Set.of("validateRequestParameters", "validateRequestBody"));
        List<Required> required = new ArrayList<>();
        List<JsonNode> declared = new ArrayList<>();
        item.path("parameters").forEach(declared::add);
        op.path("parameters").forEach(declared::add);
        for (JsonNode p : declared) {
            JsonNode param = resolve(doc, p);
            String in = param.path("in").asText();
            if (!Set.of("path", "query", "header").contains(in)) throw new NotImplemented(where, in + " parameters");
            if (param.path("required").asBoolean(false)) required.add(new Required(in, param.path("name").asText()));
        }
        Map<String, Schema> models = new LinkedHashMap<>();
        JsonNode content = resolve(doc, op.path("requestBody")).path("content");
        content.properties().forEach(c -> {
            JsonNode schema = c.getValue().path("schema");
            if (!schema.isMissingNode()) models.put(c.getKey().toLowerCase(Locale.ROOT), model(doc, schema));
        });
        JsonNode integration = op.path(X + "integration");
        if (integration.isMissingNode()) throw new NotImplemented(where, "a method without " + X + "integration");
        return new Method(resource, httpMethod, apiKey, integration(where, integration, op), params, body,
                List.copyOf(required), Map.copyOf(models));
    }

    private Integration integration(String where, JsonNode i, JsonNode op) {
        String type = i.path("type").asText().toLowerCase(Locale.ROOT);
        switch (type) {
            case "aws_proxy" -> {
                only(i, where + " integration", Set.of("type", "httpMethod", "uri", "passthroughBehavior",
                        "timeoutInMillis"));
                if (!i.path("httpMethod").asText().equals("POST")) {
                    throw new Refused(where + ": a Lambda integration is called with POST");
                }
                Duration timeout = Duration.ofMillis(i.path("timeoutInMillis").asLong(
                        MAX_INTEGRATION_TIMEOUT.toMillis()));
                return new LambdaProxy(value(where + " uri", i.get("uri"), false), timeout);
            }
            case "mock" -> {
                only(i, where + " integration", Set.of("type", "requestTemplates", "passthroughBehavior",
                        "responses"));
                // A mock's request template sets the status that selects its integration response; only the plain
                // JSON form is read here (a VTL template would need a template engine).
                JsonNode templates = i.path("requestTemplates");
                if (templates.size() != 1 || !templates.has("application/json")) {
                    throw new NotImplemented(where, "mock request templates other than one application/json");
                }
                String template = templates.get("application/json").asText();
                if (template.contains("$") || template.contains("#")) throw new NotImplemented(where, "VTL");
                int status;
                try {
                    status = YAML.readTree(template).path("statusCode").asInt(0);
                } catch (IOException e) {
                    throw new Refused(where + ": the mock's request template is not JSON");
                }
                JsonNode chosen = null;
                for (var r : (Iterable<Map.Entry<String, JsonNode>>) i.path("responses").properties()::iterator) {
                    if (!r.getKey().equals("default") && String.valueOf(status).matches(r.getKey())) {
                        chosen = r.getValue();
                        break;
                    }
                }
                if (chosen == null) chosen = i.path("responses").get("default");
                if (chosen == null) throw new Refused(where + ": no integration response for " + status);
                only(chosen, where + " integration response", Set.of("statusCode", "responseParameters"));
                String answer = chosen.path("statusCode").asText();
                if (!op.path("responses").has(answer)) {
                    throw new Refused(where + ": no method response " + answer + " for the integration response");
                }
                Map<String, Value> headers = new LinkedHashMap<>();
                chosen.path("responseParameters").properties().forEach(h -> {
                    if (!h.getKey().startsWith("method.response.header.")) {
                        throw new NotImplemented(where, "mapping to " + h.getKey());
                    }
                    headers.put(h.getKey().substring("method.response.header.".length()),
                            value(where + " " + h.getKey(), h.getValue(), true));
                });
                return new Mock(Integer.parseInt(answer), Map.copyOf(headers));
            }
            default -> throw new NotImplemented(where, "integration type " + type);
        }
    }

    private GatewayResponse gatewayResponse(String where, JsonNode r) {
        only(r, where, Set.of("statusCode", "responseParameters", "responseTemplates"));
        Optional<Integer> status = r.has("statusCode") ? Optional.of(r.get("statusCode").asInt()) : Optional.empty();
        Map<String, Value> headers = new LinkedHashMap<>();
        r.path("responseParameters").properties().forEach(h -> {
            if (!h.getKey().startsWith("gatewayresponse.header.")) throw new NotImplemented(where, h.getKey());
            headers.put(h.getKey().substring("gatewayresponse.header.".length()),
                    value(where + " " + h.getKey(), h.getValue(), true));
        });
        JsonNode templates = r.path("responseTemplates");
        Optional<String> body = Optional.empty();
        if (!templates.isMissingNode()) {
            if (templates.size() != 1 || !templates.has("application/json")) {
                throw new NotImplemented(where, "response templates other than one application/json");
            }
            String t = templates.get("application/json").asText();
            if (t.contains("$") || t.contains("#")) throw new NotImplemented(where, "VTL ($context, #set)");
            body = Optional.of(t);
        }
        return new GatewayResponse(status, Map.copyOf(headers), body);
    }

    /** A literal or an {@code Fn::Sub} string; {@code quoted}: a static mapping value, {@code 'text'}. */
    private Value value(String where, JsonNode v, boolean quoted) {
        Value out;
        if (v != null && v.isTextual()) {
            out = new Value(v.asText(), false);
        } else if (v != null && v.isObject() && v.size() == 1 && v.path("Fn::Sub").isTextual()) {
            out = new Value(v.get("Fn::Sub").asText(), true);
            Matcher m = SUB_VARIABLE.matcher(out.text());
            while (m.find()) subVariables.add(m.group(1));
        } else {
            throw new NotImplemented(where, "a value other than a string or Fn::Sub of a string (" + v + ")");
        }
        if (quoted && !(out.text().length() >= 2 && out.text().startsWith("'") && out.text().endsWith("'"))) {
            throw new NotImplemented(where, "a mapping expression (only static 'values' are)");
        }
        return out;
    }

    /**
     * An API Gateway model: the request body's schema as JSON Schema draft 4 (what API Gateway validates with),
     * its {@code $ref}s into components/schemas resolved within the document.
     */
    private static Schema model(JsonNode doc, JsonNode schema) {
        ObjectNode root = YAML.createObjectNode();
        root.set("components", doc.path("components").deepCopy());
        root.putArray("allOf").add(schema.deepCopy());
        return MODELS.getSchema(root);
    }

    /**
     * JSON Schema draft 4, where OpenAPI's own schema words ({@code nullable}, {@code example}) and the
     * document's {@code components} are annotations: API Gateway's models ignore them too.
     */
    private static final SchemaRegistry MODELS = SchemaRegistry.withDefaultDialect(
            Dialect.builder(Draft4.getInstance()).unknownKeywordFactory((name, context) -> new AnnotationKeyword(name))
                    .build());

    private static JsonNode resolve(JsonNode doc, JsonNode node) {
        for (int hops = 0; node.has("$ref") && hops < 8; hops++) {
            String ref = node.get("$ref").asText();
            if (!ref.startsWith("#/")) throw new NotImplemented(ref, "a $ref outside the document");
            node = doc.at(ref.substring(1));
        }
        return node;
    }

    private static void checkResourcePath(String path) {
        if (!path.startsWith("/")) throw new Refused("Invalid resource path " + path);
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (s.isEmpty() && !path.equals("/")) throw new Refused("Invalid resource path " + path);
            if (s.endsWith("+}") && i != segments.length - 1) {
                throw new Refused("A greedy path variable must be last: " + path);
            }
            if (s.contains("{") && !(s.startsWith("{") && s.endsWith("}"))) {
                throw new Refused("A path parameter must be a whole segment: " + path);
            }
        }
    }

    /** Refuses any key of {@code node} outside {@code allowed}: what would be ignored here fails instead. */
    private static void only(JsonNode node, String where, Set<String> allowed) {
        Set<String> extra = new LinkedHashSet<>();
        node.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) extra.add(k);
        });
        if (!extra.isEmpty()) throw new NotImplemented(where, String.join(", ", extra));
    }

    /**
     * Every {@code x-amazon-apigateway-*} key must be one this reads, where it reads it (the API's root, a path
     * item's any-method, an operation's integration and validator); any other (authorisers, resource policy,
     * endpoint configuration, compression, documentation, …) fails.
     */
    private static void checkExtensions(JsonNode node, String pointer, int depth) {
        if (!node.isContainerNode()) return;
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) checkExtensions(node.get(i), pointer + "/" + i, depth + 1);
            return;
        }
        for (var e : (Iterable<Map.Entry<String, JsonNode>>) node.properties()::iterator) {
            String key = e.getKey();
            String at = pointer + "/" + key;
            if (key.startsWith(X)) {
                boolean root = depth == 0 && Set.of(X + "binary-media-types", X + "api-key-source",
                        X + "gateway-responses", X + "request-validators", X + "request-validator").contains(key);
                boolean anyMethod = depth == 2 && pointer.startsWith("/paths/") && key.equals(X + "any-method");
                boolean operation = depth == 3 && pointer.startsWith("/paths/")
                        && (key.equals(X + "integration") || key.equals(X + "request-validator"));
                if (!root && !anyMethod && !operation) throw new NotImplemented(at, key);
                if (root || operation) continue; // their contents are read (and checked) by the constructor
            }
            checkExtensions(e.getValue(), at, depth + 1);
        }
    }
}
