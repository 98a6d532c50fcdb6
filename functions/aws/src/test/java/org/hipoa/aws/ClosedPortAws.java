package org.hipoa.aws;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;

/**
 * Real SDK clients pointed at a port nothing listens on, one attempt each: every call fails as an outage would.
 * Handler tests use them to prove a request was answered without touching AWS (or that an outage is handled), with
 * no mock in the way. Shared with the function modules through core's test-jar.
 */
public final class ClosedPortAws implements AutoCloseable {
    public final URI endpoint;
    public final DynamoDbClient dynamo;
    public final S3Client s3;
    public final SqsClient sqs;

    public ClosedPortAws() {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        endpoint = URI.create("http://127.0.0.1:" + port);
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        dynamo = DynamoDbClient.builder().httpClientBuilder(AwsCrtHttpClient.builder()).endpointOverride(endpoint)
                .region(Region.EU_CENTRAL_1).credentialsProvider(creds)
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1))).build();
        s3 = S3Client.builder().httpClientBuilder(AwsCrtHttpClient.builder()).endpointOverride(endpoint)
                .forcePathStyle(true).region(Region.EU_CENTRAL_1).credentialsProvider(creds).build();
        sqs = SqsClient.builder().httpClientBuilder(AwsCrtHttpClient.builder()).endpointOverride(endpoint)
                .region(Region.EU_CENTRAL_1).credentialsProvider(creds).build();
    }

    @Override
    public void close() {
        dynamo.close();
        s3.close();
        sqs.close();
    }
}
