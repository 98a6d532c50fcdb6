package org.hipoa.local.template;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the local stack reads from template.yaml, checked against the template's own lines and the code. */
class StackTemplateTest {
    static final StackTemplate TEMPLATE = StackTemplate.read(Path.of("../..").toAbsolutePath().normalize());

    @Test
    void everyHandlerStringNamesAHandlerClassWithItsMethod() throws Exception {
        List<StackTemplate.Function> functions = TEMPLATE.functions();
        assertTrue(functions.size() >= 6, "functions: " + functions);
        for (StackTemplate.Function f : functions) {
            assertTrue(f.handler().endsWith("::handleRequest"), f.logicalId() + ": " + f.handler());
            Class<?> c = Class.forName(f.handlerClass());
            assertTrue(java.util.Arrays.stream(c.getMethods()).anyMatch(m -> m.getName().equals("handleRequest")),
                    f.logicalId() + ": " + c + " has no handleRequest");
            assertFalse(f.role().isEmpty(), f.logicalId() + " has no role");
        }
        assertEquals("org.hipoa.inference.InferenceHandler::handleRequest",
                TEMPLATE.function("InferenceFunction").handler(), "the image's lambda stage CMD");
    }

    @Test
    void queuesAndMappingsAsWritten() {
        StackTemplate.Queue q = TEMPLATE.queue("ClaimCheckQueue");
        assertEquals("ClaimCheckDLQ", q.deadLetter().orElseThrow());
        assertEquals(Integer.parseInt(TEMPLATE.parameterDefault("MaxReceiveCount")), q.maxReceiveCount());
        assertTrue(q.kmsEncrypted());
        StackTemplate.SqsEvent e = TEMPLATE.function("InferenceFunction").sqsEvent().orElseThrow();
        assertEquals("ClaimCheckQueue", e.queue());
        assertTrue(e.reportBatchItemFailures());
        assertTrue(e.batchWindow().compareTo(Duration.ZERO) > 0);
        assertEquals(1, TEMPLATE.function("DeadLetterFunction").sqsEvent().orElseThrow().batchSize());
    }

    @Test
    void aLocalSettingKinderThanTheTemplateIsRefusedBeforeAnythingStarts() {
        var longer = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () ->
                org.hipoa.local.EmbeddedAws.builder().apiTimeout(TEMPLATE.function("ApiFunction").timeout()
                        .plusSeconds(1)).start());
        assertTrue(longer.getMessage().contains("ApiFunction Timeout"), longer.getMessage());
        var bigger = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () ->
                org.hipoa.local.EmbeddedAws.builder().maxReceiveCount(TEMPLATE.queue("ClaimCheckQueue")
                        .maxReceiveCount() + 1).start());
        assertTrue(bigger.getMessage().contains("maxReceiveCount"), bigger.getMessage());
    }

    @Test
    void theUploadBurstCannotStarveThePartnerApi() {
        int preprocess = TEMPLATE.function("PreprocessFunction").reservedConcurrency().orElseThrow();
        int api = TEMPLATE.function("ApiFunction").reservedConcurrency().orElseThrow();
        assertTrue(preprocess > 0 && api > 0, "both functions reserve their own concurrency");
    }
}
