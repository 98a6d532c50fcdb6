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
 * <p>Every answer carries {@code X-Content-Type-Options: nosniff} (the function's and API Gateway's own).
 *
 * <p>A response to a path or method the document has no operation for (what the {@code /v1/{proxy+}} catch-all
 * forwards) must be the document's 404 or 405 problem: {@code application/problem+json}, a body valid against
 * {@code #/components/schemas/Problem}, and for 405 an {@code Allow} header.
 *
 * <p>Binary bodies (the document's {@code x-amazon-apigateway-binary-media-types}, i.e. the hip PNGs): the request
 * validator checks status, headers and that the operation declares the media type, but it cannot read bytes, so
 * this class checks them itself: the body must decode as an 8-bit grey PNG (what the operation promises), and a
 * handler must hand it over base64 with {@code isBase64Encoded} (else API Gateway would send the base64 text).
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
    /** The media types API Gateway treats as binary: the document's own list. */
    @SuppressWarnings("unchecked")
    public static final List<String> BINARY_MEDIA_TYPES = List.copyOf((List<String>) MODEL.getExtensions()
            .getOrDefault("x-amazon-apigateway-binary-media-types", List.of()));
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private ApiContract() {}

    /** A handler answer to {@code request} (the event's path and method). */
    public static void assertValid(APIGatewayProxyRequestEvent request, APIGatewayProxyResponseEvent response) {
        String method = request == null || request.getHttpMethod() == null ? "GET" : request.getHttpMethod();
        String path = request == null || request.getPath() == null ? "" : request.getPath();
        Map<String, List<String>> headers = (response.getHeaders() == null ? Map.<String, String>of()
                : response.getHeaders()).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue())));
        String where = method + " " + path + " -> " + response.getStatusCode();
        byte[] body;
        if (Boolean.TRUE.equals(response.getIsBase64Encoded())) {
            try {
                body = java.util.Base64.getDecoder().decode(response.getBody() == null ? "" : response.getBody());
            } catch (IllegalArgumentException e) {
                throw new AssertionError("isBase64Encoded, but the body is not base64: " + where);
            }
        } else {
            if (isBinary(header(headers, "Content-Type").orElse(null))) {
                throw new AssertionError("a binary media type without isBase64Encoded: API Gateway would send"
                        + " text, not the bytes: " + where);
            }
            body = response.getBody() == null ? null : response.getBody().getBytes(StandardCharsets.UTF_8);
        }
        assertValid(method, path, response.getStatusCode(), headers, body);
    }

    /**
     * One HTTP answer with a text body (JSON, problem+json). A binary answer must come through
     * {@link #assertValid(String, String, int, Map, byte[])}: a PNG read into a String has lost its bytes.
     */
    public static void assertValid(String method, String pathAndQuery, int status,
                                   Map<String, List<String>> headers, String body) {
        assertValid(method, pathAndQuery, status, headers,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * One HTTP answer: {@code pathAndQuery} as the partner sent it below the stage ({@code /v1/…?…}), headers as
     * received (names in any case), the body's bytes as they came.
     *
     * @throws AssertionError naming every violation
     */
    public static void assertValid(String method, String pathAndQuery, int status,
                                   Map<String, List<String>> headers, byte[] bytes) {
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?'))
                : pathAndQuery;
        String contentType = header(headers, "Content-Type").orElse(null);
        boolean binary = isBinary(contentType);
        // The request validator reads text only: a binary body goes to it as base64 (its media type has no schema,
        // so only status, headers and the media type are checked there); its bytes are checked below.
        String body = bytes == null ? null : binary ? java.util.Base64.getEncoder().encodeToString(bytes)
                : new String(bytes, StandardCharsets.UTF_8);
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
        // OPTIONS: the preflight operation every partner resource declares (API Gateway's mock, no key).
        boolean preflight = m == Request.Method.OPTIONS;
        boolean documented = m != null && ApiRoute.ofPath(trimmed)
                .filter(r -> preflight || r.getKey().method().equals(method.toUpperCase(Locale.ROOT))).isPresent();
        ValidationReport report = documented ? VALIDATOR.validateResponse(path, m, response) : null;
        String where = method + " " + pathAndQuery + " -> " + status + " "
                + (binary ? (bytes == null ? 0 : bytes.length) + " bytes of " + contentType : body);
        if (!header(headers, "X-Content-Type-Options").map("nosniff"::equalsIgnoreCase).orElse(false)) {
            throw new AssertionError("every answer carries X-Content-Type-Options: nosniff: " + where);
        }
        if (binary) body = null; // a catch-all answer is never binary: it fails as not problem+json
        if (report == null || report.getMessages().stream().anyMatch(x -> NO_OPERATION.contains(x.getKey()))) {
            assertCatchAll(status, headers, contentType, body, where);
            return;
        }
        if (report.hasErrors()) {
            throw new AssertionError("response breaks openapi.yaml: " + where + "\n" + messages(report));
        }
        if (status == 200 && trimmed.endsWith(".png") && !"image/png".equals(mediaType(contentType))) {
            throw new AssertionError("a .png file answers image/png: " + where);
        }
        if (status == 200 && trimmed.endsWith(".json") && !"application/json".equals(mediaType(contentType))) {
            throw new AssertionError("a .json file answers application/json: " + where);
        }
        if (binary) assertGreyPng(bytes, where);
    }

    /** What the hip picture operation promises: a whole PNG, 8-bit grey, not empty. */
    private static void assertGreyPng(byte[] bytes, String where) {
        if (bytes == null || bytes.length < PNG_SIGNATURE.length
                || !java.util.Arrays.equals(bytes, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length)) {
            throw new AssertionError("image/png without the PNG signature (base64 text instead of bytes?): " + where);
        }
        java.awt.image.BufferedImage img;
        try {
            img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new AssertionError("image/png that does not decode (" + e.getMessage() + "): " + where);
        }
        if (img == null || img.getWidth() < 1 || img.getHeight() < 1) {
            throw new AssertionError("image/png that does not decode: " + where);
        }
        var cm = img.getColorModel();
        if (cm.getColorSpace().getType() != java.awt.color.ColorSpace.TYPE_GRAY || cm.getPixelSize() != 8) {
            throw new AssertionError("the hip picture is 8-bit grey, this is " + cm.getPixelSize() + "-bit "
                    + (cm.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY ? "grey" : "colour")
                    + ": " + where);
        }
    }

    private static boolean isBinary(String contentType) {
        return contentType != null && BINARY_MEDIA_TYPES.contains(mediaType(contentType));
    }

    private static String mediaType(String contentType) {
        return contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
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
