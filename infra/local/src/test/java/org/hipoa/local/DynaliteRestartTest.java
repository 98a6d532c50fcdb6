package org.hipoa.local;

import org.hipoa.local.internal.DynaliteProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DynamoDB killed mid-run and started again: same endpoint, every acknowledged write still there. */
class DynaliteRestartTest {
    @Test
    void killedAndRestartedOnItsFolderKeepsItsDataAndEndpoint(@TempDir Path tmp) throws Exception {
        try (DynaliteProcess ddb = DynaliteProcess.start(EmbeddedAws.repositoryRoot().resolve("infra/local/node"),
                tmp.resolve("ddb"));
             DynamoDbClient client = DynamoDbClient.builder().endpointOverride(ddb.endpoint())
                     .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                             AwsBasicCredentials.create("x", "y"))).build()) {
            client.createTable(b -> b.tableName("tbl").billingMode("PAY_PER_REQUEST")
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
            for (int i = 0; i < 50; i++) {
                int n = i;
                client.putItem(b -> b.tableName("tbl").item(Map.of("pk", AttributeValue.fromS("k" + n))));
            }
            long pid = ddb.pid();
            ddb.kill();
            assertFalse(ddb.isAlive());
            assertThrows(SdkClientException.class, () -> client.getItem(b -> b.tableName("tbl")
                    .key(Map.of("pk", AttributeValue.fromS("k1")))));
            ddb.restart();
            assertTrue(ddb.isAlive());
            assertTrue(ddb.pid() != pid, "a new process");
            assertEquals(1, ddb.restarts());
            assertEquals(50, client.scan(b -> b.tableName("tbl")).count(), "nothing acknowledged was lost");
            assertTrue(client.getItem(b -> b.tableName("tbl").key(Map.of("pk", AttributeValue.fromS("k49"))))
                    .hasItem());
        }
    }

    @Test
    void anInMemoryServerRefusesARestartThatWouldLoseItsData() throws Exception {
        try (DynaliteProcess ddb = DynaliteProcess.start(EmbeddedAws.repositoryRoot().resolve("infra/local/node"))) {
            assertThrows(IllegalStateException.class, ddb::restart);
        }
    }
}
