package org.hipoa.local;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The viewer's page may connect to itself and to its one API only — no scheme-wide source such as {@code http:},
 * which would let a script it runs send a partner's key and results anywhere. Checked on the page as checked in and
 * as the local viewer server serves it (no stack needed).
 */
class ViewerCspTest {
    private static final Pattern META_CSP = Pattern.compile(
            "<meta http-equiv=\"Content-Security-Policy\"\\s+content=\"([^\"]*)\">");

    static List<String> connectSrc(String html) {
        Matcher m = META_CSP.matcher(html);
        assertTrue(m.find(), "the page has a meta Content-Security-Policy");
        for (String directive : m.group(1).split(";")) {
            List<String> words = Arrays.asList(directive.strip().split("\\s+"));
            if (words.getFirst().equals("connect-src")) return words.subList(1, words.size());
        }
        throw new AssertionError("no connect-src: " + m.group(1));
    }

    @Test
    void theCheckedInPage_connectsToItselfAndOnePlaceholderApiOrigin() throws Exception {
        String page = Files.readString(EmbeddedAws.repositoryRoot().resolve("viewer/index.html"));
        assertEquals(List.of("'self'", ViewerServer.API_ORIGIN_PLACEHOLDER), connectSrc(page));
    }

    @Test
    void theServedPage_connectsToItselfAndTheConfiguredApiOnly() throws Exception {
        Path viewer = EmbeddedAws.repositoryRoot().resolve("viewer");
        try (ViewerServer server = new ViewerServer(viewer)) {
            server.apiBaseUrl(URI.create("http://127.0.0.1:4321/local"));
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(server.url()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(List.of("'self'", "http://127.0.0.1:4321"), connectSrc(r.body()));
        }
    }
}
