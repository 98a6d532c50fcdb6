package org.hipoa.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The study lookup's body, without API Gateway: the UID it names, or a 400 that never echoes it. */
class StudyLookupRequestTest {
    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aUid_isRead_stripped_plainOrBase64() {
        String uid = "1.2.840." + "9".repeat(56);
        assertEquals(64, uid.length());
        assertEquals(uid, StudyLookupRequest.studyInstanceUid("{\"studyInstanceUid\": \" " + uid + "\\n\"}", null));
        assertEquals("1.2.3", StudyLookupRequest.studyInstanceUid(base64("{\"studyInstanceUid\":\"1.2.3\"}"), true));
        assertEquals("1.2.3", StudyLookupRequest.studyInstanceUid("{\"studyInstanceUid\":\"1.2.3\",\"x\":1}", false));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"''|must be JSON", "not json|must be JSON", "[]|must be JSON",
            "{}|must be JSON", "{\"studyInstanceUid\": 12}|must be JSON", "{\"studyInstanceUid\": \"\"}|not a DICOM UID",
            "{\"studyInstanceUid\": \"1.2.abc\"}|not a DICOM UID", "{\"studyInstanceUid\": \"1..2\"}|not a DICOM UID"})
    void badBodies_are400(String body, String says) {
        ApiError e = assertThrows(ApiError.class, () -> StudyLookupRequest.studyInstanceUid(body, false));
        assertEquals(400, e.status);
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }

    @Test
    void overlongUids_badBase64_andBigBodies_are400_andNeverEchoed() {
        String uid = "1.2.840." + "9".repeat(57);
        ApiError e = assertThrows(ApiError.class,
                () -> StudyLookupRequest.studyInstanceUid("{\"studyInstanceUid\": \"" + uid + "\"}", null));
        assertEquals("studyInstanceUid is not a DICOM UID.", e.getMessage());
        assertFalse(e.getMessage().contains("999"));
        e = assertThrows(ApiError.class, () -> StudyLookupRequest.studyInstanceUid("{not base64}", true));
        assertEquals("The body is not valid base64.", e.getMessage());
        String big = "{\"studyInstanceUid\": \"1.2.3\", \"pad\": \""
                + " ".repeat(StudyLookupRequest.MAX_BODY_BYTES) + "\"}";
        e = assertThrows(ApiError.class, () -> StudyLookupRequest.studyInstanceUid(big, false));
        assertEquals("Body too large.", e.getMessage());
    }
}
