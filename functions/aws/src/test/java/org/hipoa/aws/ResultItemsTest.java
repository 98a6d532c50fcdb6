package org.hipoa.aws;

import org.hipoa.domain.Reason;
import org.hipoa.domain.Side;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.hipoa.domain.Fixtures.REF;
import static org.hipoa.domain.Fixtures.STUDY_KEY;
import static org.hipoa.domain.Fixtures.T0;
import static org.hipoa.domain.Fixtures.UPLOAD_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import org.hipoa.domain.upload.UploadRef;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.Fixtures;
import org.hipoa.domain.result.NotGradable;

class ResultItemsTest {

    @Test
    void gradedRecord_roundTripsThroughTheItem() {
        ResultRecord r = Fixtures.graded();
        assertEquals(r, ResultItems.fromItem(ResultItems.toItem(r)));
    }

    @Test
    void aHipNotGradable_roundTrips_withItsReasonAndWithoutGrades() {
        ResultRecord r = Fixtures.gradedOneHipRefused(NotGradable.HARDWARE);
        Map<String, AttributeValue> item = ResultItems.toItem(r);
        Map<String, AttributeValue> right = item.get("hips").m().get("right").m();
        assertEquals("NOT_GRADABLE", right.get("status").s());
        assertEquals("HARDWARE", right.get("reason").s());
        assertFalse(right.containsKey("fo") || right.containsKey("probabilities"), right.toString());
        assertEquals("GRADED", item.get("hips").m().get("left").m().get("status").s());
        assertEquals(r, ResultItems.fromItem(item));
    }

    @Test
    void anItemWrittenBeforeHipsHadAStatus_readsAsGraded() {
        ResultRecord r = Fixtures.graded();
        Map<String, AttributeValue> item = new java.util.HashMap<>(ResultItems.toItem(r));
        Map<String, AttributeValue> hips = new java.util.HashMap<>();
        item.get("hips").m().forEach((side, h) -> {
            Map<String, AttributeValue> old = new java.util.HashMap<>(h.m());
            old.remove("status");
            hips.put(side, AttributeValue.fromM(old));
        });
        item.put("hips", AttributeValue.fromM(hips));
        assertEquals(r, ResultItems.fromItem(item));
    }

    @Test
    void receivedAndFailedRecords_roundTrip() {
        ResultRecord received = ResultRecord.received(UPLOAD_ID, REF, Fixtures.KEYS, T0);
        assertEquals(received, ResultItems.fromItem(ResultItems.toItem(received)));
        ResultRecord failed = received.failed(new Failure(Stage.PREPROCESS, Reason.NOT_DICOM, "Not DICOM."), T0);
        assertEquals(failed, ResultItems.fromItem(ResultItems.toItem(failed)));
    }

    @Test
    void badKeyRecord_withoutProvider_roundTrips_andHasNoProviderIndexKeys() {
        UploadRef bad = UploadRef.fromEvent("hipoa-incoming", "stray.dcm", null, "etag");
        ResultRecord r = ResultRecord.received(bad.uploadId(Fixtures.KEYS), bad, Fixtures.KEYS, T0)
                .failed(new Failure(Stage.PREPROCESS, Reason.BAD_KEY, "bad key"), T0);
        Map<String, AttributeValue> item = ResultItems.toItem(r);
        assertFalse(item.containsKey("gsi1pk"));
        assertFalse(item.containsKey("provider"));
        assertEquals(r, ResultItems.fromItem(item));
    }

    @Test
    void item_hasTheContractsKeyLayout() {
        ResultRecord r = Fixtures.graded();
        Map<String, AttributeValue> item = ResultItems.toItem(r);
        assertEquals("UPLOAD#" + UPLOAD_ID, item.get("pk").s());
        assertEquals("RESULT", item.get("sk").s());
        assertEquals("PROVIDER#acme-clinic", item.get("gsi1pk").s());
        assertEquals("2026-11-27T10:15:30.000Z#" + UPLOAD_ID, item.get("gsi1sk").s());
        assertEquals("STUDY#" + STUDY_KEY + "#PROVIDER#acme-clinic", item.get("gsi2pk").s(), "study within tenant");
        assertEquals(item.get("gsi1sk"), item.get("gsi2sk"));
        // The change feed's keys are the plain attributes, set by every write.
        assertEquals("acme-clinic", item.get(ResultItems.UPDATES_PK).s());
        assertEquals("2026-11-27T10:15:31.234Z", item.get(ResultItems.UPDATES_SK).s());
        assertEquals("GRADED", item.get("status").s());
        assertEquals("3", item.get("hips").m().get("right").m().get("fo").n());
        assertEquals("incoming/acme-clinic/a b.dcm", Fixtures.KEYS.openObjectKey(UPLOAD_ID,
                item.get(ResultItems.SEALED_KEY).s()));
        assertEquals("hipoa-grader", item.get("model").m().get("name").s());
    }

