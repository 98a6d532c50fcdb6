package org.hipoa.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.hipoa.aws.ResultItems;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Where template.yaml keeps what may name a patient, and for how long. The results table's indexes project what the
 * API reads from a listing ({@link ResultItems#INDEX_ATTRIBUTES}, less each index's own keys, as the local stack
 * creates them) and nothing else: not the sealed object key, not the object version. Uploads, the files made from
 * them and the server access logs (which name every key) expire.
 */
class PatientDataAtRestTest {
    static JsonNode template() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of("../../template.yaml")));
    }

    @Test
    void everyIndexProjectsTheApisAttributes_andNoObjectKey() throws Exception {
        JsonNode table = template().path("Resources").path("ResultsTable").path("Properties");
        Map<String, List<String>> declared = new TreeMap<>(), expected = new TreeMap<>();
        for (JsonNode index : table.path("GlobalSecondaryIndexes")) {
            List<String> keys = new ArrayList<>();
            index.path("KeySchema").forEach(k -> keys.add(k.path("AttributeName").asText()));
            assertEquals("INCLUDE", index.path("Projection").path("ProjectionType").asText(), index.toString());
            List<String> projected = new ArrayList<>();
            index.path("Projection").path("NonKeyAttributes").forEach(a -> projected.add(a.asText()));
            String name = index.path("IndexName").asText();
            declared.put(name, projected);
            expected.put(name, ResultItems.INDEX_ATTRIBUTES.stream().filter(a -> !keys.contains(a)).toList());
            assertFalse(projected.contains(ResultItems.SEALED_KEY) || projected.contains("objectKey")
                    || projected.contains("objectVersion"), name);
        }
        assertEquals(List.of(ResultItems.BY_PROVIDER, ResultItems.BY_PROVIDER_UPDATED, ResultItems.BY_STUDY),
                List.copyOf(declared.keySet()));
        assertEquals(expected, declared);
    }

    @Test
    void uploadsResultsAndAccessLogs_expire() throws Exception {
        JsonNode t = template();
        JsonNode retention = t.path("Parameters").path("UploadRetentionDays");
        assertEquals(30, retention.path("Default").asInt(), retention.toString());
        // The pipeline may read an upload again while a claim check waits in its DLQ (14 days).
        assertEquals(15, retention.path("MinValue").asInt(), retention.toString());
        Map<String, String> expiryByPrefix = new TreeMap<>();
        for (JsonNode rule : t.path("Resources").path("IngestBucket").path("Properties")
                .path("LifecycleConfiguration").path("Rules")) {
            if (rule.has("ExpirationInDays")) {
                assertEquals("Enabled", rule.path("Status").asText());
                expiryByPrefix.put(rule.path("Prefix").asText(), rule.path("ExpirationInDays").asText());
            }
        }
        // Jackson's YAML reader keeps the scalar of a short-form !Ref tag.
        assertEquals(Map.of("incoming/", "UploadRetentionDays", "backfill/", "UploadRetentionDays",
                "results/", "UploadRetentionDays"), expiryByPrefix);
        JsonNode logs = t.path("Resources").path("AccessLogsBucket").path("Properties").path("LifecycleConfiguration")
                .path("Rules").path(0);
        assertEquals(90, logs.path("ExpirationInDays").asInt(), logs.toString());
        assertEquals(1, logs.path("NoncurrentVersionExpiration").path("NoncurrentDays").asInt(), logs.toString());
    }
}
