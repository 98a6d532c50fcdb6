package org.hipoa.export;

import org.hipoa.domain.Reason;
import org.hipoa.report.HipSrWriter;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The codes and statuses an item's export record carries, and which failures another receive may cure. */
class ExportFailureTest {
    /** Every code the export records, spelled as operators' queries and the PACS runbooks read them. */
    static final List<String> EXPORT_CODES = List.of("SOURCE_MISSING", "SR_SOURCE_INCOMPLETE", "SOURCE_UNREADABLE",
            "DICOMWEB_UNREACHABLE", "DICOMWEB_TIMEOUT", "DICOMWEB_UNAVAILABLE", "DICOMWEB_CREDENTIALS",
            "DICOMWEB_REJECTED", "DICOMWEB_ENDPOINT_INVALID", "DICOMWEB_NOT_HTTPS", "DICOMWEB_SECRET_NOT_PROVIDERS",
            "ITEM_UNREADABLE", "DEAD_LETTERED", "INTERNAL");

    @Test
    void everyExportCode_isAReason_andOnlyThePacsAndOurOwnFaults_areRetried() {
        Set<String> retried = Set.of("DICOMWEB_UNREACHABLE", "DICOMWEB_TIMEOUT", "DICOMWEB_UNAVAILABLE",
                "DICOMWEB_CREDENTIALS", "INTERNAL");
        for (String code : EXPORT_CODES) {
            ExportFailure f = new ExportFailure(Reason.valueOf(code), "a sentence");
            assertEquals(retried.contains(code), f.retryable(), code);
        }
        // No pipeline-only reason (a preprocess refusal, the sweeper) is taken for a retryable export failure.
        Set<Reason> others = EnumSet.allOf(Reason.class);
        others.removeIf(r -> EXPORT_CODES.contains(r.name()));
        for (Reason r : others) assertFalse(new ExportFailure(r, "a sentence").retryable(), r.name());
    }

    @Test
    void anIncompleteSourceHeader_isRecordedAsSrSourceIncomplete_withTheWritersSentence() {
        var e = new HipSrWriter.SourceIncompleteException("the graded image's header has no Study Instance UID, so a"
                + " report cannot be filed with it");
        ExportFailure f = ExportFailure.of(e);
        assertEquals("SR_SOURCE_INCOMPLETE", f.reason.name());
        assertEquals(e.getMessage(), f.getMessage());
        assertFalse(f.retryable());
    }

    @Test
    void statuses_areStoredByTheirNames_andAnUnknownStoredValue_isNone() {
        assertEquals(List.of("DONE", "RETRYING", "FAILED"),
                List.of(ExportStatus.values()).stream().map(Enum::name).toList());
        assertEquals(Optional.of(ExportStatus.DONE), ExportStatus.of("DONE"));
        assertEquals(Optional.of(ExportStatus.RETRYING), ExportStatus.of("RETRYING"));
        assertEquals(Optional.empty(), ExportStatus.of("done"));
        assertEquals(Optional.empty(), ExportStatus.of(null));
    }

    @Test
    void aFailure_needsAReasonAndASentence() {
        assertThrows(NullPointerException.class, () -> new ExportFailure(null, "x"));
        assertThrows(NullPointerException.class, () -> new ExportFailure(Reason.INTERNAL, null));
    }
}
