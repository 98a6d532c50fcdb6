package org.hipoa.local.iam;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Authorises every SDK call of this JVM as AWS would, once {@link #install installed}: the SDK loads this class into
 * every client it builds (classpath resource {@code software/amazon/awssdk/global/handlers/execution.interceptors});
 * until {@code install} it does nothing, so JVMs that never install it (and the Lambda zips, which never contain
 * infra/local) are unaffected.
 *
 * <p>The caller is the access key id the request is signed with. Each call is mapped by {@link SdkIamMapping} and
 * asked of the {@link Authorizer}; any answer other than ALLOW ends the call, before it reaches the local server,
 * with the exception the real service's client raises (see {@code AwsDenials}). A GetObject or HeadObject that finds
 * no object answers 403 instead of 404 unless the caller may list the bucket, as S3 does.
 */
public final class IamInterceptor implements ExecutionInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(IamInterceptor.class);
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/,\\s]+)/");
    private static final ExecutionAttribute<String> ACCESS_KEY = new ExecutionAttribute<>("HipoaLocalIamAccessKey");
    private static final ExecutionAttribute<byte[]> MISSING_KEY_BODY =
            new ExecutionAttribute<>("HipoaLocalIamMissingKeyBody");

    private record Installed(Authorizer authorizer, ServiceModel model) {}

    /**
     * Installations by the local server port a request goes to: two local stacks in one JVM (a test starting a
     * second one) each keep their own policies and resources.
     */
    private static final Map<Integer, Installed> BY_PORT = new java.util.concurrent.ConcurrentHashMap<>();
    private static volatile Installed everywhere;

    /** The SDK instantiates this through its no-argument constructor; the state is process-wide. */
    public IamInterceptor() {}

    /** From now on every SDK call of this JVM is authorised by {@code authorizer}, its resources named by {@code model}. */
    public static void install(Authorizer authorizer, ServiceModel model) {
        everywhere = new Installed(Objects.requireNonNull(authorizer, "authorizer"), Objects.requireNonNull(model, "model"));
    }

    /** As {@link #install(Authorizer, ServiceModel)}, for the calls to these local server ports only. */
    public static void install(Authorizer authorizer, ServiceModel model, java.util.Collection<Integer> ports) {
        Installed i = new Installed(Objects.requireNonNull(authorizer, "authorizer"), Objects.requireNonNull(model, "model"));
        for (int port : ports) BY_PORT.put(port, i);
    }

    /** Back to no enforcement (the installation for every port). */
    public static void uninstall() { everywhere = null; }

    /** Ends the installation for these ports. */
    public static void uninstall(java.util.Collection<Integer> ports) { ports.forEach(BY_PORT::remove); }

    public static boolean isInstalled() { return everywhere != null || !BY_PORT.isEmpty(); }

    private static Installed installedFor(SdkHttpRequest http) {
        Installed i = BY_PORT.get(http.port());
        return i != null ? i : everywhere;
    }

    /**
     * After signing, before each attempt's transmission: the signed request (its Authorization header names the
     * caller) and the SDK request are both in hand here and nowhere earlier.
     */
    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        SdkRequest call = context.request();
        SdkHttpRequest http = context.httpRequest();
        Installed state = installedFor(http);
        if (state == null) return;
        Optional<String> key = accessKeyId(http);
        if (key.isEmpty()) {
            throw AwsDenials.unmapped(call, "anonymous", "the request is not signed with SigV4 (no Credential in its "
                    + "Authorization header or query); every call on the local stack must name its principal");
        }
        attributes.putAttribute(ACCESS_KEY, key.get());
        String principal = state.model.principalArn(key.get());
        List<IamRequest> questions;
        try {
            questions = SdkIamMapping.map(call, http.headers(), state.model);
        } catch (SdkIamMapping.UnmappedRequestException e) {
            LOG.warn("local IAM refused {} by {}: {}", SdkIamMapping.operation(call), principal, e.getMessage());
            throw AwsDenials.unmapped(call, principal, e.getMessage());
        }
        for (IamRequest q : questions) {
            Decision d = state.authorizer.decide(key.get(), q);
            if (!d.allowed()) {
                LOG.warn("local IAM denied {} ({}) on {} to {}: {}", SdkIamMapping.operation(call), q.action(),
                        q.resource(), principal, d);
                throw AwsDenials.denied(call, q, d, principal);
            }
        }
    }

    /**
     * S3 hides whether a key exists from a caller that may not list the bucket: a missing key answers 403
     * AccessDenied unless s3:ListBucket is allowed (S3 API reference, GetObject and HeadObject, "Permissions").
     *
     * <p>The 404 is turned into that 403 on the HTTP response, before the SDK reads it, rather than in
     * {@code modifyException}: the SDK refuses an exception of another class there (a NoSuchKeyException may only
     * become another NoSuchKeyException), and this way its own error unmarshaller makes S3's AccessDeniedException
     * (or, for a bodiless HEAD, the plain 403 S3Exception) from AWS's answer.
     */
    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        SdkHttpResponse response = context.httpResponse();
        Installed state = installedFor(context.httpRequest());
        String key = attributes.getAttribute(ACCESS_KEY);
        if (state == null || key == null || response.statusCode() != 404) return response;
        String bucket;
        String objectKey;
        switch (context.request()) {
            case GetObjectRequest g -> { bucket = g.bucket(); objectKey = g.key(); }
            case HeadObjectRequest h -> { bucket = h.bucket(); objectKey = h.key(); }
            default -> { return response; }
        }
        SdkIamMapping.Requests list = new SdkIamMapping.Requests(state.model);
        list.add("s3:ListBucket", "arn:aws:s3:::" + bucket, Map.of("s3:prefix", List.of(objectKey)));
        IamRequest q = list.list.getFirst();
        Decision d = state.authorizer.decide(key, q);
        if (d.allowed()) return response;
        String message = AwsDenials.message(state.model.principalArn(key), q, d, '"');
        LOG.warn("local IAM: {} of missing s3://{}/{} answers 403, not 404: {}",
                SdkIamMapping.operation(context.request()), bucket, objectKey, message);
        byte[] body = context.request() instanceof HeadObjectRequest ? new byte[0] : AwsDenials.s3ErrorXml(message);
        attributes.putAttribute(MISSING_KEY_BODY, body);
        return response.toBuilder().statusCode(403).statusText("Forbidden")
                .putHeader("Content-Type", "application/xml")
                .putHeader("Content-Length", Integer.toString(body.length)).build();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                           ExecutionAttributes attributes) {
        byte[] body = attributes.getAttribute(MISSING_KEY_BODY);
        if (body == null || body.length == 0) return context.responseBody();
        context.responseBody().ifPresent(IamInterceptor::closeQuietly);
        return Optional.of(new ByteArrayInputStream(body));
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the 404's body is replaced; a failure to close it changes nothing the caller sees
        }
    }

    /** SigV4 (and SigV4a) name the key in the Authorization header, or in X-Amz-Credential when presigned. */
    static Optional<String> accessKeyId(SdkHttpRequest http) {
        Optional<String> auth = http.firstMatchingHeader("Authorization");
        if (auth.isPresent()) {
            Matcher m = CREDENTIAL.matcher(auth.get());
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        }
        return http.firstMatchingRawQueryParameter("X-Amz-Credential")
                .map(c -> c.contains("/") ? c.substring(0, c.indexOf('/')) : c);
    }
}
