package org.hipoa.inference;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.domain.Side;
import org.hipoa.domain.wire.CropMessage;
import org.hipoa.aws.CropStore;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.aws.ClosedPortAws;
import org.hipoa.aws.Events;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.domain.upload.Provider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Batch bookkeeping that needs no server: the handler runs with the shipped grader and real SDK clients pointed at a
 * closed port, so every table read fails like an outage would. (Grading against S3/DynamoDB is tested in
 * infra/local.)
 */
class InferenceHandlerTest {
    static final String ID = "0123456789abcdef0123456789abcdef";
    static ClosedPortAws aws;
    static InferenceHandler handler;

    @BeforeAll
    static void setUp() {
        aws = new ClosedPortAws();
        handler = new InferenceHandler(PipelineConfig.from(Map.of("TABLE_NAME", "results", "MODEL_DIR", org.hipoa.core.model.ShippedModel.DIR.toString(),
                "WORK_BUCKET", "work", "STUDY_KEY_SECRET", "0123456789abcdef-secret")::get), aws.s3, aws.dynamo);
    }

    @AfterAll
    static void tearDown() {
        aws.close();
    }

    static SQSEvent.SQSMessage message(String id, String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(id);
        m.setBody(body);
        return m;
    }

    static SQSEvent event(SQSEvent.SQSMessage... messages) {
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(messages));
        return e;
    }

    static List<String> failed(SQSBatchResponse r) {
        return r.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    @Test
    void emptyBatch_hasNoFailures() {
        assertEquals(List.of(), failed(handler.handleRequest(event(), null)));
        assertEquals(List.of(), failed(handler.handleRequest(null, null)));
    }

    @Test
    void poisonMessage_isReportedAlone_soOnlyItGoesToTheDlq() {
        String good = new CropMessage(ID, new Provider("acme"), Optional.empty(), "work", CropStore.key(ID), 224,
                List.of(new CropMessage.Hip(Side.RIGHT, 100, 90, 1), new CropMessage.Hip(Side.LEFT, 250, 90, 1)),
                new ModelRef("hipoa-localiser", "1"), Map.of(), Optional.empty()).toJson();
        SQSBatchResponse r = handler.handleRequest(event(message("m1", "{not json"), message("m2", good)), null);
        // m1 is poison; m2 hit the unreachable table (transient): both are retried, each on its own.
        assertEquals(List.of("m1", "m2"), failed(r));
    }

    @Test
    void recordedSqsEvent_holdsClaimChecks_andAnOutageRetriesEach() {
        SQSEvent e = Events.load("sqs-claim-check.json", SQSEvent.class);
        List<String> ids = e.getRecords().stream().map(SQSEvent.SQSMessage::getMessageId).toList();
        for (SQSEvent.SQSMessage m : e.getRecords()) assertEquals(160, CropMessage.fromJson(m.getBody()).cropPx());
        // The table is unreachable: transient, so every message is reported for redelivery, not dropped or failed.
        assertEquals(ids, failed(handler.handleRequest(e, null)));
    }
}
