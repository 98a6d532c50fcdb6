package org.hipoa.inference;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which receive from the DLQ gets the solo grade: exactly one, whichever way the DLQ counts. */
class DeadLetterHandlerTest {
    private static SQSEvent.SQSMessage received(String count) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        Map<String, String> a = new HashMap<>();
        if (count != null) a.put("ApproximateReceiveCount", count);
        m.setAttributes(a);
        return m;
    }

    @Test
    void firstReceiveFromTheDlq_gradesAlone_countCarriedOverOrAfresh() {
        assertTrue(DeadLetterHandler.gradesAlone(received("6"), 5), "SQS: 5 receives in the queue, then this one");
        assertTrue(DeadLetterHandler.gradesAlone(received("1"), 5), "a DLQ that counts afresh");
    }

    @Test
    void anyOtherReceive_orNoCount_doesNotGrade() {
        for (String c : new String[]{"2", "5", "7", "12", "0", "-6", "six", "", null}) {
            assertFalse(DeadLetterHandler.gradesAlone(received(c), 5), "count " + c);
        }
        SQSEvent.SQSMessage none = new SQSEvent.SQSMessage();
        assertFalse(DeadLetterHandler.gradesAlone(none, 5), "no attributes at all");
    }
}
