package org.hipoa.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The partner API's resources, as API Gateway names them in {@code resource}: the handler's routing table and the
 * local stack's API emulation. The contract, functions/api/openapi.yaml, declares the same paths (ApiContractTest
 * checks both ways); template.yaml's API is built from that document. The static {@code lookup} comes before
 * {@code {studyKey}}, as API Gateway prefers the more specific resource.
 */
public enum ApiRoute {
    UPLOAD("/v1/uploads/{uploadId}", "GET"),
    /** The GRADED result as a FHIR R4 Bundle ({@code application/fhir+json}), for partners' EHR side. */
    UPLOAD_FHIR("/v1/uploads/{uploadId}/fhir", "GET"),
    /**
     * {@code GET /v1/uploads/{uploadId}/hips/{side}.png} and {@code {side}.cam.json}: API Gateway path parameters
     * are whole segments, so the resource names the file ({@code right.png}, {@code left.cam.json}, …) and the
     * handler reads the side from it.
     */
    HIP_IMAGE("/v1/uploads/{uploadId}/hips/{file}", "GET"),
    STUDY_LOOKUP("/v1/studies/lookup", "POST"),
    STUDY("/v1/studies/{studyKey}", "GET"),
    PROVIDER_RESULTS("/v1/providers/{provider}/results", "GET"),
    PROVIDER_UPDATES("/v1/providers/{provider}/updates", "GET");

    /** The greedy resource that catches everything else under /v1 (so unknown methods get a 405, not a 403). */
    public static final String CATCH_ALL = "/v1/{proxy+}";

    private final String resource;
    private final String method;
    private final Pattern pathPattern;
    private final List<String> params;

    ApiRoute(String resource, String method) {
        this.resource = resource;
        this.method = method;
        Matcher m = Pattern.compile("\\{(\\w+)}").matcher(resource); // enum constants cannot read statics
        StringBuilder regex = new StringBuilder();
        List<String> names = new java.util.ArrayList<>();
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(resource.substring(last, m.start()))).append("([^/]+)");
            names.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(resource.substring(last)));
        this.pathPattern = Pattern.compile(regex.toString());
        this.params = List.copyOf(names);
    }

    public String resource() {
        return resource;
    }

    public String method() {
        return method;
    }

    public static List<String> resources() {
        return java.util.Arrays.stream(values()).map(ApiRoute::resource).toList();
    }

    /** The route API Gateway matched, by its {@code resource}. */
    public static Optional<ApiRoute> ofResource(String resource) {
        for (ApiRoute r : values()) if (r.resource.equals(resource)) return Optional.of(r);
        return Optional.empty();
    }

    /**
     * The route a request names, with its path parameters: by the {@code resource} API Gateway matched, else (the
     * catch-all resource, or a direct invocation) by the path, so that a wrong method still finds the route whose
     * 405 names the right one.
     */
    public static Optional<Map.Entry<ApiRoute, Map<String, String>>> of(String resource,
                                                                       Map<String, String> pathParameters,
                                                                       String path) {
        Optional<ApiRoute> declared = ofResource(resource);
        if (declared.isPresent()) {
            return Optional.of(Map.entry(declared.get(), pathParameters == null ? Map.of() : pathParameters));
        }
        String p = path == null ? "" : path;
        if (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return ofPath(p);
    }

    /**
     * For a request that came through {@link #CATCH_ALL} (or a direct invocation without a resource): the route whose
     * template the path fits, with its path parameters, so a wrong method gets a 405 that names the right one.
     */
    public static Optional<Map.Entry<ApiRoute, Map<String, String>>> ofPath(String path) {
        for (ApiRoute r : values()) {
            Matcher m = r.pathPattern.matcher(path);
            if (!m.matches()) continue;
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < r.params.size(); i++) values.put(r.params.get(i), m.group(i + 1));
            return Optional.of(Map.entry(r, Map.copyOf(values)));
        }
        return Optional.empty();
    }
}
