package org.hipoa.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import org.hipoa.local.internal.EmbeddedIds;

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

/** The REST API Lambda proxy event (API Gateway v1, payload 1.0) the local gateway builds from one HTTP request. */
final class ProxyEvent {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    private ProxyEvent() {}

    /**
     * The event's JSON; a body whose Content-Type is one of the API's binary media types goes base64 with
     * {@code isBase64Encoded}, as API Gateway sends it.
     */
    static String json(HttpExchange ex, String resource, String path, Map<String, String> pathParams,
                       Map<String, List<String>> query, byte[] body, boolean binaryBody, String stage,
                       String requestId, String callerKey) {
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
        ctx.put("accountId", EmbeddedIds.ACCOUNT);
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
            e.put("body", binaryBody ? Base64.getEncoder().encodeToString(body)
                    : new String(body, StandardCharsets.UTF_8));
        }
        e.put("isBase64Encoded", binaryBody && body.length > 0);
        return e.toString();
    }

    static Map<String, List<String>> query(String raw) {
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

    static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    /** {@code type/subtype} of a Content-Type or Accept entry, lower case, without parameters. */
    static String mediaType(String value) {
        return value.split(";")[0].strip().toLowerCase(Locale.ROOT);
    }
}
