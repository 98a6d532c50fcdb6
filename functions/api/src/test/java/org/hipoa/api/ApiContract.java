package org.hipoa.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.schema.SchemaValidator;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The partner contract, {@code functions/api/openapi.yaml}, as a test oracle: every response a test sees — from the
 * handler directly or through the local API Gateway — must validate against it (status declared for the operation,
 * required headers, media type, body schema). Shared with infra/local through this module's test-jar.
 *
 * <p>A response to a path or method the document has no operation for (what the {@code /v1/{proxy+}} catch-all
 * forwards) must be the document's 404 or 405 problem: {@code application/problem+json}, a body valid against
 * {@code #/components/schemas/Problem}, and for 405 an {@code Allow} header.
 */
public final class ApiContract {
    /** The document's text, from the test classpath (this module's test resources, or its test-jar). */
    public static final String DOCUMENT = read();
    public static final OpenAPI MODEL = parse(DOCUMENT);
    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createForInlineApiSpecification(DOCUMENT)
            .withBasePathOverride("/") // the document's server URL ends in the stage (/prod); tests send /v1/...
            .build();
    private static final Set<String> NO_OPERATION = Set.of("validation.request.path.missing",
            "validation.request.operation.notAllowed");

    private ApiContract() {}

    /** A handler answer to {@code request} (the event's path and method). */
    public static void assertValid(APIGatewayProxyRequestEvent request, APIGatewayProxyResponseEvent response) {
        String method = request == null || request.getHttpMethod() == null ? "GET" : request.getHttpMethod();
        String path = request == null || request.getPath() == null ? "" : request.getPath();
        Map<String, String> headers = response.getHeaders() == null ? Map.of() : response.getHeaders();
        assertValid(method, path, response.getStatusCode(), headers.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))), response.getBody());
    }

    /**
     * One HTTP answer: {@code pathAndQuery} as the partner sent it below the stage ({@code /v1/…?…}), headers as
     * received (names in any case).
     *
     * @throws AssertionError naming every violation
     */
    public static void assertValid(String method, String pathAndQuery, int status,
                                   Map<String, List<String>> headers, String body) {
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?'))
                : pathAndQuery;
        String contentType = header(headers, "Content-Type").orElse(null);
        SimpleResponse.Builder b = SimpleResponse.Builder.status(status);
        headers.forEach(b::withHeader);
        if (contentType != null) b.withContentType(contentType);
        if (body != null && !body.isEmpty()) b.withBody(body);
        SimpleResponse response = b.build();
        Request.Method m;
        try {
            m = Request.Method.valueOf(method.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            m = null;
        }
        // Which operation answered is API Gateway's choice (a static segment beats a {param}: GET
        // /v1/studies/lookup is the lookup resource's other-method 405, not getStudy): ApiRoute knows it.
        String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        boolean documented = m != null && ApiRoute.ofPath(trimmed)
                .filter(r -> r.getKey().method().equals(method.toUpperCase(Locale.ROOT))).isPresent();
        ValidationReport report = documented ? VALIDATOR.validateResponse(path, m, response) : null;
        String where = method + " " + pathAndQuery + " -> " + status + " " + body;
        if (report == null || report.getMessages().stream().anyMatch(x -> NO_OPERATION.contains(x.getKey()))) {
            assertCatchAll(status, headers, contentType, body, where);
        } else if (report.hasErrors()) {
            throw new AssertionError("response breaks openapi.yaml: " + where + "\n" + messages(report));
        }
    }

    private static void assertCatchAll(int status, Map<String, List<String>> headers, String contentType,
                                       String body, String where) {
        if (status != 404 && status != 405) {
            throw new AssertionError("no operation in openapi.yaml answers this, so only a 404/405 problem may: "
                    + where);
        }
        if (contentType == null || !contentType.startsWith("application/problem+json")) {
            throw new AssertionError("a 404/405 must be application/problem+json: " + where);
        }
        ValidationReport r = new SchemaValidator(MODEL, new MessageResolver())
                .validate(body, MODEL.getComponents().getSchemas().get("Problem"), "response.body");
        if (r.hasErrors()) throw new AssertionError("not a Problem of openapi.yaml: " + where + "\n" + messages(r));
        if (status == 405) {
            String allow = header(headers, "Allow").orElseThrow(() -> new AssertionError("405 without Allow: "
                    + where));
            if (!MODEL.getComponents().getHeaders().get("Allow").getSchema().getEnum().contains(allow)) {
                throw new AssertionError("Allow " + allow + " is not a method of openapi.yaml: " + where);
            }
        }
    }

    private static Optional<String> header(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .flatMap(e -> e.getValue().stream()).findFirst();
    }

    private static String messages(ValidationReport r) {
        return r.getMessages().stream().map(x -> "  " + x.getLevel() + " " + x.getKey() + ": " + x.getMessage())
                .collect(Collectors.joining("\n"));
    }

    private static String read() {
        try (InputStream in = ApiContract.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) throw new IllegalStateException("openapi.yaml is not on the test classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static OpenAPI parse(String text) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        var result = new OpenAPIV3Parser().readContents(text, null, options);
        if (result.getOpenAPI() == null) throw new IllegalStateException("openapi.yaml: " + result.getMessages());
        return result.getOpenAPI();
    }
}
