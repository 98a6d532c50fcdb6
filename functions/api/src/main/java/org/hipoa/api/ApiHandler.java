package org.hipoa.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.aws.AwsClients;
import org.hipoa.domain.upload.Keys;
import org.hipoa.aws.PageToken;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.domain.upload.Provider;
import org.hipoa.domain.result.FhirReport;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.hipoa.aws.ResultQueries;
import org.hipoa.aws.GrantStore;
import org.hipoa.aws.HipPictureStore;
import org.hipoa.domain.Side;
import org.hipoa.aws.Powertools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The partner API (REST API, proxy integration; the contract is functions/api/openapi.yaml): results by upload, by
 * study (key or UID looked up server-side), by provider in receipt order and as a change feed. Errors are RFC 9457
 * {@code application/problem+json} with a stable {@code code}; a 500 never carries internals.
 */
public final class ApiHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    static final int DEFAULT_LIMIT = 50;
    /**
     * Lambda's limit on a synchronous response (6 MB: 6,291,556 bytes of the serialised response event); past it
     * the invocation fails and API Gateway answers 502.
     */
    static final int LAMBDA_RESPONSE_LIMIT = 6_291_556;
    /**
     * Most bytes of results one listing page carries. The body travels as a JSON string inside Lambda's response
     * document, where a quote or a backslash takes two bytes, so half the limit (less room for the headers) holds
     * whatever the results contain; one result alone is far below it (a DynamoDB item is at most 400 KB, about
     * 2.4 MB as escaped JSON).
     */
    static final int MAX_PAGE_RESULT_BYTES = (LAMBDA_RESPONSE_LIMIT - 64 * 1024) / 2;
    static final int MAX_BODY_BYTES = 4096;
    /** A DICOM UID: dot-separated numbers, at most 64 characters. */
    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");

    /**
     * The one browser origin allowed to call this API (the viewer's CloudFront address on AWS, its local port in the
     * local stack): environment variable, else system property. Unset: no CORS headers, browsers cannot call it.
     */
    public static final String VIEWER_ORIGIN = "VIEWER_ORIGIN";

    private final ResultQueries results;
    private final GrantStore grants;
    private final Keys keys;
    /** Made on the first image request: JSON routes need no S3 client, so their cold start pays for none. */
    private final Supplier<HipPictureStore> pngs;
    private final Optional<String> viewerOrigin;

    /** Lambda's constructor: settings from {@link PipelineConfig#fromEnvironment()}, the default SDK clients. */
    public ApiHandler() {
        this(PipelineConfig.fromEnvironment(), AwsClients.dynamoDb(), AwsClients::s3);
    }

    public ApiHandler(PipelineConfig config, DynamoDbClient dynamo) {
        this(config, dynamo, AwsClients::s3);
    }

    public ApiHandler(PipelineConfig config, DynamoDbClient dynamo, Supplier<S3Client> s3) {
        this.results = new ResultQueries(dynamo, config.requireTableName());
        this.grants = new GrantStore(dynamo, config.requireTableName());
        this.keys = config.requireKeys();
        Supplier<HipPictureStore> make = () -> new HipPictureStore(s3.get());
        this.pngs = new Supplier<>() {
            private volatile HipPictureStore store;

            @Override
            public HipPictureStore get() {
                HipPictureStore s = store;
                if (s == null) store = s = make.get(); // two racing threads build two clients: harmless
                return s;
            }
        };
        this.viewerOrigin = Optional.ofNullable(System.getenv(VIEWER_ORIGIN))
                .or(() -> Optional.ofNullable(System.getProperty(VIEWER_ORIGIN))).filter(o -> !o.isBlank());
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent request, Context context) {
        return Powertools.withLogging(context, () -> {
            Metrics metrics = Powertools.metrics();
            APIGatewayProxyResponseEvent response;
            try {
                response = route(request == null ? new APIGatewayProxyRequestEvent() : request);
            } catch (ApiError e) {
                response = problem(e.status, e.code, e.getMessage());
                if (e.allow != null) response.getHeaders().put("Allow", e.allow);
            } catch (RuntimeException e) {
                LOG.error("request failed {}", entry("errorType", e.getClass().getSimpleName()), e);
                response = problem(500, "INTERNAL_ERROR", "The request could not be completed; try again later.");
            }
            if (viewerOrigin.isPresent()) {
                // Every answer, errors included, so the viewer can show a 403 or 404 instead of a CORS failure.
                response.getHeaders().put("Access-Control-Allow-Origin", viewerOrigin.get());
                response.getHeaders().put("Vary", "Origin");
            }
            metrics.addMetric("Api" + response.getStatusCode() / 100 + "xx", 1, MetricUnit.COUNT);
            LOG.info("api {}", entry("status", response.getStatusCode()));
            Powertools.flush(metrics);
            return response;
        });
    }

    /**
     * Who is asking: the API key API Gateway puts in the request context after checking it. Its grants are read
     * only once a request has passed validation, so malformed requests cost no table read.
     */
    private final class Caller {
        private final Optional<String> apiKey;
        private Set<String> providers;

        Caller(APIGatewayProxyRequestEvent request) {
            this.apiKey = Optional.ofNullable(request.getRequestContext())
                    .map(APIGatewayProxyRequestEvent.ProxyRequestContext::getIdentity)
                    .map(APIGatewayProxyRequestEvent.RequestIdentity::getApiKey).filter(k -> !k.isBlank());
        }

        Set<String> providers() {
            if (providers == null) {
                providers = grants.providersFor(apiKey.orElseThrow(
                        () -> ApiError.forbidden("This API needs an API key (x-api-key).")));
            }
            return providers;
        }

        boolean mayRead(ResultRecord r) {
            return r.provider().map(p -> providers().contains(p.name())).orElse(false);
        }
    }

    private APIGatewayProxyResponseEvent route(APIGatewayProxyRequestEvent request) {
        Caller caller = new Caller(request);
        String method = Optional.ofNullable(request.getHttpMethod()).orElse("").toUpperCase(java.util.Locale.ROOT);
        Optional<ApiRoute> declared = ApiRoute.ofResource(request.getResource());
        ApiRoute route;
        Map<String, String> params;
        if (declared.isPresent()) {
            route = declared.get();
            params = Optional.ofNullable(request.getPathParameters()).orElse(Map.of());
        } else {
            // The catch-all resource (or a direct invocation): find which route the path meant, for a precise 405.
            String path = Optional.ofNullable(request.getPath()).orElse("");
            if (path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
            var matched = ApiRoute.ofPath(path).orElseThrow(() -> ApiError.notFound("No such resource."));
            route = matched.getKey();
            params = matched.getValue();
        }
        allow(method, route.method());
        return switch (route) {
            case UPLOAD -> upload(param(params, "uploadId"), caller);
            case UPLOAD_FHIR -> fhir(param(params, "uploadId"), caller);
            case HIP_IMAGE -> hipImage(param(params, "uploadId"), param(params, "file"), caller);
            case STUDY_LOOKUP -> lookup(request, caller);
            case STUDY -> study(param(params, "studyKey"), caller);
            case PROVIDER_RESULTS -> listing(param(params, "provider"), ResultQueries.By.RECEIVED,
                    request.getQueryStringParameters(), caller);
            case PROVIDER_UPDATES -> listing(param(params, "provider"), ResultQueries.By.UPDATED,
                    request.getQueryStringParameters(), caller);
        };
    }

    private static String param(Map<String, String> params, String name) {
        String v = params.get(name);
        if (v == null || v.isEmpty()) throw ApiError.notFound("No such resource.");
        return v;
    }

    private APIGatewayProxyResponseEvent upload(String uploadId, Caller caller) {
        if (!Keys.isId(uploadId)) throw ApiError.badRequest("uploadId must be 32 lowercase hex characters.");
        caller.providers();
        // Another provider's upload reads as unknown: a partner learns nothing about tenants it was not granted.
        ResultRecord r = results.get(uploadId).filter(caller::mayRead)
                .orElseThrow(() -> ApiError.notFound("No result for this upload."));
        return ok(ResultJson.of(r));
    }

    /**
     * The result as a FHIR R4 Bundle ({@link FhirReport}): tenancy as for {@link #upload}, and 404 unless GRADED
     * (a report of grades needs grades). No patient attribute is in it: the table holds none.
     */
    private APIGatewayProxyResponseEvent fhir(String uploadId, Caller caller) {
        if (!Keys.isId(uploadId)) throw ApiError.badRequest("uploadId must be 32 lowercase hex characters.");
        caller.providers();
        ResultRecord r = results.get(uploadId).filter(caller::mayRead)
                .orElseThrow(() -> ApiError.notFound("No result for this upload."));
        if (r.status() != Status.GRADED) throw ApiError.notFound("This upload has no FHIR report: it was not graded.");
        return fhirResponse(r);
    }

    /** The 200 answer of {@code GET /v1/uploads/{uploadId}/fhir} for a GRADED record. */
    static APIGatewayProxyResponseEvent fhirResponse(ResultRecord graded) {
        return respond(200, FhirReport.MEDIA_TYPE, FhirReport.bundle(graded));
    }

    /**
     * The stored PNG of one graded hip ({@code {side}.png}), or where the grader looked ({@code {side}.cam.json}). Tenancy as for the result itself: another provider's upload is a 404 that
     * says the same as {@link #upload}. The body goes base64 with {@code isBase64Encoded}; API Gateway returns bytes
     * for it because the API lists image/png as a binary media type (openapi.yaml).
     */
    private APIGatewayProxyResponseEvent hipImage(String uploadId, String file, Caller caller) {
        if (!Keys.isId(uploadId)) throw ApiError.badRequest("uploadId must be 32 lowercase hex characters.");
        Side side = switch (file) {
            case "right.png", "right.cam.json" -> Side.RIGHT;
            case "left.png", "left.cam.json" -> Side.LEFT;
            default -> throw ApiError.badRequest(
                    "The hip file is right.png, left.png, right.cam.json or left.cam.json.");
        };
        HipPictureStore.Kind kind = file.endsWith(".png") ? HipPictureStore.Kind.PNG : HipPictureStore.Kind.HEATMAPS;
        caller.providers();
        ResultRecord r = results.get(uploadId).filter(caller::mayRead)
                .orElseThrow(() -> ApiError.notFound("No result for this upload."));
        if (r.status() != Status.GRADED) throw ApiError.notFound("This upload has no hip images: it was not graded.");
        if (kind == HipPictureStore.Kind.HEATMAPS) {
            byte[] json = pngs.get().get(r, side, kind).orElseThrow(() -> ApiError.notFound(
                    "No heatmaps are stored for this result (its model has no class-activation outputs)."));
            return new APIGatewayProxyResponseEvent().withStatusCode(200).withHeaders(headers("application/json"))
                    .withBody(new String(json, StandardCharsets.UTF_8));
        }
        byte[] png = pngs.get().get(r, side)
                .orElseThrow(() -> ApiError.notFound("No hip image is stored for this result."));
        return new APIGatewayProxyResponseEvent().withStatusCode(200).withHeaders(headers(HipPictureStore.CONTENT_TYPE))
                .withIsBase64Encoded(true)
                .withBody(Base64.getEncoder().encodeToString(png));
    }

    private APIGatewayProxyResponseEvent study(String studyKey, Caller caller) {
        if (!Keys.isId(studyKey)) throw ApiError.badRequest("studyKey must be 32 lowercase hex characters.");
        return studyResults(studyKey, caller);
    }

    private APIGatewayProxyResponseEvent lookup(APIGatewayProxyRequestEvent request, Caller caller) {
        String body = Optional.ofNullable(request.getBody()).orElse("");
        if (Boolean.TRUE.equals(request.getIsBase64Encoded())) {
            try {
                body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("The body is not valid base64.");
            }
        }
        if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) throw ApiError.badRequest("Body too large.");
        JsonNode uid;
        try {
            JsonNode n = ResultJson.JSON.readTree(body);
            uid = n == null || !n.isObject() ? null : n.get("studyInstanceUid");
        } catch (java.io.IOException e) {
            throw ApiError.badRequest("The body must be JSON: {\"studyInstanceUid\": \"...\"}.");
        }
        if (uid == null || !uid.isTextual()) {
            throw ApiError.badRequest("The body must be JSON: {\"studyInstanceUid\": \"...\"}.");
        }
        String value = uid.asText().strip();
        if (value.length() > 64 || !UID.matcher(value).matches()) {
            throw ApiError.badRequest("studyInstanceUid is not a DICOM UID."); // never echo it
        }
        return studyResults(keys.studyKey(value), caller);
    }

    private APIGatewayProxyResponseEvent studyResults(String studyKey, Caller caller) {
        // Only the granted providers' partitions are read (the tenant is in the index key), so another provider's
        // uploads of the same study can neither be seen nor crowd the owner's out of the cap.
        List<Provider> granted = caller.providers().stream().flatMap(p -> Provider.parse(p).stream()).toList();
        List<ResultRecord> found = results.byStudy(studyKey, granted).stream().filter(caller::mayRead).toList();
        if (found.isEmpty()) throw ApiError.notFound("No results for this study.");
        ObjectNode n = ResultJson.JSON.createObjectNode().put("studyKey", studyKey);
        var array = n.putArray("results");
        found.forEach(r -> array.add(ResultJson.of(r)));
        return ok(n);
    }

    private static final Set<String> RESULTS_PARAMS = Set.of("status", "since", "until", "order", "limit", "next");
    private static final Set<String> UPDATES_PARAMS = Set.of("status", "since", "until", "limit", "next");

    /** {@code /results} (by receipt, either order) and {@code /updates} (by last change, oldest first). */
    private APIGatewayProxyResponseEvent listing(String name, ResultQueries.By by, Map<String, String> query,
                                                 Caller caller) {
        Provider provider = Provider.parse(name).orElseThrow(() -> ApiError.badRequest("Not a provider name."));
        Map<String, String> q = query == null ? Map.of() : query;
        Set<String> known = by == ResultQueries.By.RECEIVED ? RESULTS_PARAMS : UPDATES_PARAMS;
        for (String k : q.keySet()) {
            if (!known.contains(k)) {
                throw ApiError.badRequest("Unknown query parameter; use " + String.join(", ", new TreeSet<>(known))
                        + ".");
            }
        }
        Set<Status> statuses = Optional.ofNullable(q.get("status")).map(ApiHandler::statuses).orElse(Set.of());
        Optional<Instant> since = Optional.ofNullable(q.get("since")).map(v -> instant("since", v));
        Optional<Instant> until = Optional.ofNullable(q.get("until")).map(v -> instant("until", v));
        if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
            throw ApiError.badRequest("until must be after since.");
        }
        String order = q.getOrDefault("order", "asc");
        if (!order.equals("asc") && !order.equals("desc")) throw ApiError.badRequest("order must be asc or desc.");
        int limit = Optional.ofNullable(q.get("limit")).map(ApiHandler::limit).orElse(DEFAULT_LIMIT);
        ResultQueries.Listing listing = new ResultQueries.Listing(provider, by, statuses, since, until,
                order.equals("desc"));
        Optional<String> next = Optional.ofNullable(q.get("next")).filter(t -> !t.isEmpty());
        try {
            next.ifPresent(t -> ResultQueries.checkToken(listing, t)); // a 400 before any table read
        } catch (PageToken.InvalidTokenException e) {
            throw badCursor();
        }
        if (!caller.providers().contains(provider.name())) {
            throw ApiError.forbidden("This API key is not granted this provider's results.");
        }
        ResultQueries.Page page;
        List<ObjectNode> items;
        try {
            page = results.list(listing, limit, next);
            items = page.results().stream().map(ResultJson::of).toList();
            // Results carry free text (failure messages): a page of them may not fit Lambda's response. The first
            // results that fit are read again as a page of that many, so its cursor continues right after them.
            for (int fit = fitting(items); fit < items.size(); fit = fitting(items)) {
                page = results.list(listing, fit, next);
                items = page.results().stream().map(ResultJson::of).toList();
            }
        } catch (PageToken.InvalidTokenException e) {
            throw badCursor();
        }
        ObjectNode n = ResultJson.JSON.createObjectNode();
        n.putArray("results").addAll(items);
        page.next().ifPresentOrElse(t -> n.put("next", t), () -> n.putNull("next"));
        return ok(n);
    }

    /** How many of the first {@code items} fit in {@link #MAX_PAGE_RESULT_BYTES}; at least one. */
    static int fitting(List<ObjectNode> items) {
        long bytes = 0;
        for (int i = 0; i < items.size(); i++) {
            try {
                bytes += ResultJson.JSON.writeValueAsBytes(items.get(i)).length + 1; // and its comma
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("a result that does not serialise", e);
            }
            if (bytes > MAX_PAGE_RESULT_BYTES) return Math.max(1, i);
        }
        return items.size();
    }

    private static ApiError badCursor() {
        return ApiError.badRequest("next is not a cursor of this query: repeat the request that returned it, with the"
                + " same status, since, until and order.");
    }

    static Set<Status> statuses(String s) {
        Set<Status> out = EnumSet.noneOf(Status.class);
        for (String part : s.split(",", -1)) {
            try {
                out.add(Status.valueOf(part));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("status must be one or more of RECEIVED, PREPROCESSED, GRADED, FAILED,"
                        + " comma-separated.");
            }
        }
        return out;
    }

    /**
     * An ISO-8601 instant with a zone, rounded up to the millisecond (the index keys' precision: a bound of
     * 10:00:00.0005 must neither let in 10:00:00.000 as since nor shut it out as until), within 1970..9999 — the
     * range where the keys' fixed-width text sorts as time (a year past 9999 once sorted before every key).
     */
    static Instant instant(String name, String s) {
        Instant t;
        try {
            t = OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest(name + " must be an ISO-8601 instant with a zone, e.g. 2026-01-31T00:00:00Z.");
        }
        if (t.getNano() % 1_000_000 != 0) t = t.truncatedTo(ChronoUnit.MILLIS).plusMillis(1);
        if (t.isBefore(ResultQueries.EARLIEST) || t.isAfter(ResultQueries.LATEST)) {
            throw ApiError.badRequest(name + " must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.");
        }
        return t;
    }

    static int limit(String s) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= ResultQueries.MAX_PAGE) return n;
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw ApiError.badRequest("limit must be an integer from 1 to " + ResultQueries.MAX_PAGE + ".");
    }

    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) throw ApiError.methodNotAllowed(allowed);
    }

    private static APIGatewayProxyResponseEvent ok(ObjectNode body) {
        return respond(200, "application/json", body);
    }

    /** RFC 9457 problem details; {@code about:blank} because the status says what kind, {@code code} refines it. */
    static APIGatewayProxyResponseEvent problem(int status, String code, String detail) {
        return respond(status, "application/problem+json", ResultJson.JSON.createObjectNode()
                .put("type", "about:blank").put("title", ApiError.title(status)).put("status", status)
                .put("detail", detail).put("code", code));
    }

    private static APIGatewayProxyResponseEvent respond(int status, String contentType, ObjectNode body) {
        return new APIGatewayProxyResponseEvent().withStatusCode(status).withHeaders(headers(contentType))
                .withBody(body.toString());
    }

    /**
     * Every answer's headers: results change and differ per tenant (never cached), and a browser must not read a
     * body as another media type than the one declared. Mutable: CORS and Allow are added later.
     */
    private static Map<String, String> headers(String contentType) {
        return new java.util.HashMap<>(Map.of("Content-Type", contentType, "Cache-Control", "no-store",
                "X-Content-Type-Options", "nosniff"));
    }
}
