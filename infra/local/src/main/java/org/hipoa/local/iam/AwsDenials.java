package org.hipoa.local.iam;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.s3.model.AccessDeniedException;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Request;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerRequest;
import software.amazon.awssdk.services.sqs.model.KmsAccessDeniedException;
import software.amazon.awssdk.services.sqs.model.SqsException;
import software.amazon.awssdk.services.sqs.model.SqsRequest;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

/**
 * The exception each service's SDK client raises for AWS's access-denied answer, built as the client's own error
 * unmarshaller builds it from that answer (status, error code, service name, message), so a handler's error path
 * sees here what it sees on AWS. {@code IamDenialsMatchTheWireTest} holds these to what the SDK makes of the
 * responses AWS sends.
 */
final class AwsDenials {
    private AwsDenials() {}

    /** The denial of one IAM request, in the shape of the service the call went to. */
    static AwsServiceException denied(SdkRequest call, IamRequest denied, Decision decision, String principal) {
        boolean kms = denied.action().startsWith("kms:");
        return switch (call) {
            case S3Request r -> s3(r, message(principal, denied, decision, '"'));
            case DynamoDbRequest r -> json(DynamoDbException.builder(), 400, "AccessDeniedException", "DynamoDb",
                    message(principal, denied, decision, ' '));
            // SQS answers its own actions with a 403 whose query-compatible code is AccessDenied and spells the
            // action in lower case; a KMS refusal is its modelled KmsAccessDenied (400, KMS.AccessDeniedException).
            case SqsRequest r when kms -> json(KmsAccessDeniedException.builder(), 400, "KMS.AccessDeniedException",
                    "Sqs", message(principal, denied, decision, ' '));
            case SqsRequest r -> json(SqsException.builder(), 403, "AccessDenied", "Sqs",
                    message(principal, new IamRequest(denied.action().toLowerCase(Locale.ROOT), denied.resource(),
                            denied.context()), decision, ' '));
            case SecretsManagerRequest r -> json(SecretsManagerException.builder(), 400, "AccessDeniedException",
                    "SecretsManager", message(principal, denied, decision, ' '));
            default -> json(AwsServiceException.builder(), 403, "AccessDenied", call.getClass().getPackageName(),
                    message(principal, denied, decision, ' '));
        };
    }

    /** A call the mapping cannot authorise: refused in the service's access-denied shape, saying why. */
    static AwsServiceException unmapped(SdkRequest call, String principal, String why) {
        IamRequest unknown = IamRequest.of(SdkIamMapping.operation(call), "(unmapped)");
        AwsServiceException shape = denied(call, unknown, Decision.IMPLICIT_DENY, principal);
        String message = "User: " + principal + " is not authorized: " + why;
        return rebuild(shape, message);
    }

    private static AwsServiceException rebuild(AwsServiceException shape, String message) {
        AwsErrorDetails d = shape.awsErrorDetails();
        return shape.toBuilder().message(message)
                .awsErrorDetails(d.toBuilder().errorMessage(message).build()).build();
    }

    /**
     * AWS's wording: "User: P is not authorized to perform: A on resource: R because no identity-based policy allows
     * the A action", or "… with an explicit deny" (S3 quotes the resource).
     */
    static String message(String principal, IamRequest r, Decision decision, char quote) {
        String resource = quote == ' ' ? r.resource() : quote + r.resource() + quote;
        String why = decision == Decision.EXPLICIT_DENY ? "with an explicit deny"
                : "because no identity-based policy allows the " + r.action() + " action";
        return "User: " + principal + " is not authorized to perform: " + r.action() + " on resource: " + resource
                + " " + why;
    }

    /**
     * S3's XML error: status 403, code AccessDenied, which this SDK version models as S3's AccessDeniedException. A
     * HEAD response has no body, so the SDK knows the error only by its status there: a plain S3Exception with no
     * code and no message.
     */
    static AwsServiceException s3(S3Request call, String message) {
        boolean head = call instanceof HeadObjectRequest;
        AwsServiceException.Builder builder = head ? S3Exception.builder() : AccessDeniedException.builder();
        String text = head ? null : message;
        AwsErrorDetails details = AwsErrorDetails.builder().errorCode(head ? null : "AccessDenied").errorMessage(text)
                .serviceName("S3").sdkHttpResponse(SdkHttpResponse.builder().statusCode(403).build()).build();
        return builder.message(text).statusCode(403).requestId(requestId()).extendedRequestId(requestId())
                .awsErrorDetails(details).build();
    }

    private static AwsServiceException json(AwsServiceException.Builder builder, int status, String code,
                                            String service, String message) {
        AwsErrorDetails details = AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName(service)
                .sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).build()).build();
        return builder.message(message).statusCode(status).requestId(requestId()).awsErrorDetails(details).build();
    }

    /** S3's error document for AccessDenied, as S3 sends it. */
    static byte[] s3ErrorXml(String message) {
        String id = requestId();
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>"
                + xml(message) + "</Message><RequestId>" + id + "</RequestId><HostId>" + id + "</HostId></Error>")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String requestId() { return UUID.randomUUID().toString(); }
}
