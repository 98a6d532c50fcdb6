package org.hipoa.dicom;

import com.pixelmed.dicom.TransferSyntax;
import org.hipoa.core.crop.CropContract;
import org.hipoa.core.model.HipQa;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rejection messages quote a file's value only when it has its VR's form; anything else is named, not echoed. */
class QuotedValueTest {
    final RadiographDecoder decoder = new RadiographDecoder();

    @Test
    void uids_codeStrings_andBodyParts_areQuotedOnlyWhenValid() {
        assertEquals("1.2.840.10008.1.2.4.100", QuotedValue.uid("1.2.840.10008.1.2.4.100"));
        assertEquals("(not a valid UID)", QuotedValue.uid("1.2.840.01"));
        assertEquals("(not a valid UID)", QuotedValue.uid("1." + "2".repeat(63)));
        assertEquals("(not a valid UID)", QuotedValue.uid("1.2\u0001.3"));
        assertEquals("(not a valid UID)", QuotedValue.uid("SMITH^JOHN"));
        assertEquals("RGB", QuotedValue.codeString("RGB"));
        assertEquals("PALETTE COLOR", QuotedValue.codeString("PALETTE COLOR"));
        assertEquals("(not a valid code string)", QuotedValue.codeString("Smith^John"));
        assertEquals("(not a valid code string)", QuotedValue.codeString("A".repeat(17)));
        assertEquals("CHEST", QuotedValue.bodyPart("CHEST"));
        assertEquals("(not a defined body part term)", QuotedValue.bodyPart("SMITH JOHN"));
        assertEquals("(not a defined body part term)", QuotedValue.bodyPart("chest"));
        assertEquals("(not a defined body part term)", QuotedValue.bodyPart(null));
    }

    @Test
    void a64KbControlByteTransferSyntaxUid_isRefusedWithABoundedMessage() throws Exception {
        byte[] file = OversizedValues.withTransferSyntax(new TestDicom().bytes(TransferSyntax.ExplicitVRLittleEndian),
                OversizedValues.hugeUid());
        Rejection r = rejection(decoder.decode(file));
        assertEquals(Reason.UNSUPPORTED_TRANSFER_SYNTAX, r.reason());
        assertEquals("Transfer syntax (not a valid UID) is not supported; send uncompressed, RLE, JPEG lossless or "
                + "JPEG 2000.", r.message());
        // A real unsupported UID is still named.
        String mpeg = "1.2.840.10008.1.2.4.100";
        Rejection named = rejection(decoder.decode(OversizedValues.withTransferSyntax(
                new TestDicom().bytes(TransferSyntax.ExplicitVRLittleEndian), mpeg + "\0")));
        assertTrue(named.message().contains("MPEG-2 (" + mpeg + ")"), named.message());
    }

    @Test
    void aHugePhotometricInterpretation_isNamedNotEchoed() throws Exception {
        TestDicom d = new TestDicom();
        d.photometric = "RGB" + "\u0007".repeat(30_000) + "X";
        Rejection r = rejection(decoder.decode(d.bytes(TransferSyntax.ExplicitVRLittleEndian)));
        assertEquals(Reason.UNSUPPORTED_PHOTOMETRIC, r.reason());
        assertTrue(r.message().startsWith("Photometric Interpretation (not a valid code string) with 1 sample"),
                r.message());
        TestDicom rgb = new TestDicom();
        rgb.photometric = "RGB";
        rgb.samplesPerPixel = 3;
        assertTrue(rejection(decoder.decode(rgb.bytes(TransferSyntax.ExplicitVRLittleEndian))).message()
                .startsWith("Photometric Interpretation RGB with 3 sample"));
    }

    @Test
    void bodyPartAndViewPosition_areQuotedOnlyAsDefinedTerms() throws Exception {
        Radiograph pelvis = ((Outcome.Ok<Radiograph>) decoder.decode(new TestDicom()
                .bytes(TransferSyntax.ExplicitVRLittleEndian))).value();
        String name = "PHIGUARD ZELDA";
        String huge = "X" + "\u0001".repeat(60_000) + "Y";
        assertEquals("Body Part Examined is CHEST, not PELVIS or HIP.", qa(with(pelvis, "CHEST", "AP")).message());
        for (String part : new String[] {name, huge}) {
            Rejection r = qa(with(pelvis, part, "AP"));
            assertEquals(Reason.NOT_AP_PELVIS, r.reason());
            assertEquals("Body Part Examined is (not a defined body part term), not PELVIS or HIP.", r.message());
        }
        assertEquals("View Position is LL; grading needs an AP view.", qa(with(pelvis, "PELVIS", "LL")).message());
        Rejection view = qa(with(pelvis, "PELVIS", huge));
        assertEquals("View Position is (not a valid code string); grading needs an AP view.", view.message());
        assertFalse(view.message().contains("\u0001"));
    }

    static Rejection qa(Radiograph r) {
        return HipQa.checkAttributes(r, CropContract.bundled()).orElseThrow();
    }

    static Radiograph with(Radiograph r, String bodyPart, String view) {
        return new Radiograph(r.rows(), r.columns(), r.pixels(), r.spacing(), r.transferSyntaxUid(),
                r.sourcePhotometric(), r.bitsStored(), r.window(), r.studyInstanceUid(), r.seriesInstanceUid(),
                r.sopInstanceUid(), r.modality(), view, r.laterality(), bodyPart);
    }

    static Rejection rejection(Outcome<Radiograph> o) {
        return assertInstanceOf(Outcome.Rejected.class, o, "expected a rejection").rejection();
    }
}