    @Test
    void anItemsKey_namesItsUpload_andNoOtherKeyDoes() {
        assertEquals(UPLOAD_ID, ResultItems.uploadIdOfPk(ResultItems.pk(UPLOAD_ID)));
        assertThrows(IllegalArgumentException.class,
                () -> ResultItems.uploadIdOfPk(ResultItems.providerPk(REF.provider().orElseThrow())));
    }

    @Test
    void sortKeys_areFixedWidth_soTextOrderIsTimeOrder() {
        ResultRecord whole = ResultRecord.received(UPLOAD_ID, REF, Fixtures.KEYS, Instant.parse("2026-01-01T00:00:00Z"));
        ResultRecord later = ResultRecord.received(UPLOAD_ID, REF, Fixtures.KEYS, Instant.parse("2026-01-01T00:00:00.5Z"));
        assertEquals(whole.sortKey().length(), later.sortKey().length());
        assertEquals(-1, Integer.signum(whole.sortKey().compareTo(later.sortKey())));
    }

    @Test
    void inconsistentRecords_areRefused() {
        ResultRecord received = ResultRecord.received(UPLOAD_ID, REF, Fixtures.KEYS, T0);
        assertThrows(IllegalArgumentException.class, () -> new ResultRecord(UPLOAD_ID, received.provider(), "b", Optional.of("k"),
                "v", T0, T0, Status.GRADED, Optional.empty(), Optional.empty(), Optional.empty(), Map.of(),
                Optional.empty(), Map.of(), Map.of(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new ResultRecord(UPLOAD_ID, received.provider(), "b", Optional.of("k"),
                "v", T0, T0, Status.FAILED, Optional.empty(), Optional.empty(), Optional.empty(), Map.of(),
                Optional.empty(), Map.of(), Map.of(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new ResultRecord("not-an-id", received.provider(), "b",
                Optional.of("k"), "v", T0, T0, Status.RECEIVED, Optional.empty(), Optional.empty(), Optional.empty(), Map.of(),
                Optional.empty(), Map.of(), Map.of(), Optional.empty()));
    }

    @Test
    void foreignItems_areRefusedWithIllegalArgument() {
        Map<String, AttributeValue> item = new HashMap<>(ResultItems.toItem(Fixtures.graded()));
        item.remove("receivedAt");
        assertThrows(IllegalArgumentException.class, () -> ResultItems.fromItem(item));
        item.put("receivedAt", AttributeValue.fromS("yesterday"));
        assertThrows(IllegalArgumentException.class, () -> ResultItems.fromItem(item));
        Map<String, AttributeValue> badStatus = new HashMap<>(ResultItems.toItem(Fixtures.graded()));
        badStatus.put("status", AttributeValue.fromS("DONE"));
        assertThrows(IllegalArgumentException.class, () -> ResultItems.fromItem(badStatus));
    }

    @Test
    void hipsKeepTheirSides() {
        ResultRecord back = ResultItems.fromItem(ResultItems.toItem(Fixtures.graded()));
        assertEquals(3, back.hips().get(Side.RIGHT).grades().orElseThrow().fo());
        assertEquals(0, back.hips().get(Side.LEFT).grades().orElseThrow().fo());
        assertEquals(260.5, back.hips().get(Side.LEFT).centerXmm());
    }

    @Test
    void theItem_holdsTheObjectKeyOnlySealed_inNoAttribute_andTheRecordOpensIt() {
        UploadRef phi = UploadRef.fromEvent("hipoa-incoming", "incoming/acme-clinic/SMITH%5EJOHN_12345.dcm", "v1", "e");
        String id = phi.uploadId(Fixtures.KEYS);
        ResultRecord r = ResultRecord.received(id, phi, Fixtures.KEYS, T0)
                .failed(new Failure(Stage.PREPROCESS, Reason.NOT_DICOM, "Not DICOM."), T0);
        Map<String, AttributeValue> item = ResultItems.toItem(r);
        assertFalse(item.toString().contains("SMITH") || item.toString().contains("12345"), item.toString());
        ResultRecord back = ResultItems.fromItem(item);
        assertEquals("incoming/acme-clinic/SMITH^JOHN_12345.dcm", back.objectKey(Fixtures.KEYS));
        assertThrows(IllegalStateException.class, () -> back.objectKey(new org.hipoa.domain.upload.Keys(
                "another-deployments-secret")));
    }

    @Test
    void anItemAsAnIndexProjectsIt_readsBack_withoutTheKeyOrVersion() {
        Map<String, AttributeValue> item = ResultItems.toItem(Fixtures.graded());
        Map<String, AttributeValue> projected = new HashMap<>();
        for (String k : item.keySet()) {
            if (ResultItems.INDEX_ATTRIBUTES.contains(k) || k.equals("pk") || k.equals("sk") || k.startsWith("gsi")) {
                projected.put(k, item.get(k));
            }
        }
        ResultRecord r = ResultItems.fromItem(projected);
        assertEquals(Optional.empty(), r.sealedKey());
        assertEquals("", r.objectVersion());
        assertEquals(Fixtures.graded().hips(), r.hips());
        assertEquals(Fixtures.graded().status(), r.status());
        assertThrows(IllegalStateException.class, () -> r.objectKey(Fixtures.KEYS));
    }
}
