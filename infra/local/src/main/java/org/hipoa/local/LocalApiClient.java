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

/** A partner's view of the local API: plain HTTP with the API key, JSON back. */
public final class LocalApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Status and parsed body (an empty object when the body is empty or not JSON). */
    public record Response(int status, JsonNode body) {}

    private final URI base;
    private final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public LocalApiClient(URI base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    public Response get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET());
    }

    public Response post(String path, String jsonBody) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
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

    private Response send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.header("x-api-key", apiKey).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
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
