package org.hipoa.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.GrantStore;
import org.hipoa.aws.HipPictureStore;
import org.hipoa.aws.Invocation;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.ResultQueries;
import org.hipoa.report.FhirReport;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.upload.Provider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The partner API (REST API, proxy integration; the contract is functions/api/openapi.yaml): results by upload, by
 * study (key or UID looked up server-side), by provider in receipt order and as a change feed. Errors are RFC 9457
 * {@code application/problem+json} with a stable {@code code}; a 500 never carries internals.
 */
public final class ApiHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

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
        this.viewerOrigin = org.hipoa.domain.Settings.get(VIEWER_ORIGIN);
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent request, Context context) {
        return Invocation.run(context, metrics -> {
            APIGatewayProxyResponseEvent response;
            try {
                response = route(request == null ? new APIGatewayProxyRequestEvent() : request);
            } catch (ApiError e) {
                response = ApiResponses.problem(e);
            } catch (RuntimeException e) {
                LOG.error("request failed {}", entry("errorType", e.getClass().getSimpleName()), e);
                response = ApiResponses.problem(500, "INTERNAL_ERROR",
                        "The request could not be completed; try again later.");
            }
            if (viewerOrigin.isPresent()) {
                // Every answer, errors included, so the viewer can show a 403 or 404 instead of a CORS failure.
                response.getHeaders().put("Access-Control-Allow-Origin", viewerOrigin.get());
                response.getHeaders().put("Vary", "Origin");
            }
            metrics.addMetric("Api" + response.getStatusCode() / 100 + "xx", 1, MetricUnit.COUNT);
            LOG.info("api {}", entry("status", response.getStatusCode()));
            return response;
        });
    }

    private APIGatewayProxyResponseEvent route(APIGatewayProxyRequestEvent request) {
        Caller caller = new Caller(grants, request);
        String method = Optional.ofNullable(request.getHttpMethod()).orElse("").toUpperCase(Locale.ROOT);
        var matched = ApiRoute.of(request.getResource(), request.getPathParameters(), request.getPath())
                .orElseThrow(() -> ApiError.notFound("No such resource."));
        ApiRoute route = matched.getKey();
        Map<String, String> params = matched.getValue();
        if (!method.equals(route.method())) throw ApiError.methodNotAllowed(route.method());
        return switch (route) {
            case UPLOAD -> ApiResponses.ok(ResultJson.of(readable(id("uploadId", param(params, "uploadId")), caller)));
            case UPLOAD_FHIR -> fhir(param(params, "uploadId"), caller);
            case HIP_IMAGE -> hipImage(param(params, "uploadId"), param(params, "file"), caller);
            case STUDY_LOOKUP -> studyResults(keys.studyKey(StudyLookupRequest.studyInstanceUid(request.getBody(),
                    request.getIsBase64Encoded())), caller);
            case STUDY -> studyResults(id("studyKey", param(params, "studyKey")), caller);
            case PROVIDER_RESULTS -> listing(ListingRequest.parse(param(params, "provider"),
                    ResultQueries.By.RECEIVED, request.getQueryStringParameters()), caller);
            case PROVIDER_UPDATES -> listing(ListingRequest.parse(param(params, "provider"),
                    ResultQueries.By.UPDATED, request.getQueryStringParameters()), caller);
        };
    }

    private static String param(Map<String, String> params, String name) {
        String v = params.get(name);
        if (v == null || v.isEmpty()) throw ApiError.notFound("No such resource.");
        return v;
    }

    private static String id(String name, String value) {
        if (!Keys.isId(value)) throw ApiError.badRequest(name + " must be 32 lowercase hex characters.");
        return value;
    }

    /**
     * The result of a well-formed upload id, for the per-upload routes: the caller's grants are read before the
     * table, and another provider's upload reads as unknown, so a partner learns nothing about tenants it was not
     * granted.
     */
    private ResultRecord readable(String uploadId, Caller caller) {
        caller.providers();
        return results.get(uploadId).filter(caller::mayRead)
                .orElseThrow(() -> ApiError.notFound("No result for this upload."));
    }

    /** As {@link #readable}, and 404 unless GRADED: {@code what} (a report, images) is made of grades. */
    private ResultRecord graded(String uploadId, Caller caller, String what) {
        ResultRecord r = readable(uploadId, caller);
        if (r.status() != Status.GRADED) throw ApiError.notFound("This upload has no " + what + ": it was not graded.");
        return r;
    }

    /**
     * The result as a FHIR R4 Bundle ({@link FhirReport}): tenancy as for the result, and 404 unless GRADED.
     * No patient attribute is in it: the table holds none.
     */
    private APIGatewayProxyResponseEvent fhir(String uploadId, Caller caller) {
        return fhirResponse(graded(id("uploadId", uploadId), caller, "FHIR report"));
    }

    /** The 200 answer of {@code GET /v1/uploads/{uploadId}/fhir} for a GRADED record. */
    static APIGatewayProxyResponseEvent fhirResponse(ResultRecord graded) {
        return ApiResponses.respond(200, FhirReport.MEDIA_TYPE, FhirReport.bundle(graded));
    }

    /** A graded hip's PNG or heatmaps ({@link HipFile}); tenancy as for the result itself. */
    private APIGatewayProxyResponseEvent hipImage(String uploadId, String file, Caller caller) {
        id("uploadId", uploadId);
        HipFile hip = HipFile.parse(file);
        ResultRecord r = graded(uploadId, caller, "hip images");
        return hip.read(pngs.get(), r); // the S3 client only once a result is there to read
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
        return ApiResponses.ok(n);
    }

    private APIGatewayProxyResponseEvent listing(ListingRequest request, Caller caller) {
        if (!caller.providers().contains(request.listing().provider().name())) {
            throw ApiError.forbidden("This API key is not granted this provider's results.");
        }
        return ApiResponses.ok(ListingPage.read(results, request));
    }
}
