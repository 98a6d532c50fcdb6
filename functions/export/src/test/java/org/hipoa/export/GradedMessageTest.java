package org.hipoa.export;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.GradedEvents;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The export queue's and the export DLQ's bodies, as both consumers read them. */
class GradedMessageTest {
    static final String ID = "0123456789abcdef0123456789abcdef";

    static SQSEvent.SQSMessage message(String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId("m-1");
        m.setBody(body);
        return m;
    }

    @Test
    void whatInferenceSends_isRead() {
        String body = new GradedEvents.Graded(ID, "acme-clinic").toJson();
        assertEquals(Optional.of(new GradedEvents.Graded(ID, "acme-clinic")),
                GradedMessage.read(message(body), LoggerFactory.getLogger(GradedMessageTest.class)));
        assertEquals("{\"uploadId\":\"" + ID + "\",\"provider\":\"acme-clinic\"}", body);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "not json", "[]", "{}", "{\"uploadId\":\"" + ID + "\"}",
            "{\"provider\":\"acme-clinic\"}", "{\"uploadId\":\"ABC\",\"provider\":\"acme-clinic\"}",
            "{\"uploadId\":\"" + ID + "\",\"provider\":\"../other\"}",
            "{\"uploadId\":1,\"provider\":\"acme-clinic\"}"})
    void anythingElse_isNone_soTheMessageIsDropped(String body) {
        assertEquals(Optional.empty(),
                GradedMessage.read(message(body), LoggerFactory.getLogger(GradedMessageTest.class)));
    }
}
