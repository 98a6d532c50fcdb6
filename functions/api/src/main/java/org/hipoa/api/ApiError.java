package org.hipoa.api;

/** A request the API answers with a 4xx: status, stable code and a message that never echoes identifiers. */
final class ApiError extends RuntimeException {
    final int status;
    final String code;
    final String allow;

    private ApiError(int status, String code, String message, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.allow = allow;
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "BAD_REQUEST", message, null);
    }

    static ApiError forbidden(String message) {
        return new ApiError(403, "FORBIDDEN", message, null);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "NOT_FOUND", message, null);
    }

    static ApiError methodNotAllowed(String allow) {
        return new ApiError(405, "METHOD_NOT_ALLOWED", "This resource allows " + allow + " only.", allow);
    }
}
