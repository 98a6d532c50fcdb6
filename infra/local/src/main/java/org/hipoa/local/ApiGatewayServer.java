package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.hipoa.local.ApiGatewayDocument.GatewayResponse;
import org.hipoa.local.ApiGatewayDocument.LambdaProxy;
import org.hipoa.local.ApiGatewayDocument.Method;
import org.hipoa.local.ApiGatewayDocument.Mock;
import org.hipoa.local.ApiGatewayDocument.Value;
import org.hipoa.local.internal.EmbeddedIds;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A REST API (API Gateway v1) on 127.0.0.1, {@code {baseUrl}/{resource path}}, built from the OpenAPI document
 * template.yaml gives API Gateway ({@link ApiGatewayDocument}): its resources and methods (a static segment before a
 * {@code {param}} before a greedy {@code {proxy+}}, as API Gateway prefers), each method's api-key requirement, its
 * request validator, its integration — a Lambda proxy call of the one function this stack runs for the API, or a
 * mock (the CORS preflights) — and the document's gateway responses for its own answers. A function body with
 * {@code isBase64Encoded} goes out as bytes when the request's Accept names one of the document's binary media
 * types, else as the base64 text, as API Gateway sends it. Lambda's 6 MB limit on a synchronous response holds:
 * a larger function response fails the invocation, and the caller gets the gateway's 502.
 */
