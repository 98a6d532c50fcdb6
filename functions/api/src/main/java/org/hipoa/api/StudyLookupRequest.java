package org.hipoa.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /v1/studies/lookup}, {@code {"studyInstanceUid": "..."}}: read into the UID it names. The
 * UID is patient-linked, so no answer ever echoes it.
 */
final class StudyLookupRequest {
    static final int MAX_BODY_BYTES = 4096;
    /** A DICOM UID: dot-separated numbers, at most 64 characters. */
    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");

    private StudyLookupRequest() {}

    /**
     * The Study Instance UID the body names (surrounding blanks stripped); {@code base64} as API Gateway's
     * {@code isBase64Encoded} says, {@code null} read as false.
     *
     * @throws ApiError a 400 that says which rule the body breaks
     */
    static String studyInstanceUid(String body, Boolean base64) {
        String text = body == null ? "" : body;
        if (Boolean.TRUE.equals(base64)) {
            try {
                text = new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("The body is not valid base64.");
            }
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) throw ApiError.badRequest("Body too large.");
        JsonNode uid;
        try {
            JsonNode n = ResultJson.JSON.readTree(text);
            uid = n == null || !n.isObject() ? null : n.get("studyInstanceUid");
        } catch (IOException e) {
            throw ApiError.badRequest("The body must be JSON: {\"studyInstanceUid\": \"...\"}.");
        }
        if (uid == null || !uid.isTextual()) {
            throw ApiError.badRequest("The body must be JSON: {\"studyInstanceUid\": \"...\"}.");
        }
        String value = uid.asText().strip();
        if (value.length() > 64 || !UID.matcher(value).matches()) {
            throw ApiError.badRequest("studyInstanceUid is not a DICOM UID."); // never echo it
        }
        return value;
    }
}
