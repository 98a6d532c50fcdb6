package org.hipoa.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A partner's view of the local API: plain HTTP with the API key, JSON back. */
public final class LocalApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Status and parsed body (an empty object when the body is empty or not JSON). */
    public record Response(int status, JsonNode body) {}

    /** One request and its answer as sent and received: {@code pathAndQuery} below the stage, the raw body. */
    public record Exchange(String method, String pathAndQuery, int status, Map<String, List<String>> headers,
                           String body) {}

    private final URI base;
    private final String apiKey;
    private final Consumer<Exchange> observer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public LocalApiClient(URI base, String apiKey) {
        this(base, apiKey, x -> { });
    }

    private LocalApiClient(URI base, String apiKey, Consumer<Exchange> observer) {
        this.base = base;
        this.apiKey = apiKey;
        this.observer = observer;
    }

    /** The same client, handing every exchange to {@code observer} first (tests check each against the contract). */
    public LocalApiClient observing(Consumer<Exchange> observer) {
        return new LocalApiClient(base, apiKey, observer);
    }

    public Response get(String pathAndQuery) {
        return send(pathAndQuery, HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET());
    }

    public Response post(String path, String jsonBody) {
        return send(path, HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody)));
    }

    /** POST /v1/studies/lookup: the study's results, or an empty list on 404. */
    public List<JsonNode> lookupStudy(String studyInstanceUid) {
        Response r = post("/v1/studies/lookup",
                JSON.createObjectNode().put("studyInstanceUid", studyInstanceUid).toString());
        if (r.status() == 404) return List.of();
        requireOk(r, "study lookup");
        List<JsonNode> out = new ArrayList<>();
        r.body().path("results").forEach(out::add);
        return out;
    }

    /** Every result of a provider, following the {@code next} tokens. */
    public List<JsonNode> providerResults(String provider) {
        List<JsonNode> out = new ArrayList<>();
        String next = null;
        do {
            String q = "/v1/providers/" + provider + "/results?limit=100"
                    + (next == null ? "" : "&next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
            Response r = get(q);
            requireOk(r, "provider results");
            r.body().path("results").forEach(out::add);
            JsonNode n = r.body().path("next");
            next = n.isTextual() ? n.asText() : null;
        } while (next != null);
        return out;
    }

    private static void requireOk(Response r, String what) {
        if (r.status() != 200) {
            throw new IllegalStateException(what + ": HTTP " + r.status() + " " + r.body());
        }
    }

    private Response send(String pathAndQuery, HttpRequest.Builder b) {
        try {
            HttpRequest request = b.header("x-api-key", apiKey).timeout(Duration.ofSeconds(60)).build();
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            observer.accept(new Exchange(request.method(), pathAndQuery, r.statusCode(), r.headers().map(),
                    r.body()));
            JsonNode body;
            try {
                body = r.body().isEmpty() ? JsonNodeFactory.instance.objectNode() : JSON.readTree(r.body());
            } catch (IOException e) {
                body = JsonNodeFactory.instance.objectNode().put("raw", r.body());
            }
            return new Response(r.statusCode(), body);
        } catch (IOException e) {
            throw new IllegalStateException("local API unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
