package org.hipoa.aws;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a poller deletes after a batch: exactly what Lambda's event-source mapping would. */
class BatchFailuresTest {
    static final Set<String> IDS = Set.of("a", "b");

    @Test
    void listedFailures_stay_andTheRestAreDeleted() {
        SQSBatchResponse r = new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure("b")));
        assertEquals(Set.of("b"), BatchFailures.toRetry(r, IDS));
        assertEquals(Set.of(), BatchFailures.toRetry(new SQSBatchResponse(List.of()), IDS));
    }

    @Test
    void unknownOrEmptyFailureIds_keepTheWholeBatch_asLambdaDoes() {
        assertEquals(Set.of("a", "b"),
                BatchFailures.toRetry(new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure("zz"))), IDS));
        assertEquals(Set.of("a", "b"),
                BatchFailures.toRetry(new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure(null))), IDS));
        assertEquals(Set.of("a", "b"),
                BatchFailures.toRetry(new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure(""))), IDS));
    }

    @Test
    void theLastReceive_isTheOneAtMaxReceiveCount_andAMissingCountIsNot() {
        var m = new com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage();
        assertEquals(false, BatchFailures.isLastReceive(m, 5));
        m.setAttributes(java.util.Map.of("ApproximateReceiveCount", "4"));
        assertEquals(false, BatchFailures.isLastReceive(m, 5));
        m.setAttributes(java.util.Map.of("ApproximateReceiveCount", "5"));
        assertEquals(true, BatchFailures.isLastReceive(m, 5));
        m.setAttributes(java.util.Map.of("ApproximateReceiveCount", "five"));
        assertEquals(false, BatchFailures.isLastReceive(m, 5));
    }
}
