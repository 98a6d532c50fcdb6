package org.hipoa.local.iam;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.s3.model.S3Request;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerRequest;
import software.amazon.awssdk.services.sqs.model.SqsRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The IAM questions AWS asks for one SDK call: each action, on which resource ARN, with which request context keys,
 * including the KMS calls S3 and SQS make with the caller's permissions. A pure function of the request, the HTTP
 * headers it was sent with (S3's condition keys are its headers) and the {@link ServiceModel}.
 *
 * <p>An operation or a resource it does not know is refused with {@link UnmappedRequestException} rather than let
 * through: a new SDK call in a handler must be mapped here before it runs on the local stack, as it must be granted
 * in template.yaml before it runs on AWS.
 */
public final class SdkIamMapping {
    private SdkIamMapping() {}

    /** Thrown for a request this mapping cannot name the IAM actions of; the caller must deny it. */
    public static final class UnmappedRequestException extends RuntimeException {
        public UnmappedRequestException(String message) { super(message); }
    }

    /**
     * @param headers the signed HTTP request's headers (any case); only S3 reads them
     * @return at least one request; the call is allowed only when every one of them is
     */
    public static List<IamRequest> map(SdkRequest request, Map<String, List<String>> headers, ServiceModel model) {
        Requests out = new Requests(model);
        switch (request) {
            case S3Request r -> S3Mapping.map(r, headers, out);
            case DynamoDbRequest r -> DynamoDbMapping.map(r, out);
            case SqsRequest r -> SqsMapping.map(r, out);
            case SecretsManagerRequest r -> secrets(r, out);
            default -> throw unmapped(request, "its service");
        }
        if (out.list.isEmpty()) throw unmapped(request, "it");
        return List.copyOf(out.list);
    }

    /** The operation's name as AWS spells it: the request class's name without "Request". */
    static String operation(SdkRequest request) {
        String name = request.getClass().getSimpleName();
        return name.endsWith("Request") ? name.substring(0, name.length() - "Request".length()) : name;
    }

    static UnmappedRequestException unmapped(SdkRequest request, String what) {
        return new UnmappedRequestException("local IAM has no mapping for " + what + " (" + operation(request)
                + ", " + request.getClass().getName() + "): add the operation's actions and resources to "
                + SdkIamMapping.class.getSimpleName() + " so the call is authorised as AWS authorises it");
    }

    private static void secrets(SecretsManagerRequest r, Requests out) {
        String op = operation(r);
        if (!op.equals("GetSecretValue") && !op.equals("DescribeSecret")) throw unmapped(r, "the operation");
        String id = r.getValueForField("SecretId", String.class).orElseThrow(() -> unmapped(r, "a call without SecretId"));
        ServiceModel.Secret secret = out.model.secret(id).orElseThrow(() -> new UnmappedRequestException(
                op + ": secret '" + id + "' is not in the local stack's service model (known: "
                        + out.model.secrets().keySet() + ")"));
        out.add("secretsmanager:" + op, secret.arn(), Map.of());
    }

    /** The list being built, with the context keys every request carries. */
    static final class Requests {
        final ServiceModel model;
        final List<IamRequest> list = new ArrayList<>();

        Requests(ServiceModel model) { this.model = model; }

        void add(String action, String resource, Map<String, List<String>> context) {
            Map<String, List<String>> all = new LinkedHashMap<>(context);
            // The deployed functions reach every service over HTTPS (the SDK's endpoints are https://), so the
            // buckets' and queues' DenyInsecureTransport statements must not fire here although the local servers
            // speak plain HTTP: the context says what the request would be on AWS, not what it is on 127.0.0.1.
            all.put("aws:SecureTransport", List.of("true"));
            all.put("aws:RequestedRegion", List.of(model.region()));
            list.add(new IamRequest(action, resource, all));
        }

        /** The KMS call a service makes on the caller's behalf, with the key the caller must be allowed to use. */
        void kms(String action, String keyArn, String service) {
            add(action, keyArn, Map.of("kms:ViaService", List.of(service + "." + model.region() + ".amazonaws.com")));
        }

        String kmsKeyArn(String keyIdOrArn) {
            if (keyIdOrArn.startsWith("arn:")) return keyIdOrArn;
            String kind = keyIdOrArn.startsWith("alias/") ? "" : "key/";
            return "arn:aws:kms:" + model.region() + ":" + model.account() + ":" + kind + keyIdOrArn;
        }
    }
}
