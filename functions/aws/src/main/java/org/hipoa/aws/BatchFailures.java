package org.hipoa.aws;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lambda's ReportBatchItemFailures rule and SQS's receive count, in one place for everything that plays the
 * event-source mapping or reads where a message stands: the local stack's mapping deletes exactly what Lambda would,
 * and the handlers and the GPU service's queue poller count receives alike.
 */
public final class BatchFailures {
    private BatchFailures() {}

    /**
     * Message ids to leave on the queue: those listed; none for an empty or absent list; the whole batch when an
     * entry is empty or names a message not in the batch.
     */
    public static Set<String> toRetry(SQSBatchResponse response, Set<String> batchIds) {
        if (response == null || response.getBatchItemFailures() == null) return Set.of();
        Set<String> keep = new HashSet<>();
        for (SQSBatchResponse.BatchItemFailure f : response.getBatchItemFailures()) {
            String id = f == null ? null : f.getItemIdentifier();
            if (id == null || !batchIds.contains(id)) return batchIds;
            keep.add(id);
        }
        return keep;
    }

    /** The response that lists {@code messageIds} for redelivery, and so deletes every other message. */
    public static SQSBatchResponse response(List<String> messageIds) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>(messageIds.size());
        for (String id : messageIds) failures.add(new SQSBatchResponse.BatchItemFailure(id));
        return new SQSBatchResponse(failures);
    }

    /** SQS moves the message to the queue's DLQ after this receive unless it is deleted now. */
    public static boolean isLastReceive(SQSEvent.SQSMessage m, int maxReceiveCount) {
        return isLastReceive(receiveCount(m), maxReceiveCount);
    }

    /** The same rule for a receive count read already ({@link #receiveCount}: 0 when unknown, never last). */
    public static boolean isLastReceive(int receiveCount, int maxReceiveCount) {
        return receiveCount > 0 && receiveCount >= maxReceiveCount;
    }

    /**
     * The message's ApproximateReceiveCount (1 on its first receive from this queue); 0 when absent or not a number,
     * so a rule keyed on it falls back to what it does without one.
     */
    public static int receiveCount(SQSEvent.SQSMessage m) {
        return receiveCount(m.getAttributes());
    }

    /** The same from a message's system attributes by name (an SDK-received message's, the GPU service's poller). */
    public static int receiveCount(Map<String, String> attributes) {
        String count = attributes == null ? null : attributes.get("ApproximateReceiveCount");
        try {
            return count == null ? 0 : Math.max(0, Integer.parseInt(count));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
