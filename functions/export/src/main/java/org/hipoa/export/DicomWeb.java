package org.hipoa.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * STOW-RS (PS3.18 10.5): {@code POST {root}/studies}, {@code multipart/related; type="application/dicom"}, one part.
 * Credentials (from the provider's secret: {@code {"username","password"}} → Basic, {@code {"token"}} → Bearer)
 * go only into the Authorization header and never into a log line or an exception message.
 */
final class DicomWeb {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Why a store failed; {@code transientFailure}: worth retrying. */
    static final class StowException extends Exception {
        final ExportReason reason;

        StowException(ExportReason reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private final HttpClient http;
    private final Duration timeout;

    DicomWeb(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The Authorization header value from a secret's JSON, if it names credentials. */
    static Optional<String> authorization(String secretJson) throws StowException {
        if (secretJson == null || secretJson.isBlank()) return Optional.empty();
        try {
            JsonNode n = JSON.readTree(secretJson);
            if (n.path("token").isTextual()) return Optional.of("Bearer " + n.get("token").asText());
            if (n.path("username").isTextual() && n.path("password").isTextual()) {
                String up = n.get("username").asText() + ":" + n.get("password").asText();
                return Optional.of("Basic " + Base64.getEncoder().encodeToString(up.getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            // reported below, without the secret's text
        }
        throw new StowException(ExportReason.DICOMWEB_CREDENTIALS,
                "The DICOMweb secret holds neither a token nor a username and password.");
    }

    void store(URI root, byte[] dicom, Optional<String> authorization) throws StowException {
        String boundary = "hipoa-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream(dicom.length + 256);
        body.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(dicom);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        String base = root.toString().endsWith("/") ? root.toString() : root + "/";
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + "studies")).timeout(timeout)
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        authorization.ifPresent(a -> req.header("Authorization", a));
        HttpResponse<Void> r;
        try {
            r = http.send(req.build(), HttpResponse.BodyHandlers.discarding());
        } catch (HttpTimeoutException e) {
            throw new StowException(ExportReason.DICOMWEB_TIMEOUT, "The DICOMweb endpoint did not answer within "
                    + timeout.toSeconds() + " s.");
        } catch (ConnectException e) {
            throw new StowException(ExportReason.DICOMWEB_UNREACHABLE, "The DICOMweb endpoint refused the connection"
                    + " or could not be reached.");
        } catch (IOException e) {
            throw new StowException(ExportReason.DICOMWEB_UNREACHABLE, "The connection to the DICOMweb endpoint"
                    + " failed.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StowException(ExportReason.DICOMWEB_UNREACHABLE, "The store was interrupted.");
        }
        int s = r.statusCode();
        // 200: all stored. 202 means some instances failed (PS3.18 10.5.3): with one instance, that is a failure.
        if (s == 200 || s == 204) return;
        ExportReason reason = s == 401 || s == 403 ? ExportReason.DICOMWEB_CREDENTIALS
                : s >= 500 || s == 408 || s == 429 ? ExportReason.DICOMWEB_UNAVAILABLE : ExportReason.DICOMWEB_REJECTED;
        throw new StowException(reason, "The DICOMweb endpoint answered HTTP " + s + " to the store.");
    }
}
