package org.hipoa.aws;

import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import static org.hipoa.aws.FaultsTest.answer;
import static org.hipoa.aws.FaultsTest.s3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What S3's refusal to hand over an upload means: gone, unreadable for a stated cause, or not about the object. */
class SourceReadsTest {
    @Test
    void goneOrOverwritten_isSourceMissing() {
        assertEquals(Reason.SOURCE_MISSING,
                reason((S3Exception) answer(NoSuchKeyException.builder(), "S3", 404, "NoSuchKey")));
        assertEquals(Reason.SOURCE_MISSING, reason(s3(404, "NoSuchVersion")));
        assertEquals(Reason.SOURCE_MISSING, reason(s3(412, "PreconditionFailed")), "overwritten, read by its eTag");
    }

    @Test
    void storedSoWeCannotReadIt_isSourceUnreadable_withOneSentencePerCause() {
        assertEquals(SourceReads.Unreadable.ACCESS_DENIED, SourceReads.cause(s3(403, "AccessDenied")).orElseThrow());
        assertEquals(SourceReads.Unreadable.KMS_KEY,
                SourceReads.cause(s3(403, "KMS.AccessDeniedException")).orElseThrow());
        assertEquals(SourceReads.Unreadable.KMS_KEY, SourceReads.cause(s3(400, "KMS.DisabledException")).orElseThrow());
        assertEquals(SourceReads.Unreadable.KMS_KEY, SourceReads.cause(s3(400, "KMS.NotFoundException")).orElseThrow());
        assertEquals(SourceReads.Unreadable.ARCHIVED, SourceReads.cause(s3(403, "InvalidObjectState")).orElseThrow());
        assertEquals(SourceReads.Unreadable.CUSTOMER_KEY, SourceReads.cause(s3(400, "InvalidRequest")).orElseThrow());
        Set<String> sentences = new HashSet<>();
        for (SourceReads.Unreadable u : SourceReads.Unreadable.values()) {
            Rejection r = u.rejection();
            assertEquals(Reason.SOURCE_UNREADABLE, r.reason());
            assertTrue(sentences.add(r.message()), "one sentence per cause");
            for (String bad : Set.of("Exception", "java.", "org.", "null")) assertFalse(r.message().contains(bad));
        }
    }

    @Test
    void transientTrouble_andOurOwnCredentials_areNotAboutTheObject() {
        assertEquals(Optional.empty(), SourceReads.refusal(s3(503, "SlowDown")));
        assertEquals(Optional.empty(), SourceReads.refusal(s3(500, "InternalError")));
        assertEquals(Optional.empty(), SourceReads.refusal(s3(400, "KMS.ThrottlingException")));
        assertEquals(Optional.empty(), SourceReads.refusal(s3(403, "InvalidAccessKeyId")));
        assertEquals(Optional.empty(), SourceReads.refusal(s3(403, "SignatureDoesNotMatch")));
    }

    private static Reason reason(S3Exception e) {
        return SourceReads.refusal(e).orElseThrow().reason();
    }
}
