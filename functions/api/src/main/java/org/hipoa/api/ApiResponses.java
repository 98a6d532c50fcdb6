package org.hipoa.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.Map;

/** The API's answers as API Gateway's proxy integration takes them: JSON documents and RFC 9457 problems. */
final class ApiResponses {
    private ApiResponses() {}

    static APIGatewayProxyResponseEvent ok(ObjectNode body) {
        return respond(200, "application/json", body);
    }

    /** RFC 9457 problem details; {@code about:blank} because the status says what kind, {@code code} refines it. */
    static APIGatewayProxyResponseEvent problem(int status, String code, String detail) {
        return respond(status, "application/problem+json", ResultJson.JSON.createObjectNode()
                .put("type", "about:blank").put("title", ApiError.title(status)).put("status", status)
                .put("detail", detail).put("code", code));
    }

    /** The problem an {@link ApiError} stands for, with {@code Allow} on a 405. */
    static APIGatewayProxyResponseEvent problem(ApiError e) {
        APIGatewayProxyResponseEvent response = problem(e.status, e.code, e.getMessage());
        if (e.allow != null) response.getHeaders().put("Allow", e.allow);
        return response;
    }

    static APIGatewayProxyResponseEvent respond(int status, String contentType, ObjectNode body) {
        return respond(status, contentType, body.toString());
    }

    static APIGatewayProxyResponseEvent respond(int status, String contentType, String body) {
        return new APIGatewayProxyResponseEvent().withStatusCode(status).withHeaders(headers(contentType))
                .withBody(body);
    }

    /**
     * Every answer's headers: results change and differ per tenant (never cached), and a browser must not read a
     * body as another media type than the one declared. Mutable: CORS and Allow are added later.
     */
    static Map<String, String> headers(String contentType) {
        return new HashMap<>(Map.of("Content-Type", contentType, "Cache-Control", "no-store",
                "X-Content-Type-Options", "nosniff"));
    }
}
