package org.hipoa.aws;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.hipoa.domain.Fixtures;

class PipelineConfigTest {

    @Test
    void settings_comeFromTheLookup_blankIsAbsent() {
        Map<String, String> env = Map.of("TABLE_NAME", "results", "WORK_BUCKET", " ", "MODEL_DIR", "/opt/model",
                "STUDY_KEY_SECRET", "0123456789abcdef-secret");
        PipelineConfig c = PipelineConfig.from(env::get);
        assertEquals("results", c.requireTableName());
        assertNull(c.workBucket());
        assertEquals(Path.of("/opt/model"), c.requireModelDir());
        assertEquals(Fixtures.KEYS.studyKey("1.2"), c.requireKeys().studyKey("1.2"));
    }

    @Test
    void missingSetting_isNamedInTheError() {
        PipelineConfig c = PipelineConfig.from(name -> null);
        var e = assertThrows(PipelineConfig.MissingSettingException.class, c::requireQueueUrl);
        assertTrue(e.getMessage().contains("QUEUE_URL"));
        assertThrows(PipelineConfig.MissingSettingException.class, c::requireWorkBucket);
        assertThrows(PipelineConfig.MissingSettingException.class, c::requireKeys);
    }

    @Test
    void systemProperty_isRead_whateverTheEnvironmentSays() {
        // The in-process local stack configures handlers this way; a set property wins over a shell variable.
        String before = System.getProperty("QUEUE_URL");
        System.setProperty("QUEUE_URL", "http://127.0.0.1:9324/000000000000/claims");
        try {
            assertEquals("http://127.0.0.1:9324/000000000000/claims",
                    PipelineConfig.fromEnvironment().requireQueueUrl());
        } finally {
            if (before == null) System.clearProperty("QUEUE_URL");
            else System.setProperty("QUEUE_URL", before);
        }
    }

    @Test
    void receiveCountAndStuckBound_defaultAsTheTemplate_andRejectNonsense() {
        PipelineConfig d = PipelineConfig.from(name -> null);
        assertEquals(5, d.maxReceiveCount(), "template.yaml MaxReceiveCount default");
        assertEquals(java.time.Duration.ofHours(24), d.stuckAfter(), "template.yaml StuckAfterMinutes default");
        PipelineConfig c = PipelineConfig.from(Map.of("MAX_RECEIVE_COUNT", "3", "STUCK_AFTER_MINUTES", "90")::get);
        assertEquals(3, c.maxReceiveCount());
        assertEquals(java.time.Duration.ofMinutes(90), c.stuckAfter());
        for (String bad : new String[]{"0", "-1", "five", "1e3"}) {
            var e = assertThrows(IllegalStateException.class,
                    () -> PipelineConfig.from(Map.of("MAX_RECEIVE_COUNT", bad)::get), bad);
            assertTrue(e.getMessage().contains("MAX_RECEIVE_COUNT"), e.getMessage());
        }
    }

    @Test
    void toString_hidesTheSecret() {
        PipelineConfig c = PipelineConfig.from(Map.of("STUDY_KEY_SECRET", "0123456789abcdef-secret")::get);
        assertFalse(c.toString().contains("0123456789abcdef"));
    }

    @Test
    void s3PathStyle_onlyWithAnEndpointOverride() {
        assertFalse(AwsClients.s3EndpointOverridden(name -> null));
        assertTrue(AwsClients.s3EndpointOverridden(Map.of("aws.endpointUrlS3", "http://127.0.0.1:9000")::get));
        assertTrue(AwsClients.s3EndpointOverridden(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")::get));
        assertFalse(AwsClients.s3EndpointOverridden(Map.of("aws.endpointUrlDynamoDb", "http://127.0.0.1:1")::get));
    }
}
