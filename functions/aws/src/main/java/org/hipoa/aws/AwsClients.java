package org.hipoa.aws;

import org.hipoa.domain.Settings;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.util.function.UnaryOperator;

/**
 * SDK v2 clients with the SDK's own default configuration (region, credentials and endpoints from
 * {@code aws.region} / {@code AWS_REGION}, {@code aws.endpointUrlS3} / {@code AWS_ENDPOINT_URL_S3}, …) and the AWS
 * CRT HTTP client. The only local difference: S3 uses path-style addressing when an S3 endpoint override is
 * configured (S3Proxy and LocalStack need it). Build once per container.
 */
public final class AwsClients {
    private AwsClients() {}

    public static S3Client s3() {
        return S3Client.builder().httpClientBuilder(AwsCrtHttpClient.builder())
                .forcePathStyle(s3EndpointOverridden(name -> Settings.get(name).orElse(null))).build();
    }

    public static SqsClient sqs() {
        return SqsClient.builder().httpClientBuilder(AwsCrtHttpClient.builder()).build();
    }

    public static DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().httpClientBuilder(AwsCrtHttpClient.builder()).build();
    }

    /**
     * Whether the SDK will send S3 requests to an overridden endpoint (the settings the SDK itself reads, in its own
     * order, which is {@link Settings}'s: system property, then environment variable).
     */
    static boolean s3EndpointOverridden(UnaryOperator<String> settings) {
        for (String name : new String[]{"aws.endpointUrlS3", "AWS_ENDPOINT_URL_S3", "aws.endpointUrl",
                "AWS_ENDPOINT_URL"}) {
            String v = settings.apply(name);
            if (v != null && !v.isBlank()) return true;
        }
        return false;
    }
}
