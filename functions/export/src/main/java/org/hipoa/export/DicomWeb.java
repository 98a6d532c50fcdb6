package org.hipoa.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.domain.Reason;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * STOW-RS (PS3.18 10.5): {@code POST {root}/studies}, {@code multipart/related; type="application/dicom"}, one part.
 * Credentials (from the provider's secret: {@code {"username","password"}} → Basic, {@code {"token"}} → Bearer)
 * go only into the Authorization header and never into a log line or an exception message.
 */
final class DicomWeb {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Duration timeout;

    /** With the timeout setting's milliseconds ({@code null}: 10 s). */
    static DicomWeb withTimeoutMs(String ms) {
        return new DicomWeb(Duration.ofMillis(ms == null ? 10_000 : Math.max(1, Long.parseLong(ms))));
    }

    DicomWeb(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The Authorization header value from a secret's JSON, if it names credentials. */
    static Optional<String> authorization(String secretJson) throws ExportFailure {
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
        throw new ExportFailure(Reason.DICOMWEB_CREDENTIALS,
                "The DICOMweb secret holds neither a token nor a username and password.");
    }

    /**
     * The registered URL, if an SR may be sent there. The SR carries the patient's name, ID and birth date and the
     * request carries the provider's credentials, so only https is accepted. Plain http is accepted for a loopback
     * address literal alone: nothing sent there leaves the host (a Lambda's loopback is its own sandbox), and the
     * local stack's PACS (Orthanc on 127.0.0.1) speaks http. A host name is never taken as loopback: resolving it
     * is up to DNS.
     */
    static URI endpoint(String url) throws ExportFailure {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            throw new ExportFailure(Reason.DICOMWEB_ENDPOINT_INVALID, "The registered DICOMweb URL is not a"
                    + " valid URL.");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!u.isAbsolute() || u.isOpaque() || u.getHost() == null || !(scheme.equals("https")
                || scheme.equals("http"))) {
            throw new ExportFailure(Reason.DICOMWEB_ENDPOINT_INVALID, "The registered DICOMweb URL is not an"
                    + " https URL with a host.");
        }
        if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new ExportFailure(Reason.DICOMWEB_ENDPOINT_INVALID, "The registered DICOMweb URL carries"
                    + " user information, a query or a fragment; credentials belong in the provider's secret.");
        }
        if (scheme.equals("http") && !loopbackLiteral(u.getHost())) {
            throw new ExportFailure(Reason.DICOMWEB_NOT_HTTPS, "The registered DICOMweb URL is plain http;"
                    + " the SR carries patient data and credentials, so it is sent over https only.");
        }
        return u;
    }

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** 127.0.0.0/8 or [::1], as an address literal (parsed without a name lookup). */
    private static boolean loopbackLiteral(String host) {
        boolean literal = IPV4.matcher(host).matches() || host.startsWith("[") && host.endsWith("]");
        if (!literal) return false;
        try {
            // A literal is parsed, never looked up (InetAddress.getByName's contract for address literals).
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Stores one instance, waiting at most the configured timeout or {@code budget}, whichever is shorter: the
     * function must answer before its own timeout, however slow the PACS. The bound covers connecting as well:
     * the request is abandoned, not merely the answer's wait.
     */
    void store(URI root, byte[] dicom, Optional<String> authorization, Duration budget) throws ExportFailure {
        Duration bound = budget.compareTo(timeout) < 0 ? budget : timeout;
        HttpResponse<Void> r;
        CompletableFuture<HttpResponse<Void>> sent = http.sendAsync(
                request(root, dicom, authorization, "hipoa-" + UUID.randomUUID(), bound),
                HttpResponse.BodyHandlers.discarding());
        try {
            r = sent.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            sent.cancel(true);
            throw timedOut(bound);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) throw timedOut(bound);
            if (cause instanceof ConnectException) {
                throw new ExportFailure(Reason.DICOMWEB_UNREACHABLE, "The DICOMweb endpoint refused the"
                        + " connection or could not be reached.");
            }
            throw new ExportFailure(Reason.DICOMWEB_UNREACHABLE, "The connection to the DICOMweb endpoint"
                    + " failed.");
        } catch (InterruptedException e) {
            sent.cancel(true);
            Thread.currentThread().interrupt();
            throw new ExportFailure(Reason.DICOMWEB_UNREACHABLE, "The store was interrupted.");
        }
        Optional<Reason> refused = refusal(r.statusCode());
        if (refused.isPresent()) {
            throw new ExportFailure(refused.get(), "The DICOMweb endpoint answered HTTP " + r.statusCode()
                    + " to the store.");
        }
    }

    /** The STOW-RS request: one part, the SR, in a {@code multipart/related} body. */
    static HttpRequest request(URI root, byte[] dicom, Optional<String> authorization, String boundary,
                               Duration timeout) {
        String base = root.toString().endsWith("/") ? root.toString() : root + "/";
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + "studies")).timeout(timeout)
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(dicom, boundary)));
        authorization.ifPresent(a -> req.header("Authorization", a));
        return req.build();
    }

    static byte[] body(byte[] dicom, String boundary) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(dicom.length + 256);
        body.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(dicom);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    /**
     * What an answer to the store means: empty when the SR is stored (200, 204). 202 says some instances failed
     * (PS3.18 10.5.3): with one instance, that is a failure.
     */
    static Optional<Reason> refusal(int status) {
        if (status == 200 || status == 204) return Optional.empty();
        return Optional.of(status == 401 || status == 403 ? Reason.DICOMWEB_CREDENTIALS
                : status >= 500 || status == 408 || status == 429 ? Reason.DICOMWEB_UNAVAILABLE
                : Reason.DICOMWEB_REJECTED);
    }

    private static ExportFailure timedOut(Duration bound) {
        return new ExportFailure(Reason.DICOMWEB_TIMEOUT, String.format(Locale.ROOT,
                "The DICOMweb endpoint did not answer within %.1f s.", bound.toMillis() / 1000.0));
    }
}
