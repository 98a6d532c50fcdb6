package org.hipoa.inference;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The GPU worker hands the handler the event Lambda would, and deletes exactly what Lambda would delete. */
class QueueWorkerTest {
    static final List<Message> BATCH = List.of(
            Message.builder().messageId("a").receiptHandle("ra").body("{\"uploadId\":\"x\"}").md5OfBody("m")
                    .attributes(Map.of(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "2")).build(),
            Message.builder().messageId("b").receiptHandle("rb").body("{}").build());
    static final Set<String> IDS = Set.of("a", "b");

    @Test
    void event_carriesIdsBodiesAndAttributes() {
        SQSEvent e = QueueWorker.toEvent(BATCH);
        assertEquals(2, e.getRecords().size());
        SQSEvent.SQSMessage first = e.getRecords().getFirst();
        assertEquals("a", first.getMessageId());
        assertEquals("ra", first.getReceiptHandle());
        assertEquals("{\"uploadId\":\"x\"}", first.getBody());
        assertEquals("2", first.getAttributes().get("ApproximateReceiveCount"));
        assertEquals("aws:sqs", first.getEventSource());
    }

    @Test
    void listedFailures_stay_andTheRestAreDeleted() {
        SQSBatchResponse r = new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure("b")));
        assertEquals(Set.of("b"), QueueWorker.failures(r, IDS));
        assertEquals(Set.of(), QueueWorker.failures(new SQSBatchResponse(List.of()), IDS));
    }

    @Test
    void unknownOrEmptyFailureIds_keepTheWholeBatch_asLambdaDoes() {
        assertEquals(Set.of("a", "b"),
                QueueWorker.failures(new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure("zz"))), IDS));
        assertEquals(Set.of("a", "b"),
                QueueWorker.failures(new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure(null))), IDS));
        assertEquals(Set.of("a", "b"),
                QueueWorker.failures(new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure(""))), IDS));
    }
}
