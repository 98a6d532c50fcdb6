package org.hipoa.export;

import org.hipoa.domain.Reason;
import org.hipoa.domain.upload.Provider;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The export attribute's shapes as docs/PIPELINE.md gives them and the endpoints item's key: what the partner API,
 * operators' queries and the DLQ consumer read back. (Written against the table by infra/local's export tests.)
 */
class ExportStoreTest {
    static final Instant AT = Instant.parse("2026-12-01T12:00:00.123456Z");

    @Test
    void done_recordsTheSrKeyAndWhereItWent_andNoReason() {
        var e = ExportStore.attribute(new ExportStore.Outcome(ExportStatus.DONE, 2, AT, null, null,
                "results/acme/x/sr.dcm", "STORED"));
        assertEquals(List.of("status", "attempts", "at", "srKey", "dicomweb"), List.copyOf(e.keySet()));
        assertEquals("DONE", e.get("status").s());
        assertEquals("2", e.get("attempts").n());
        assertEquals("2026-12-01T12:00:00.123Z", e.get("at").s());
        assertEquals("results/acme/x/sr.dcm", e.get("srKey").s());
        assertEquals("STORED", e.get("dicomweb").s());
    }

    @Test
    void aFailure_recordsItsCodeAndSentence_andTheSrKeyOnlyWhenOneWasWritten() {
        var before = ExportStore.attribute(new ExportStore.Outcome(ExportStatus.FAILED, 1, AT, Reason.SOURCE_MISSING,
                "The uploaded object no longer exists.", null, null));
        assertEquals(Map.of("status", s("FAILED"), "attempts", n("1"), "at", s("2026-12-01T12:00:00.123Z"),
                "reason", s("SOURCE_MISSING"), "message", s("The uploaded object no longer exists.")), before);
        var after = ExportStore.attribute(new ExportStore.Outcome(ExportStatus.RETRYING, 3, AT,
                Reason.DICOMWEB_TIMEOUT, "The DICOMweb endpoint did not answer within 0.7 s.", "results/a/b/sr.dcm",
                null));
        assertEquals("RETRYING", after.get("status").s());
        assertEquals("DICOMWEB_TIMEOUT", after.get("reason").s());
        assertEquals("results/a/b/sr.dcm", after.get("srKey").s());
    }

    @Test
    void deadLettered_keepsTheAttemptsAndSrKeyAsStored_andReplacesTheRest() {
        AttributeValue previous = AttributeValue.fromM(Map.of("status", s("RETRYING"), "attempts", n("4"),
                "srKey", s("results/acme/x/sr.dcm"), "reason", s("DICOMWEB_TIMEOUT"), "message", s("old"),
                "dicomweb", s("STORED")));
        var e = ExportStore.deadLettered(previous, Reason.DEAD_LETTERED, "gave up", AT);
        assertEquals(Map.of("status", s("FAILED"), "attempts", n("4"), "srKey", s("results/acme/x/sr.dcm"),
                "reason", s("DEAD_LETTERED"), "message", s("gave up"), "at", s("2026-12-01T12:00:00.123Z")), e);
    }

    @Test
    void deadLettered_withoutARecordBefore_hasNoAttempts() {
        for (AttributeValue previous : new AttributeValue[] {null, s("not a map")}) {
            var e = ExportStore.deadLettered(previous, Reason.DEAD_LETTERED, "gave up", AT);
            assertEquals(n("0"), e.get("attempts"));
            assertEquals(null, e.get("srKey"));
            assertEquals(s("FAILED"), e.get("status"));
        }
    }

    @Test
    void theEndpoint_isTheProvidersDicomwebItem() {
        assertEquals(Map.of("pk", s("PROVIDER#acme-clinic"), "sk", s("DICOMWEB")),
                ExportStore.endpointKey(new Provider("acme-clinic")));
        assertEquals(Optional.of(new ExportStore.Endpoint("https://pacs.example.org/dw",
                        Optional.of("hipoa/dicomweb/acme-clinic"))),
                ExportStore.endpointOf(Map.of("url", s("https://pacs.example.org/dw"),
                        "secretName", s("hipoa/dicomweb/acme-clinic"))));
        assertEquals(Optional.of(new ExportStore.Endpoint("https://pacs.example.org/dw", Optional.empty())),
                ExportStore.endpointOf(Map.of("url", s("https://pacs.example.org/dw"))));
        // No item, or one without a URL: nothing registered, the SR goes to the bucket only.
        assertEquals(Optional.empty(), ExportStore.endpointOf(null));
        assertEquals(Optional.empty(), ExportStore.endpointOf(Map.of()));
        assertEquals(Optional.empty(), ExportStore.endpointOf(Map.of("secretName", s("hipoa/dicomweb/acme-clinic"))));
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(String v) {
        return AttributeValue.fromN(v);
    }
}
