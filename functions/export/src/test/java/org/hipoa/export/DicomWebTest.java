package org.hipoa.export;

import org.hipoa.domain.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where an SR may be sent, and how long a store may take. */
class DicomWebTest {
    @ParameterizedTest
    @ValueSource(strings = {"https://pacs.example.org/dicom-web", "https://pacs.example.org:8443/",
            "http://127.0.0.1:8042/dicom-web", "http://127.9.9.9/dicom-web", "http://[::1]:8042/dicom-web"})
    void httpsAndLoopbackHttp_areAccepted(String url) throws Exception {
        assertEquals(URI.create(url), DicomWeb.endpoint(url));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://pacs.example.org/dicom-web", "http://10.0.0.5/dicom-web",
            "http://localhost:8042/dicom-web", "http://127.0.0.1.example.org/dicom-web", "HTTP://192.0.2.7/"})
    void plainHttpElsewhere_isRefused_asNotHttps(String url) {
        var e = assertThrows(ExportFailure.class, () -> DicomWeb.endpoint(url));
        assertEquals(Reason.DICOMWEB_NOT_HTTPS, e.reason);
        assertFalse(e.retryable());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://pacs.example.org/", "pacs.example.org/dicom-web", "https:///dicom-web",
            "https://user:secret@pacs.example.org/", "https://pacs.example.org/dw?token=x", "not a url", ""})
    void malformedOrCredentialBearingUrls_areRefused_asInvalid(String url) {
        var e = assertThrows(ExportFailure.class, () -> DicomWeb.endpoint(url));
        assertEquals(Reason.DICOMWEB_ENDPOINT_INVALID, e.reason);
        for (String leak : new String[] {"user:secret", "token=x", "pacs.example.org"}) {
            assertFalse(e.getMessage().contains(leak), "the URL's text is not echoed: " + e.getMessage());
        }
    }

    @Test
    void secretNames_mustBeTheProvidersOwn() {
        assertTrue(StowTargets.secretBelongsTo("hipoa/dicomweb/acme", "acme"));
        assertTrue(StowTargets.secretBelongsTo("hipoa/dicomweb/acme/pacs-2", "acme"));
        assertFalse(StowTargets.secretBelongsTo("hipoa/dicomweb/acme-west", "acme"));
        assertFalse(StowTargets.secretBelongsTo("hipoa/dicomweb/other", "acme"));
        assertFalse(StowTargets.secretBelongsTo("hipoa/dicomweb/", "acme"));
        assertFalse(StowTargets.secretBelongsTo(
                "arn:aws:secretsmanager:eu-central-1:111122223333:secret:hipoa/dicomweb/acme", "acme"));
    }

    /**
     * A PACS that takes the connection and never answers (a listening socket nobody accepts from: the kernel
     * completes the handshake, nothing reads): the store gives up at the budget, not at the 30 s timeout.
     */
    @Test
    void aStore_endsWithinTheBudget_whenThePacsNeverAnswers() throws Exception {
        try (ServerSocket blackhole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            URI root = URI.create("http://127.0.0.1:" + blackhole.getLocalPort() + "/dicom-web");
            DicomWeb web = new DicomWeb(Duration.ofSeconds(30));
            long t0 = System.nanoTime();
            var e = assertThrows(ExportFailure.class,
                    () -> web.store(root, new byte[64 << 10], Optional.empty(), Duration.ofMillis(700)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(Reason.DICOMWEB_TIMEOUT, e.reason);
            assertTrue(ms >= 650 && ms < 3_000, "gave up after " + ms + " ms");
            assertEquals("The DICOMweb endpoint did not answer within 0.7 s.", e.getMessage());
        }
    }

    @Test
    void theStore_postsOnePartToStudies_withTheCredentialsInTheHeaderOnly() throws Exception {
        byte[] sr = {'D', 'I', 'C', 'M', 0, 1};
        for (String root : new String[] {"https://pacs.example.org/dicom-web", "https://pacs.example.org/dicom-web/"}) {
            HttpRequest r = DicomWeb.request(URI.create(root), sr, Optional.of("Bearer t0k"), "hipoa-b",
                    Duration.ofSeconds(3));
            assertEquals(URI.create("https://pacs.example.org/dicom-web/studies"), r.uri());
            assertEquals("POST", r.method());
            assertEquals(Optional.of(Duration.ofSeconds(3)), r.timeout());
            assertEquals(List.of("multipart/related; type=\"application/dicom\"; boundary=hipoa-b"),
                    r.headers().allValues("Content-Type"));
            assertEquals(List.of("application/dicom+json"), r.headers().allValues("Accept"));
            assertEquals(List.of("Bearer t0k"), r.headers().allValues("Authorization"));
            assertEquals(DicomWeb.body(sr, "hipoa-b").length, r.bodyPublisher().orElseThrow().contentLength());
        }
        HttpRequest anonymous = DicomWeb.request(URI.create("https://pacs.example.org/"), sr, Optional.empty(), "b",
                Duration.ofSeconds(1));
        assertEquals(URI.create("https://pacs.example.org/studies"), anonymous.uri());
        assertTrue(anonymous.headers().allValues("Authorization").isEmpty());
    }

    @Test
    void theBody_isTheSrBetweenTwoBoundaries() {
        byte[] sr = {1, 2, 3};
        String expected = "--b1\r\nContent-Type: application/dicom\r\n\r\n\u0001\u0002\u0003\r\n--b1--\r\n";
        assertArrayEquals(expected.getBytes(StandardCharsets.US_ASCII), DicomWeb.body(sr, "b1"));
    }

    @Test
    void thePacsAnswer_isStoredOrAReason() {
        assertEquals(Optional.empty(), DicomWeb.refusal(200));
        assertEquals(Optional.empty(), DicomWeb.refusal(204));
        for (int s : new int[] {401, 403}) assertEquals(Optional.of(Reason.DICOMWEB_CREDENTIALS), DicomWeb.refusal(s));
        for (int s : new int[] {500, 502, 503, 408, 429}) {
            assertEquals(Optional.of(Reason.DICOMWEB_UNAVAILABLE), DicomWeb.refusal(s));
        }
        // 202: some instances failed; with one instance, this one.
        for (int s : new int[] {202, 400, 404, 409, 415}) {
            assertEquals(Optional.of(Reason.DICOMWEB_REJECTED), DicomWeb.refusal(s));
        }
    }

    @Test
    void theSecret_givesBearerOrBasic_andNeverEchoesItself() throws Exception {
        assertEquals(Optional.of("Bearer abc"), DicomWeb.authorization("{\"token\":\"abc\"}"));
        String basic = Base64.getEncoder().encodeToString("u:p\u00e4ss".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.of("Basic " + basic),
                DicomWeb.authorization("{\"username\":\"u\",\"password\":\"p\u00e4ss\"}"));
        assertEquals(Optional.empty(), DicomWeb.authorization(null));
        assertEquals(Optional.empty(), DicomWeb.authorization("  "));
        for (String bad : new String[] {"{\"username\":\"u\"}", "sekrit-not-json", "{\"token\":42}"}) {
            var e = assertThrows(ExportFailure.class, () -> DicomWeb.authorization(bad));
            assertEquals(Reason.DICOMWEB_CREDENTIALS, e.reason);
            assertTrue(e.retryable(), "an operator may fix the secret meanwhile");
            assertFalse(e.getMessage().contains("sekrit") || e.getMessage().contains("\"u\""), e.getMessage());
        }
    }
}
