package org.hipoa.aws;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.NonRetryableException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sqs.model.KmsAccessDeniedException;
import software.amazon.awssdk.services.sqs.model.SqsException;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retry only what a retry can fix. The AWS errors are built as the SDK builds them from a response: the exception
 * type the service model names, the HTTP status, and the error details with the service's code.
 */
class FaultsTest {
    static <B extends AwsServiceException.Builder> AwsServiceException answer(B b, String service, int status,
                                                                             String code) {
        return (AwsServiceException) b.statusCode(status).awsErrorDetails(AwsErrorDetails.builder()
                .serviceName(service).errorCode(code).errorMessage("as the service words it").build()).build();
    }

    static S3Exception s3(int status, String code) {
        return (S3Exception) answer(S3Exception.builder(), "S3", status, code);
    }

    static DynamoDbException dynamo(int status, String code) {
        return (DynamoDbException) answer(DynamoDbException.builder(), "DynamoDb", status, code);
    }

    @Test
    void networkAndIoTrouble_isTransient_alsoWhenWrapped() {
        assertTrue(Faults.isTransient(SdkClientException.create("connection reset")));
        assertTrue(Faults.isTransient(ApiCallAttemptTimeoutException.create(1000)));
        assertTrue(Faults.isTransient(new UncheckedIOException(new IOException("broken pipe"))));
        assertTrue(Faults.isTransient(new IllegalStateException("wrapped", SdkClientException.create("timeout"))));
    }

    @Test
    void serverErrorsThrottlingAndTimeouts_areTransient() {
        assertTrue(Faults.isTransient(s3(500, "InternalError")));
        assertTrue(Faults.isTransient(s3(503, "SlowDown")));
        assertTrue(Faults.isTransient(s3(400, "RequestTimeout")));
        assertTrue(Faults.isTransient(s3(400, "ExpiredToken")));
        assertTrue(Faults.isTransient(s3(403, "RequestTimeTooSkewed")));
        assertTrue(Faults.isTransient(s3(400, "KMS.ThrottlingException")));
        assertTrue(Faults.isTransient(answer(ProvisionedThroughputExceededException.builder(), "DynamoDb", 400,
                "ProvisionedThroughputExceededException")));
        assertTrue(Faults.isTransient(dynamo(400, "ThrottlingException")));
        assertTrue(Faults.isTransient(dynamo(429, "TooManyRequestsException")));
        assertTrue(Faults.isTransient(answer(SqsException.builder(), "Sqs", 400, "KmsThrottled")));
        assertTrue(Faults.isTransient(new IllegalStateException("wrapped", s3(503, "ServiceUnavailable"))));
    }

    @Test
    void refusalsThatARetryGetsAgain_arePermanent() {
        assertFalse(Faults.isTransient(s3(403, "AccessDenied")));
        assertFalse(Faults.isTransient(s3(403, "KMS.AccessDeniedException")));
        assertFalse(Faults.isTransient(s3(400, "KMS.DisabledException")));
        assertFalse(Faults.isTransient(s3(400, "KMS.NotFoundException")));
        assertFalse(Faults.isTransient(s3(403, "InvalidObjectState")));
        assertFalse(Faults.isTransient(s3(400, "InvalidRequest")));
        assertFalse(Faults.isTransient(s3(400, "InvalidArgument")));
        assertFalse(Faults.isTransient(s3(403, "InvalidAccessKeyId")));
        assertFalse(Faults.isTransient(answer(NoSuchKeyException.builder(), "S3", 404, "NoSuchKey")));
        assertFalse(Faults.isTransient(dynamo(400, "AccessDeniedException")));
        assertFalse(Faults.isTransient(dynamo(400, "ValidationException")), "an item over 400 KB");
        assertFalse(Faults.isTransient(answer(KmsAccessDeniedException.builder(), "Sqs", 400, "KmsAccessDenied")));
        assertFalse(Faults.isTransient(answer(SqsException.builder(), "Sqs", 400, "AccessDenied")));
        assertFalse(Faults.isTransient(new IllegalStateException("wrapped", s3(403, "AccessDenied"))));
        assertFalse(Faults.isTransient(NonRetryableException.create("unable to marshall the request")));
    }

    @Test
    void ourOwnFaults_arePermanent() {
        assertFalse(Faults.isTransient(new IllegalArgumentException("centre")));
        assertFalse(Faults.isTransient(new ArithmeticException("/ by zero")));
        assertFalse(Faults.isTransient(new NullPointerException()));
        assertFalse(Faults.isTransient(new IllegalStateException("no cause")));
    }

    @Test
    void permanentAwsErrors_areTellable_fromOurOwnFaults() {
        assertTrue(Faults.isPermanentAwsError(dynamo(400, "AccessDeniedException")));
        assertFalse(Faults.isPermanentAwsError(dynamo(500, "InternalServerError")));
        assertFalse(Faults.isPermanentAwsError(new IllegalStateException("a bug")));
    }

    @Test
    void where_namesTheAwsCode_butNeverTheMessage() {
        String where = Faults.where(answer(S3Exception.builder(), "S3", 403, "AccessDenied").toBuilder()
                .awsErrorDetails(AwsErrorDetails.builder().serviceName("S3").errorCode("AccessDenied")
                        .errorMessage("not authorized on incoming/acme/SMITH^JOHN.dcm").build()).build());
        assertTrue(where.contains("S3 AccessDenied 403"), where);
        assertTrue(where.contains(" at org.hipoa.aws.FaultsTest."), "our frame, not the SDK's builder: " + where);
        assertFalse(where.contains("SMITH"), where);
    }

    @Test
    void partnerMessage_namesNoInternals() {
        assertFalse(Faults.INTERNAL_MESSAGE.matches(".*(Exception|java\\\\.|offset).*"));
    }
}
