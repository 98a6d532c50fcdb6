package org.hipoa.domain.result;

import org.hipoa.domain.Reason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureTest {
    @Test
    void aMessageQuotingA64KbControlByteValue_isBoundedAndPrintable() {
        StringBuilder uid = new StringBuilder();
        for (int i = 0; i < 65_534; i++) uid.append((char) (i % 32));
        Failure f = new Failure(Stage.PREPROCESS, Reason.UNSUPPORTED_TRANSFER_SYNTAX,
                "Transfer syntax " + uid + "1.2.3 is not supported.");
        assertTrue(f.message().length() <= Failure.MAX_MESSAGE_LENGTH, f.message());
        assertTrue(f.message().chars().noneMatch(Character::isISOControl), f.message());
        assertEquals("Transfer syntax 1.2.3 is not supported.", f.message());
    }

    @Test
    void aLongMessage_isCutWithAnEllipsis_neverInsideASurrogatePair() {
        Failure f = new Failure(Stage.INFERENCE, Reason.CORRUPT, "x".repeat(298) + "\uD83D\uDE00".repeat(10));
        assertEquals(Failure.MAX_MESSAGE_LENGTH - 1, f.message().length());
        assertTrue(f.message().endsWith("x…"), f.message());
        Failure lone = new Failure(Stage.INFERENCE, Reason.CORRUPT, "a\uD800b");
        assertEquals("a\uFFFDb", lone.message());
        assertTrue(f.message().getBytes(StandardCharsets.UTF_8).length < 1024);
    }

    @Test
    void ordinaryMessages_areKept_andABlankOneBecomesTheReason() {
        String m = "The file ends after its meta header.";
        assertEquals(m, new Failure(Stage.PREPROCESS, Reason.TRUNCATED, m).message());
        assertEquals("TRUNCATED", new Failure(Stage.PREPROCESS, Reason.TRUNCATED, " \u0000\t").message());
        assertEquals("TRUNCATED", new Failure(Stage.PREPROCESS, Reason.TRUNCATED, null).message());
    }
}