public final class ApiGatewayServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Lambda's limit on a synchronous invocation's response: 6 MB, as Lambda counts it. */
    public static final int LAMBDA_RESPONSE_LIMIT = 6_291_556;
    /** The stand-in names of the template's resources that the document's {@code Fn::Sub} values may use. */
    static final String VIEWER_DOMAIN = "ViewerDistribution.DomainName";
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!]+)}");
    private static final PojoSerializer<APIGatewayProxyResponseEvent> RESPONSE_SERIALIZER = LambdaEventSerializers
            .serializerFor(APIGatewayProxyResponseEvent.class, ApiGatewayServer.class.getClassLoader());

    /** One resource of the document, such as {@code /v1/uploads/{uploadId}}, and its methods. */
    private record Resource(String path, String[] segments, Map<String, Method> methods) {
        Optional<Map<String, String>> match(String[] request) {
            boolean greedy = segments[segments.length - 1].endsWith("+}");
            if (greedy ? request.length < segments.length : request.length != segments.length) return Optional.empty();
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < segments.length; i++) {
                String s = segments[i];
                if (s.endsWith("+}")) {
                    String rest = String.join("/", java.util.Arrays.copyOfRange(request, i, request.length));
                    if (rest.isEmpty()) return Optional.empty();
                    params.put(s.substring(1, s.length() - 2), ProxyEvent.decode(rest));
                } else if (s.startsWith("{")) {
                    if (request[i].isEmpty()) return Optional.empty();
                    params.put(s.substring(1, s.length() - 1), ProxyEvent.decode(request[i]));
                } else if (!s.equals(request[i])) {
                    return Optional.empty();
                }
            }
            return Optional.of(params);
        }

        /** API Gateway's preference, segment by segment: static, then {param}, then greedy. */
        int[] rank() {
            int[] r = new int[segments.length];
            for (int i = 0; i < segments.length; i++) {
                r[i] = segments[i].endsWith("+}") ? 2 : segments[i].startsWith("{") ? 1 : 0;
            }
            return r;
        }
    }

    /** API Gateway's own answers the local gateway gives, with the default status and message of each. */
    enum GatewayError {
        MISSING_AUTHENTICATION_TOKEN(403, "Missing Authentication Token"),
        INVALID_API_KEY(403, "Forbidden"),
        BAD_REQUEST_PARAMETERS(400, "Missing required request parameters"),
        BAD_REQUEST_BODY(400, "Invalid request body"),
        INTEGRATION_TIMEOUT(504, "Endpoint request timed out"),
        /** A Lambda proxy function that failed or answered malformed: a 502 of no type of its own. */
        LAMBDA_FAILED(502, "Internal server error");

        final int status;
        final String message;

        GatewayError(int status, String message) {
            this.status = status;
            this.message = message;
        }
    }

    private final ApiGatewayDocument document;
    private final LambdaFunction<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> function;
    private final String functionArn;
    private final List<Resource> resources;
    private final Map<String, String> variables = new ConcurrentHashMap<>();
    private final String stage;
    private final String apiKey;
    private final Set<String> apiKeys = ConcurrentHashMap.newKeySet();
    private volatile String viewerOrigin;
    private final String region;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ExecutorService invocations = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param document the API as template.yaml gives it to API Gateway
     * @param function the function the document's Lambda integrations must name (its logical id is its name)
     * @throws ApiGatewayDocument.NotImplemented when the document integrates anything else or names a template
     *                                           resource this stack does not run
     */
    public ApiGatewayServer(ApiGatewayDocument document,
                            LambdaFunction<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> function,
                            String stage, String apiKey, String region) throws IOException {
        this.document = document;
        this.function = function;
        this.functionArn = "arn:aws:lambda:" + region + ":" + EmbeddedIds.ACCOUNT + ":function:" + function.name();
        this.stage = stage;
        this.apiKey = apiKey;
        this.apiKeys.add(apiKey);
        this.region = region;
        variables.put("AWS::Partition", "aws");
        variables.put("AWS::Region", region);
        variables.put("AWS::AccountId", EmbeddedIds.ACCOUNT);
        variables.put("AWS::URLSuffix", "amazonaws.com");
        for (String v : document.subVariables()) {
            // SAM's names for the function: its logical id, its ARN, its AutoPublishAlias ({id}Alias{alias}).
            Matcher alias = Pattern.compile(Pattern.quote(function.name()) + "Alias(\\w+)").matcher(v);
            if (alias.matches()) variables.put(v, functionArn + ":" + alias.group(1));
            else if (v.equals(function.name()) || v.equals(function.name() + ".Arn")) variables.put(v, functionArn);
            else if (!variables.containsKey(v) && !v.equals(VIEWER_DOMAIN)) {
                throw new ApiGatewayDocument.NotImplemented("${" + v + "}", "a template resource the local stack"
                        + " does not run");
            }
        }
        List<Resource> rs = new java.util.ArrayList<>();
        document.resources().forEach((path, methods) -> {
            for (Method m : methods.values()) {
                if (m.integration() instanceof LambdaProxy p && !invokesTheFunction(substitute(p.uri()))) {
                    throw new ApiGatewayDocument.NotImplemented(path + " " + m.httpMethod(), "an integration of "
                            + substitute(p.uri()) + " (the local stack runs " + function.name() + ")");
                }
            }
            rs.add(new Resource(path, path.equals("/") ? new String[0] : path.substring(1).split("/"), methods));
        });
        rs.sort((a, b) -> java.util.Arrays.compare(a.rank(), b.rank()));
        this.resources = List.copyOf(rs);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        this.executor = Executors.newFixedThreadPool(4,
                r -> Thread.ofPlatform().daemon().name("api-gateway").unstarted(r));
        server.setExecutor(executor);
        server.createContext("/", this::exchange);
        server.start();
    }

    /** Whether a Lambda integration's URI names this stack's function (or an alias of it). */
    private boolean invokesTheFunction(String uri) {
        String prefix = "arn:aws:apigateway:" + region + ":lambda:path/2015-03-31/functions/";
        String suffix = "/invocations";
        if (uri == null || !uri.startsWith(prefix) || !uri.endsWith(suffix)) return false;
        String target = uri.substring(prefix.length(), uri.length() - suffix.length());
        return target.equals(functionArn) || target.startsWith(functionArn + ":");
    }

    /** {@code http://127.0.0.1:port/{stage}}: append a resource path such as {@code /v1/uploads/…}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + stage);
    }

    public String apiKey() {
        return apiKey;
    }

    /** Accept one more API key (another partner in the usage plan); what it may read is its grant's business. */
    public void addApiKey(String key) {
        if (key == null || key.isBlank()) throw new IllegalArgumentException("empty API key");
        apiKeys.add(key);
    }

    /**
     * The viewer's origin, where the document names the distribution's ({@code https://${ViewerDistribution
     * .DomainName}}): the local stand-in serves plain HTTP on 127.0.0.1. Unset, values that name it are left out.
     */
    public void allowOrigin(String origin) {
        this.viewerOrigin = origin;
    }

    /** The document's binary media types. */
    public List<String> binaryMediaTypes() {
        return document.binaryMediaTypes();
    }

    private void exchange(HttpExchange ex) throws IOException {
        try (ex) {
            String requestId = UUID.randomUUID().toString();
            ex.getResponseHeaders().set("x-amzn-RequestId", requestId);
            String rawPath = ex.getRequestURI().getRawPath();
            String stagePrefix = "/" + stage;
            if (!rawPath.startsWith(stagePrefix + "/")) {
                gateway(ex, GatewayError.MISSING_AUTHENTICATION_TOKEN);
                return;
            }
            String path = rawPath.substring(stagePrefix.length());
            String[] segments = path.substring(1).split("/", -1);
            for (Resource r : resources) {
                Optional<Map<String, String>> params = r.match(segments);
                if (params.isEmpty()) continue;
                String verb = ex.getRequestMethod().toUpperCase(Locale.ROOT);
                Method m = r.methods().getOrDefault(verb, r.methods().get("ANY"));
                if (m == null) {
                    gateway(ex, GatewayError.MISSING_AUTHENTICATION_TOKEN);
                    return;
                }
                String key = ex.getRequestHeaders().getFirst("x-api-key");
                if (m.apiKeyRequired() && (key == null || !apiKeys.contains(key))) {
                    gateway(ex, GatewayError.INVALID_API_KEY);
                    return;
                }
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readAllBytes();
                }
                Map<String, List<String>> query = ProxyEvent.query(ex.getRequestURI().getRawQuery());
                Optional<GatewayError> invalid = RequestValidation.check(m, ex.getRequestHeaders(), query, body);
                if (invalid.isPresent()) {
                    gateway(ex, invalid.get());
                    return;
                }
                switch (m.integration()) {
                    case Mock mock -> mock(ex, mock);
                    case LambdaProxy proxy -> proxy(ex, proxy, r.path(), path, params.get(), query, body, requestId,
                            key);
                }
                return;
            }
            gateway(ex, GatewayError.MISSING_AUTHENTICATION_TOKEN);
        }
    }

    private void proxy(HttpExchange ex, LambdaProxy proxy, String resource, String path, Map<String, String> params,
                       Map<String, List<String>> query, byte[] body, String requestId, String key) throws IOException {
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        boolean binaryBody = contentType != null
                && document.binaryMediaTypes().contains(ProxyEvent.mediaType(contentType));
        String event = ProxyEvent.json(ex, resource, path, params, query, body, binaryBody, stage, requestId, key);
        Future<APIGatewayProxyResponseEvent> call = invocations.submit(() -> function.invoke(event));
        APIGatewayProxyResponseEvent response;
        try {
            response = call.get(proxy.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            gateway(ex, GatewayError.INTEGRATION_TIMEOUT); // the function runs on, as Lambda's does
            return;
        } catch (ExecutionException e) {
            System.err.println("local api gateway: " + e.getCause().getMessage());
            gateway(ex, GatewayError.LAMBDA_FAILED);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gateway(ex, GatewayError.LAMBDA_FAILED);
            return;
        }
        if (response == null || response.getStatusCode() == null) {
            gateway(ex, GatewayError.LAMBDA_FAILED);
            return;
        }
        long size = serialisedSize(response);
        if (size > LAMBDA_RESPONSE_LIMIT) {
            System.err.println("local api gateway: " + function.name() + ": Response payload size (" + size
                    + " bytes) exceeded maximum allowed payload size (" + LAMBDA_RESPONSE_LIMIT + " bytes).");
            gateway(ex, GatewayError.LAMBDA_FAILED);
            return;
        }
        writeResponse(ex, response);
    }

    /** The response as the Lambda Java runtime sends it back: what Lambda's payload limit counts. */
    static long serialisedSize(APIGatewayProxyResponseEvent response) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RESPONSE_SERIALIZER.toJson(response, out);
        return out.size();
    }

    private void mock(HttpExchange ex, Mock mock) throws IOException {
        mock.headers().forEach((name, v) -> header(v).ifPresent(h -> ex.getResponseHeaders().set(name, h)));
        ex.sendResponseHeaders(mock.status(), -1);
    }

    private void writeResponse(HttpExchange ex, APIGatewayProxyResponseEvent r) throws IOException {
        if (r.getHeaders() != null) r.getHeaders().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        if (r.getMultiValueHeaders() != null) {
            r.getMultiValueHeaders().forEach((k, vs) -> vs.forEach(v -> ex.getResponseHeaders().add(k, v)));
        }
        boolean binary = Boolean.TRUE.equals(r.getIsBase64Encoded())
                && acceptsBinary(ex.getRequestHeaders().getFirst("Accept"));
        byte[] body = r.getBody() == null ? new byte[0]
                : binary ? Base64.getDecoder().decode(r.getBody())
                : r.getBody().getBytes(StandardCharsets.UTF_8);
        send(ex, r.getStatusCode(), body);
    }

    /** API Gateway converts a base64 body to bytes when the Accept header's first type is a binary media type. */
    boolean acceptsBinary(String accept) {
        if (accept == null || accept.isBlank()) return false;
        return document.binaryMediaTypes().contains(ProxyEvent.mediaType(accept.split(",")[0]));
    }

    /**
     * API Gateway's own answer: the document's gateway response of that type, else its DEFAULT_4XX/DEFAULT_5XX
     * (whose status, when set, replaces the type's default), else API Gateway's built-in {@code {"message": …}}.
     */
    private void gateway(HttpExchange ex, GatewayError error) throws IOException {
        String fallback = error.status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX";
        Optional<GatewayResponse> own = document.gatewayResponse(error.name());
        Optional<GatewayResponse> dflt = document.gatewayResponse(fallback);
        GatewayResponse r = own.or(() -> dflt).orElse(new GatewayResponse(Optional.empty(), Map.of(),
                Optional.empty()));
        int status = own.flatMap(GatewayResponse::status)
                .or(() -> dflt.flatMap(GatewayResponse::status)).orElse(error.status);
        String body = r.body().orElseGet(() -> JSON.createObjectNode().put("message", error.message).toString());
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("x-amzn-ErrorType", error.name());
        r.headers().forEach((name, v) -> header(v).ifPresent(h -> ex.getResponseHeaders().set(name, h)));
        send(ex, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** A static mapping value ({@code 'text'}) as API Gateway sends it; empty when it names the absent viewer. */
    private Optional<String> header(Value v) {
        String text = v.sub() ? substitute(v) : v.text();
        if (text == null) return Optional.empty();
        return Optional.of(text.substring(1, text.length() - 1));
    }

    /** {@code Fn::Sub} as CloudFormation resolves it, with this stack's stand-ins; null when the viewer is absent. */
    private String substitute(Value v) {
        String origin = viewerOrigin;
        String text = v.text();
        if (text.contains("${" + VIEWER_DOMAIN + "}")) {
            if (origin == null) return null;
            text = text.replace("https://${" + VIEWER_DOMAIN + "}", origin)
                    .replace("${" + VIEWER_DOMAIN + "}", URI.create(origin).getAuthority());
        }
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(variables.get(m.group(1))));
        return m.appendTail(out).toString();
    }

    /** The region the API lives in (for logs and the printed URL only). */
    public String region() {
        return region;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        invocations.shutdownNow();
    }
}
