package org.hipoa.inference;

/**
 * One claim-check message as its queue hands it out, whoever polls it (Lambda's event source mapping, the GPU
 * service's poller, the dead-letter consumer).
 *
 * @param messageId    the queue's id for this message: what the caller deletes, or leaves to come back
 * @param body         the claim check as sent ({@link org.hipoa.domain.wire.CropMessage}); not checked here, a
 *                     body that is no claim check is the grader's to report
 * @param receiveCount how many times the queue has handed it out, this time included (ApproximateReceiveCount);
 *                     0 when unknown, which is never a last receive
 */
public record ClaimCheck(String messageId, String body, int receiveCount) {
    public ClaimCheck {
        if (receiveCount < 0) throw new IllegalArgumentException("a receive count is never negative");
    }
}
