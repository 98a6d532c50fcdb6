package org.hipoa.export;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.Reason;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The export parses the source header of an upload it did not decode itself: the bytes go through the decoder's
 * structure scan before PixelMed sees them, in ranged reads that end inside the pixels.
 */
class SourceHeaderTest {
    /**
     * Sequences nested 20,000 deep (360 kB): PixelMed recurses per level and overflows its stack, an Error that no
     * handler catch took (the whole export batch failed with it). The scan stops at 32 levels.
     */
    @Test
    void deeplyNestedSequences_areRefusedByTheScan_beforePixelMedRecurses() throws Exception {
        byte[] file = part10(nested(20_000));
        UnreadableHeaderAssert.refused(() -> SourceHeader.parse(file, true), "nested deeper");
        UnreadableHeaderAssert.refused(() -> SourceHeader.parse(file, false), "nested deeper");
    }

    /** A declared length past the end of a whole object is refused, not read short as a header without pixels. */
    @Test
    void anElementLongerThanTheWholeObject_isRefused() throws Exception {
        ByteArrayOutputStream ds = new ByteArrayOutputStream();
        element(ds, 0x0008, 0x0060, "CS", "DX".getBytes(StandardCharsets.US_ASCII));
        ds.write(longHeader(0x0008, 0x0119, "UC", 4000)); // value past the end
        ds.write("short".getBytes(StandardCharsets.US_ASCII));
        UnreadableHeaderAssert.refused(() -> SourceHeader.parse(part10(ds.toByteArray()), true), "cut short");
    }

    /** A real header followed by the start of its pixels: parsed; cut inside the header: more bytes are wanted. */
    @Test
    void aRangedRead_endingInsideThePixels_givesTheHeader_andOneEndingInsideTheHeaderAsksForMore() throws Exception {
        byte[] source = withPixels(resource("/report/phantom-header-11-0.dcm"), 200_000);
        byte[] range = java.util.Arrays.copyOf(source, source.length - 150_000);
        AttributeList header = SourceHeader.parse(range, false);
        assertNotNull(header);
        assertNotNull(header.get(TagFromName.StudyInstanceUID).getSingleStringValueOrNull());
        assertNull(header.get(TagFromName.PixelData), "stopped at Pixel Data");

        byte[] cut = java.util.Arrays.copyOf(source, 400);
        assertNull(SourceHeader.parse(cut, false), "the range ends inside the header: read more");
        UnreadableHeaderAssert.refused(() -> SourceHeader.parse(cut, true), "cut short");
    }

    @Test
    void notDicom_isRefused() {
        UnreadableHeaderAssert.refused(() -> SourceHeader.parse(new byte[300], true), "");
    }

    // ------------------------------------------------------------------ helpers

    interface Parse {
        AttributeList run() throws Exception;
    }

    static final class UnreadableHeaderAssert {
        static void refused(Parse p, String fragment) {
            ExportFailure e = assertThrows(ExportFailure.class, p::run);
            assertEquals(Reason.SR_SOURCE_INCOMPLETE, e.reason);
            assertTrue(e.getMessage().startsWith("The uploaded object's header could not be read ("), e.getMessage());
            assertTrue(e.getMessage().contains(fragment), e.getMessage());
        }
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = SourceHeaderTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** The header file re-written with a native Pixel Data element of {@code n} bytes at its end. */
    private static byte[] withPixels(byte[] headerFile, int n) throws Exception {
        AttributeList l = new AttributeList();
        l.read(new DicomInputStream(new ByteArrayInputStream(headerFile)));
        l.remove(TagFromName.PixelData);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        l.write(out, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, true, true);
        out.write(longHeader(0x7FE0, 0x0010, "OW", n));
        out.write(new byte[n]);
        return out.toByteArray();
    }

    /** Preamble, DICM, a meta group naming explicit VR little endian, then {@code dataSet}. */
    static byte[] part10(byte[] dataSet) throws Exception {
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        element(meta, 0x0002, 0x0010, "UI", uid(TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[128]);
        out.write("DICM".getBytes(StandardCharsets.US_ASCII));
        element(out, 0x0002, 0x0000, "UL", le32(meta.size()));
        out.write(meta.toByteArray());
        out.write(dataSet);
        return out.toByteArray();
    }

    /** Content Sequence, undefined length, one undefined-length item holding the next level, {@code depth} deep. */
    static byte[] nested(int depth) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        element(out, 0x0008, 0x0060, "CS", "SR".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < depth; i++) {
            out.write(longHeader(0x0040, 0xA730, "SQ", -1));
            out.write(item(0xE000, -1));
        }
        for (int i = 0; i < depth; i++) {
            out.write(item(0xE00D, 0));
            out.write(item(0xE0DD, 0));
        }
        return out.toByteArray();
    }

    private static void element(ByteArrayOutputStream out, int group, int el, String vr, byte[] value)
            throws Exception {
        byte[] v = value.length % 2 == 0 ? value : java.util.Arrays.copyOf(value, value.length + 1);
        out.write(header(group, el, vr, v.length));
        out.write(v);
    }

    private static byte[] header(int group, int el, String vr, int length) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) group).putShort((short) el)
                .put(vr.getBytes(StandardCharsets.US_ASCII)).putShort((short) length).array();
    }

    private static byte[] longHeader(int group, int el, String vr, int length) {
        return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putShort((short) group).putShort((short) el)
                .put(vr.getBytes(StandardCharsets.US_ASCII)).putShort((short) 0).putInt(length).array();
    }

    private static byte[] item(int el, int length) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0xFFFE).putShort((short) el)
                .putInt(length).array();
    }

    private static byte[] uid(String uid) {
        return uid.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
