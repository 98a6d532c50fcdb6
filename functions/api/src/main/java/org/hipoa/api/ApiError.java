package org.hipoa.api;

/**
 * A request the API answers with a 4xx: status, stable code (openapi.yaml's {@code Problem.code}) and a human
 * {@code detail} that never echoes identifiers.
 */
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

    /** RFC 9457 with {@code type: about:blank}: the title is the status's HTTP phrase. */
    static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 500 -> "Internal Server Error";
            default -> throw new IllegalArgumentException("no problem title for " + status);
        };
    }
}
