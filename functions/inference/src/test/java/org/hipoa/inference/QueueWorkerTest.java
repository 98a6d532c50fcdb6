package org.hipoa.inference;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The GPU worker hands the grader what Lambda would, and deletes exactly what Lambda would delete. */
class QueueWorkerTest {
    static final List<Message> BATCH = List.of(
            Message.builder().messageId("a").receiptHandle("ra").body("{\"uploadId\":\"x\"}").md5OfBody("m")
                    .attributes(Map.of(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "2")).build(),
            Message.builder().messageId("b").receiptHandle("rb").body("{}").build());

    @Test
    void claimChecks_carryIdsBodiesAndReceiveCounts() {
        List<ClaimCheck> checks = QueueWorker.claimChecks(BATCH);
        assertEquals(2, checks.size());
        ClaimCheck first = checks.getFirst();
        assertEquals("a", first.messageId());
        assertEquals("{\"uploadId\":\"x\"}", first.body());
        assertEquals(2, first.receiveCount());
        assertEquals(0, checks.get(1).receiveCount(), "no count received: never a last receive");
    }

    @Test
    void deletes_whatDoesNotComeBack_byItsReceiptHandle() {
        List<DeleteMessageBatchRequestEntry> done = QueueWorker.deletions(BATCH, Set.of("b"));
        assertEquals(1, done.size());
        assertEquals("ra", done.getFirst().receiptHandle());
        assertEquals(List.of("ra", "rb"), QueueWorker.deletions(BATCH, Set.of()).stream()
                .map(DeleteMessageBatchRequestEntry::receiptHandle).toList());
    }
}
