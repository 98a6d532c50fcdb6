package org.hipoa.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.sun.net.httpserver.Headers;
import org.hipoa.local.ApiGatewayDocument.Method;
import org.hipoa.local.ApiGatewayDocument.Required;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * API Gateway's basic request validation of one method, as its request validator enables it: the required
 * parameters in the query string and headers present and not blank (path parameters are present once the resource
 * matched), and the body valid against the model for its Content-Type ({@code application/json} when none is sent,
 * {@code $default} when no model names it; no model, no body validation).
 */
final class RequestValidation {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestValidation() {}

    static Optional<ApiGatewayServer.GatewayError> check(Method m, Headers headers, Map<String, List<String>> query,
                                                         byte[] body) {
        if (m.validateParameters()) {
            for (Required r : m.required()) {
                boolean present = switch (r.in()) {
                    case "query" -> query.getOrDefault(r.name(), List.of()).stream().anyMatch(v -> !v.isBlank());
                    case "header" -> headers.getOrDefault(r.name(), List.of()).stream().anyMatch(v -> !v.isBlank());
                    default -> true;
                };
                if (!present) return Optional.of(ApiGatewayServer.GatewayError.BAD_REQUEST_PARAMETERS);
            }
        }
        if (m.validateBody() && !m.bodyModels().isEmpty()) {
            String contentType = headers.getFirst("Content-Type");
            String media = contentType == null ? "application/json" : ProxyEvent.mediaType(contentType);
            Schema model = m.bodyModels().getOrDefault(media, m.bodyModels().get("$default"));
            if (model != null && !valid(model, body)) {
                return Optional.of(ApiGatewayServer.GatewayError.BAD_REQUEST_BODY);
            }
        }
        return Optional.empty();
    }

    /** A body that is no JSON at all (an empty one included) does not match a model either. */
    private static boolean valid(Schema model, byte[] body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            return false;
        }
        return json != null && !json.isMissingNode() && model.validate(json).isEmpty();
    }
}
