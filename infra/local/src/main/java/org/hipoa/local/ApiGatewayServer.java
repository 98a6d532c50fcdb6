package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A REST API (API Gateway v1) with Lambda proxy integration, on 127.0.0.1: {@code {baseUrl}/{resource path}}.
 * It matches the request to one of the declared resources (static segments before {@code {param}} ones, as API
 * Gateway does), checks the {@code x-api-key} header like a method with {@code ApiKeyRequired}, builds the
 * APIGatewayProxyRequestEvent JSON, and writes back the function's statusCode/headers/body. Its own answers are the
 * contract's gateway responses (problem+json): an unknown path 404 NOT_FOUND, a bad key 403 FORBIDDEN, a function
 * error or a malformed result 502 BAD_GATEWAY. Resources accept any method (ANY): the function answers 405 itself.
 * Several keys may be accepted (a usage plan has several); the function sees the caller's own key. A function body
 * with {@code isBase64Encoded} goes out as bytes when the request's Accept names a binary media type (API Gateway's
 * rule; {@link #BINARY_MEDIA_TYPES} as openapi.yaml), else as the base64 text, as API Gateway would send it. With
 * {@link #allowOrigin}, CORS preflights are answered without a key (the document's mock OPTIONS methods) and the
 * gateway's own answers carry the origin (the document's gateway responses).
 */
public final class ApiGatewayServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** One resource of the API, such as {@code /v1/uploads/{uploadId}}. */
    private record Resource(String template, String[] segments) {
        static Resource of(String template) {
            return new Resource(template, template.substring(1).split("/"));
        }

        Optional<Map<String, String>> match(String[] path) {
            if (path.length != segments.length) return Optional.empty();
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < path.length; i++) {
                String s = segments[i];
                if (s.startsWith("{") && s.endsWith("}")) {
                    if (path[i].isEmpty()) return Optional.empty();
                    params.put(s.substring(1, s.length() - 1), URLDecoder.decode(path[i], StandardCharsets.UTF_8));
                } else if (!s.equals(path[i])) {
                    return Optional.empty();
                }
            }
            return Optional.of(params);
        }

        int staticSegments() {
            int n = 0;
            for (String s : segments) if (!s.startsWith("{")) n++;
            return n;
        }
    }

    private final LocalFunction<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> function;
    private final List<Resource> resources;
    private final String stage;
    private final String apiKey;
    private final java.util.Set<String> apiKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile String allowOrigin;
    private final String region;
    private final HttpServer server;
    private final ExecutorService executor;
    /** The API's binary media types (openapi.yaml's x-amazon-apigateway-binary-media-types; a test compares). */
    public static final List<String> BINARY_MEDIA_TYPES = List.of("image/png");

    public ApiGatewayServer(LocalFunction<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> function,
                            List<String> resources, String stage, String apiKey, String region) throws IOException {
        this.function = function;
        List<Resource> rs = new ArrayList<>();
        for (String r : resources) rs.add(Resource.of(r));
        // API Gateway prefers the most specific resource: /v1/studies/lookup over /v1/studies/{studyKey}.
        rs.sort((a, b) -> Integer.compare(b.staticSegments(), a.staticSegments()));
        this.resources = List.copyOf(rs);
        this.stage = stage;
        this.apiKey = apiKey;
        this.apiKeys.add(apiKey);
        this.region = region;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        this.executor = Executors.newFixedThreadPool(4,
                r -> Thread.ofPlatform().daemon().name("api-gateway").unstarted(r));
        server.setExecutor(executor);
        server.createContext("/", this::exchange);
        server.start();
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

    /** Let browsers on this origin (the viewer's) call the API: CORS as openapi.yaml configures it. */
    public void allowOrigin(String origin) {
        this.allowOrigin = origin;
    }

    private void exchange(HttpExchange ex) throws IOException {
        try (ex) {
            String requestId = UUID.randomUUID().toString();
            ex.getResponseHeaders().set("x-amzn-RequestId", requestId);
            String origin = allowOrigin;
            if (origin != null) {
                ex.getResponseHeaders().set("Access-Control-Allow-Origin", origin);
                ex.getResponseHeaders().set("Vary", "Origin");
            }
            String rawPath = ex.getRequestURI().getRawPath();
            String stagePrefix = "/" + stage;
            if (!rawPath.startsWith(stagePrefix + "/")) {
                problem(ex, 404, "Not Found", "No such resource.", "NOT_FOUND");
                return;
            }
            String path = rawPath.substring(stagePrefix.length());
            String[] segments = path.substring(1).split("/", -1);
            for (Resource r : resources) {
                Optional<Map<String, String>> params = r.match(segments);
                if (params.isEmpty()) continue;
                if (origin != null && ex.getRequestMethod().equals("OPTIONS")) {
                    ex.getResponseHeaders().set("Access-Control-Allow-Methods", "GET,POST,OPTIONS");
                    ex.getResponseHeaders().set("Access-Control-Allow-Headers", "Accept,Content-Type,x-api-key");
                    ex.getResponseHeaders().set("Access-Control-Max-Age", "600");
                    ex.sendResponseHeaders(204, -1);
                    return;
                }
                String key = ex.getRequestHeaders().getFirst("x-api-key");
                if (key == null || !apiKeys.contains(key)) {
                    problem(ex, 403, "Forbidden", "This API needs a valid API key (x-api-key).", "FORBIDDEN");
                    return;
                }
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readAllBytes();
                }
                String event = eventJson(ex, r.template(), path, params.get(), body, requestId, key);
                APIGatewayProxyResponseEvent response;
                try {
                    response = function.invoke(event);
                } catch (LocalFunction.FunctionError e) {
                    System.err.println("local api gateway: " + e.getMessage());
                    badGateway(ex);
                    return;
                }
                if (response == null || response.getStatusCode() == null) {
                    badGateway(ex);
                    return;
                }
                writeResponse(ex, response);
                return;
            }
            problem(ex, 404, "Not Found", "No such resource.", "NOT_FOUND");
        }
    }

    private String eventJson(HttpExchange ex, String resource, String path, Map<String, String> pathParams,
                             byte[] body, String requestId, String callerKey) {
        ObjectNode e = JSON.createObjectNode();
        String method = ex.getRequestMethod();
        e.put("resource", resource);
        e.put("path", path);
        e.put("httpMethod", method);
        ObjectNode headers = e.putObject("headers");
        ObjectNode multiHeaders = e.putObject("multiValueHeaders");
        for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
            headers.put(h.getKey(), h.getValue().getLast());
            ArrayNode all = multiHeaders.putArray(h.getKey());
            h.getValue().forEach(all::add);
        }
        Map<String, List<String>> query = query(ex.getRequestURI().getRawQuery());
        if (query.isEmpty()) {
            e.putNull("queryStringParameters");
            e.putNull("multiValueQueryStringParameters");
        } else {
            ObjectNode q = e.putObject("queryStringParameters");
            ObjectNode mq = e.putObject("multiValueQueryStringParameters");
            for (Map.Entry<String, List<String>> p : query.entrySet()) {
                q.put(p.getKey(), p.getValue().getLast());
                ArrayNode all = mq.putArray(p.getKey());
                p.getValue().forEach(all::add);
            }
        }
        if (pathParams.isEmpty()) {
            e.putNull("pathParameters");
        } else {
            ObjectNode pp = e.putObject("pathParameters");
            pathParams.forEach(pp::put);
        }
        e.putNull("stageVariables");
        Instant now = Instant.now();
        ObjectNode ctx = e.putObject("requestContext");
        ctx.put("accountId", org.hipoa.local.internal.EmbeddedIds.ACCOUNT);
        ctx.put("apiId", "local");
        ctx.put("resourceId", Integer.toHexString(resource.hashCode()));
        ctx.put("resourcePath", resource);
        ctx.put("stage", stage);
        ctx.put("requestId", requestId);
        ctx.put("extendedRequestId", requestId);
        ctx.put("requestTime", REQUEST_TIME.format(now));
        ctx.put("requestTimeEpoch", now.toEpochMilli());
        ctx.put("path", "/" + stage + path);
        ctx.put("httpMethod", method);
        ctx.put("protocol", ex.getProtocol());
        ctx.put("domainName", ex.getRequestHeaders().getFirst("Host"));
        ObjectNode id = ctx.putObject("identity");
        id.put("sourceIp", ex.getRemoteAddress().getAddress().getHostAddress());
        id.put("userAgent", ex.getRequestHeaders().getFirst("User-Agent"));
        id.put("apiKey", callerKey);
        id.put("apiKeyId", "local-key");
        if (body.length == 0) {
            e.putNull("body");
        } else {
            e.put("body", new String(body, StandardCharsets.UTF_8));
        }
        e.put("isBase64Encoded", false);
        return e.toString();
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return q;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return q;
    }

    private static void writeResponse(HttpExchange ex, APIGatewayProxyResponseEvent r) throws IOException {
        if (r.getHeaders() != null) r.getHeaders().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        if (r.getMultiValueHeaders() != null) {
            r.getMultiValueHeaders().forEach((k, vs) -> vs.forEach(v -> ex.getResponseHeaders().add(k, v)));
        }
        boolean binary = Boolean.TRUE.equals(r.getIsBase64Encoded())
                && acceptsBinary(ex.getRequestHeaders().getFirst("Accept"));
        byte[] body = r.getBody() == null ? new byte[0]
                : binary ? Base64.getDecoder().decode(r.getBody())
                : r.getBody().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(r.getStatusCode(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** API Gateway converts a base64 body to bytes when the Accept header's first type is a binary media type. */
    static boolean acceptsBinary(String accept) {
        if (accept == null || accept.isBlank()) return false;
        String first = accept.split(",")[0].split(";")[0].strip().toLowerCase(Locale.ROOT);
        return BINARY_MEDIA_TYPES.contains(first);
    }

    private static void badGateway(HttpExchange ex) throws IOException {
        problem(ex, 502, "Bad Gateway", "The request could not be completed; try again later.", "BAD_GATEWAY");
    }

    /**
     * API Gateway's own answers as the contract's gateway responses configure them
     * (functions/api/openapi.yaml, {@code x-amazon-apigateway-gateway-responses}): RFC 9457 problems, an unknown
     * resource as 404 instead of the default 403 "Missing Authentication Token".
     */
    private static void problem(HttpExchange ex, int status, String title, String detail, String code)
            throws IOException {
        String json = JSON.createObjectNode().put("type", "about:blank").put("title", title).put("status", status)
                .put("detail", detail).put("code", code).toString();
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/problem+json");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    /** The region the API lives in (for logs and the printed URL only). */
    public String region() {
        return region;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
