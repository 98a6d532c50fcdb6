package org.hipoa.dicom;

import org.hipoa.domain.Outcome;

import com.pixelmed.dicom.TransferSyntax;
import org.hipoa.domain.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Each rejection reason, triggered by a real malformed file; and no input ever escapes as an exception. */
class RejectionTest {
    @TempDir Path dir;
    final RadiographDecoder decoder = new RadiographDecoder();

    private Reason reasonFor(byte[] bytes) {
        return reasonFor(decoder, bytes);
    }

    private static Reason reasonFor(RadiographDecoder decoder, byte[] bytes) {
        Outcome<Radiograph> result = decoder.decode(bytes);
        return assertInstanceOf(Outcome.Rejected.class, result, "expected a rejection").rejection().reason();
    }

    @Test
    void textFile_isRejectedAsNotDicom() {
        byte[] text = "Patient report: hips look fine.\nThis is a plain text file, not an image.\n".repeat(5)
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(Reason.NOT_DICOM, reasonFor(text));
    }

    @Test
    void emptyFileAndPng_areRejectedAsNotDicom() {
        assertEquals(Reason.NOT_DICOM, reasonFor(new byte[0]));
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        assertEquals(Reason.NOT_DICOM, reasonFor(Arrays.copyOf(png, 400)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-w,-X", "-w,-M", "-d", "-R", "-J", "-K"})
    void truncatedCopy_inEverySyntax_isRejectedAsTruncated(String options) throws Exception {
        Path original = new TestDicom().write(dir, "o.dcm", TransferSyntax.ExplicitVRLittleEndian);
        byte[] full = Files.readAllBytes(Gdcm.convert(original, dir.resolve("c.dcm"), options.split(",")));
        for (double keep : new double[] {0.999, 0.9, 0.5, 0.1}) {
            byte[] cut = Arrays.copyOf(full, (int) (full.length * keep));
            assertEquals(Reason.TRUNCATED, reasonFor(cut), "cut to " + cut.length + " of " + full.length);
        }
        assertEquals(Reason.TRUNCATED, reasonFor(Arrays.copyOf(full, 100)), "cut inside the preamble");
    }

    @Test
    void dicomWithoutPixelData_isRejectedAsNoPixelData() throws Exception {
        TestDicom noPixels = new TestDicom();
        noPixels.withPixelData = false;
        assertEquals(Reason.NO_PIXEL_DATA, reasonFor(noPixels.bytes(TransferSyntax.ExplicitVRLittleEndian)));
    }

    @Test
    void rgbImage_isRejectedAsUnsupportedPhotometric() throws Exception {
        TestDicom rgb = new TestDicom();
        rgb.photometric = "RGB";
        rgb.samplesPerPixel = 3;
        rgb.bitsAllocated = 8;
        rgb.bitsStored = 8;
        assertEquals(Reason.UNSUPPORTED_PHOTOMETRIC, reasonFor(rgb.bytes(TransferSyntax.ExplicitVRLittleEndian)));
    }

    @Test
    void twoFrames_isRejectedAsMultiframe() throws Exception {
        TestDicom twoFrames = new TestDicom();
        twoFrames.frames = 2;
        assertEquals(Reason.MULTIFRAME, reasonFor(twoFrames.bytes(TransferSyntax.ExplicitVRLittleEndian)));
    }

    @Test
    void overBudget_isRejectedAsTooLarge_beforeDecoding() throws Exception {
        byte[] bytes = new TestDicom().bytes(TransferSyntax.ExplicitVRLittleEndian);
        RadiographDecoder tightBytes = new RadiographDecoder(new DecodeLimits(bytes.length - 1, 1_000_000, 0.15));
        assertEquals(Reason.TOO_LARGE, reasonFor(tightBytes, bytes));
        RadiographDecoder tightPixels = new RadiographDecoder(new DecodeLimits(1 << 30, 96 * 128 - 1, 0.15));
        assertEquals(Reason.TOO_LARGE, reasonFor(tightPixels, bytes));
    }

    @Test
    void hugeDeclaredImage_isRejectedAsTooLarge_withoutAllocatingIt() throws Exception {
        TestDicom liar = new TestDicom(); // header claims 60000 x 60000, pixel data is tiny
        liar.pixels = TestDicom.pattern(96, 128, 12);
        liar.rows = 60000;
        liar.columns = 60000;
        liar.withPixelData = false;
        byte[] header = liar.bytes(TransferSyntax.ExplicitVRLittleEndian);
        byte[] withSmallPixels = appendPixelData(header, new byte[96 * 128 * 2]);
        assertEquals(Reason.TOO_LARGE, reasonFor(withSmallPixels));
    }

    @Test
    void pixelDataShorterThanRowsTimesColumns_isRejectedAsCorrupt() throws Exception {
        TestDicom liar = new TestDicom();
        liar.withPixelData = false;
        byte[] withShortPixels = appendPixelData(liar.bytes(TransferSyntax.ExplicitVRLittleEndian), new byte[1000]);
        assertEquals(Reason.CORRUPT, reasonFor(withShortPixels));
    }

    @Test
    void unsupportedSyntaxInMetaHeader_isRejectedBeforeDecoding() throws Exception {
        byte[] bytes = new TestDicom().bytes(TransferSyntax.ExplicitVRLittleEndian);
        byte[] mpeg = replaceUid(bytes, "1.2.840.10008.1.2.1\0", "1.2.840.10008.1.2.4.100");
        assertEquals(Reason.UNSUPPORTED_TRANSFER_SYNTAX, reasonFor(mpeg));
    }

    /** Random corruption of a valid file: whatever the bytes, decode() answers, never throws, never hangs. */
    @Test
    void randomlyCorruptedFiles_neverEscapeAsExceptions() throws Exception {
        byte[] valid = new TestDicom().bytes(TransferSyntax.ExplicitVRLittleEndian);
        SplittableRandom random = new SplittableRandom(42);
        for (int trial = 0; trial < 400; trial++) {
            byte[] b = valid.clone();
            int flips = 1 + random.nextInt(8);
            for (int k = 0; k < flips; k++) {
                // Bias toward the header, where a flipped byte changes structure rather than one pixel.
                int at = random.nextInt(4) == 0 ? random.nextInt(b.length) : random.nextInt(Math.min(b.length, 700));
                b[at] = (byte) random.nextInt(256);
            }
            assertNotNull(decoder.decode(b));
        }
    }

    /** Appends an explicit-VR OW Pixel Data element with the given value. */
    private static byte[] appendPixelData(byte[] dataSet, byte[] value) {
        byte[] out = Arrays.copyOf(dataSet, dataSet.length + 12 + value.length);
        int p = dataSet.length;
        byte[] header = {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'W', 0, 0,
                (byte) value.length, (byte) (value.length >>> 8), (byte) (value.length >>> 16), (byte) (value.length >>> 24)};
        System.arraycopy(header, 0, out, p, 12);
        System.arraycopy(value, 0, out, p + 12, value.length);
        return out;
    }

    /** Replaces the Transfer Syntax UID value (and its length, and the meta group length) in a Part 10 file. */
    private static byte[] replaceUid(byte[] file, String from, String to) {
        String padded = to.length() % 2 == 1 ? to + "\0" : to;
        int delta = padded.length() - from.length();
        byte[] f = from.getBytes(StandardCharsets.US_ASCII);
        int at = -1;
        for (int i = 132; i < 400 && at < 0; i++) {
            if (Arrays.equals(Arrays.copyOfRange(file, i, i + f.length), f)) at = i;
        }
        byte[] out = new byte[file.length + delta];
        System.arraycopy(file, 0, out, 0, at);
        System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, out, at, padded.length());
        System.arraycopy(file, at + f.length, out, at + padded.length(), file.length - at - f.length);
        out[at - 2] = (byte) padded.length(); // the element's 2-byte length
        int groupLength = (out[140] & 0xFF) | (out[141] & 0xFF) << 8; // (0002,0000) value at 140 in PixelMed's output
        groupLength += delta;
        out[140] = (byte) groupLength;
        out[141] = (byte) (groupLength >>> 8);
        return out;
    }
}
