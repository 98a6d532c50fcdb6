package org.hipoa.inference;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The GPU worker hands the handler the event Lambda would, and deletes exactly what Lambda would delete. */
class QueueWorkerTest {
    static final List<Message> BATCH = List.of(
            Message.builder().messageId("a").receiptHandle("ra").body("{\"uploadId\":\"x\"}").md5OfBody("m")
                    .attributes(Map.of(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "2")).build(),
            Message.builder().messageId("b").receiptHandle("rb").body("{}").build());

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

}
