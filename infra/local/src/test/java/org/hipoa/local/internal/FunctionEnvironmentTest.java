package org.hipoa.local.internal;

import org.hipoa.domain.Settings;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two functions in one JVM sign with their own roles' credentials: one SDK client with the SDK's default credential
 * chain, used from a thread of each, is accepted for the registered key and refused (InvalidAccessKeyId, as S3
 * refuses an unknown key) for the other — so the local IAM layer can tell the functions apart as AWS does.
 */
class FunctionEnvironmentTest {
    @Test
    void unsetSetting_isAbsentForTheFunction_evenWhenTheShellHasIt() throws Exception {
        FunctionEnvironment.install();
        String harness = "hipoa.functionEnvironmentTest.harnessOnly";
        System.setProperty(harness, "the harness's own");
        // PATH stands for a developer's stray shell variable: set in the environment, no property of that name.
        assertTrue(Settings.get("PATH").isPresent(), "this test needs PATH in the environment");
        var pool = Executors.newSingleThreadExecutor();
        try {
            var seen = pool.submit(() -> {
                FunctionEnvironment.enter(Map.of(harness, FunctionEnvironment.UNSET, "PATH", FunctionEnvironment.UNSET,
                        "TABLE_NAME", "the function's"));
                return List.of(Settings.get(harness), Settings.get("PATH"), Settings.get("TABLE_NAME"));
            }).get();
            assertEquals(List.of(Optional.empty(), Optional.empty(), Optional.of("the function's")), seen);
            assertEquals(Optional.of("the harness's own"), Settings.get(harness), "the harness thread keeps its own");
        } finally {
            pool.shutdownNow();
            System.clearProperty(harness);
        }
    }

    @Test
    void eachThreadSignsWithItsFunctionsCredentials() throws Exception {
        FunctionEnvironment.install();
        try (LocalServers servers = LocalServers.start("us-east-1", null, Path.of("node").toAbsolutePath(), o -> {})) {
            servers.registerCredentials("ROLE-A", "secret-a");
            servers.s3().createBucket(b -> b.bucket("bucket"));
            try (S3Client shared = S3Client.builder().endpointOverride(servers.s3Endpoint()).forcePathStyle(true)
                    .region(Region.US_EAST_1).httpClientBuilder(AwsCrtHttpClient.builder()).build()) {
                Callable<String> put = () -> shared.putObject(b -> b.bucket("bucket").key("k"),
                        RequestBody.fromString("x")).eTag();
                var pool = Executors.newFixedThreadPool(2);
                try {
                    String etag = pool.submit(() -> {
                        FunctionEnvironment.enter(Map.of("aws.accessKeyId", "ROLE-A", "aws.secretAccessKey", "secret-a"));
                        return put.call();
                    }).get();
                    assertEquals(32 + 2, etag.length(), "a plain PUT's ETag");
                    var refused = pool.submit(() -> {
                        FunctionEnvironment.enter(Map.of("aws.accessKeyId", "ROLE-B", "aws.secretAccessKey", "secret-b"));
                        try {
                            put.call();
                            return null;
                        } catch (S3Exception e) {
                            return e;
                        }
                    }).get();
                    assertEquals(403, refused.statusCode());
                    assertEquals("InvalidAccessKeyId", refused.awsErrorDetails().errorCode());
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }
}
