package org.hipoa.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The local stack's SQS → Lambda mappings take their batch size, batching window and concurrency from template.yaml,
 * so a batch the stand-in hands over is one AWS could hand over. Where the stand-in differs on purpose (the
 * claim-check queue's 0.5 s window and 2 pollers on 2 cores; infra/local/README.md), only the batch size is held to
 * the template here.
 */
class EventSourceMappingsMatchTemplateTest {
    @Test
    void exportAndDeadLetterMappingsAreTheTemplates_claimCheckBatchSizeToo() {
        try (EmbeddedAws aws = EmbeddedAws.builder().export(true).start()) {
            assertEquals(templateSettings("ExportFunction"), aws.exportEventSource().orElseThrow().settings(),
                    "ExportFunction's SQS event");
            assertEquals(templateSettings("DeadLetterFunction"), aws.deadLetterEventSource().settings(),
                    "DeadLetterFunction's SQS event");
            assertEquals(templateSettings("InferenceFunction").batchSize(), aws.eventSource().settings().batchSize(),
                    "InferenceFunction's SQS event: BatchSize");
        }
    }

    /** The function's one SQS event in template.yaml; an absent window is Lambda's default for SQS, none. */
    static SqsEventSourceMapping.Settings templateSettings(String function) {
        JsonNode events = TenancyPolicyTest.TEMPLATE.path("Resources").path(function).path("Properties").path("Events");
        JsonNode sqs = null;
        for (JsonNode e : events) {
            if ("SQS".equals(e.path("Type").asText())) sqs = e.path("Properties");
        }
        assertFalse(sqs == null, function + " has no SQS event in template.yaml");
        JsonNode concurrency = sqs.path("ScalingConfig").path("MaximumConcurrency");
        assertFalse(concurrency.isMissingNode(), function + ": ScalingConfig.MaximumConcurrency");
        return new SqsEventSourceMapping.Settings(sqs.path("BatchSize").asInt(),
                Duration.ofSeconds(sqs.path("MaximumBatchingWindowInSeconds").asLong(0)), concurrency.asInt());
    }
}
