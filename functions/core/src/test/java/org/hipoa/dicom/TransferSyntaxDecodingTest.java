package org.hipoa.dicom;

import org.hipoa.domain.Outcome;

import com.pixelmed.dicom.TransferSyntax;
import org.hipoa.domain.Reason;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every supported transfer syntax, encoded by an independent toolkit (GDCM), decodes to the original pixels. */
class TransferSyntaxDecodingTest {
    @TempDir static Path dir;
    static TestDicom fixture;
    static Path original;
    static final RadiographDecoder decoder = new RadiographDecoder();

    @BeforeAll
    static void writeOriginal() throws Exception {
        fixture = new TestDicom();
        fixture.rows = 200;
        fixture.columns = 160;
        fixture.bitsStored = 14;
        original = fixture.write(dir, "original.dcm", TransferSyntax.ExplicitVRLittleEndian);
    }

    static Radiograph decoded(Path p) {
        Outcome<Radiograph> result = decoder.decode(p);
        if (result instanceof Outcome.Rejected<Radiograph> r) throw new AssertionError(p + " rejected: " + r.rejection());
        return ((Outcome.Ok<Radiograph>) result).value();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "explicit,  '-w,-X', 1.2.840.10008.1.2.1",
            "implicit,  '-w,-M', 1.2.840.10008.1.2",
            "deflated,  '-d',    1.2.840.10008.1.2.1.99",
            "rle,       '-R',    1.2.840.10008.1.2.5",
            "jpeg-lossless-sv1, '-J', 1.2.840.10008.1.2.4.70",
            "jpeg2000-lossless, '-K', 1.2.840.10008.1.2.4.90"})
    void losslessSyntax_fromGdcm_decodesBitExact(String name, String options, String expectedUid) throws Exception {
        Path encoded = Gdcm.convert(original, dir.resolve(name + ".dcm"), options.split(","));
        Radiograph r = decoded(encoded);
        assertEquals(expectedUid, r.transferSyntaxUid(), "gdcmconv wrote another syntax than intended");
        assertPixelsEqual(fixture.storedPixels(), r);
    }

    /**
     * GDCM writes only the first-order predictor (.70); a .70 codestream is also a valid .57 (Process 14 with any
     * predictor), so relabelling the UID exercises the .57 path with real independent data.
     */
    @Test
    void jpegLosslessProcess14_decodesBitExact() throws Exception {
        Path sv1 = Gdcm.convert(original, dir.resolve("sv1.dcm"), "-J");
        byte[] bytes = Files.readAllBytes(sv1);
        byte[] from = TransferSyntaxes.JPEG_LOSSLESS_SV1.getBytes(), to = TransferSyntaxes.JPEG_LOSSLESS.getBytes();
        int at = indexOf(bytes, from);
        assertTrue(at > 0);
        // Same length after padding: ".70" + NUL pad becomes ".57" + NUL pad, the meta group length is unchanged.
        System.arraycopy(to, 0, bytes, at, to.length);
        Path p57 = Files.write(dir.resolve("p14.dcm"), bytes);
        Radiograph r = decoded(p57);
        assertEquals(TransferSyntaxes.JPEG_LOSSLESS, r.transferSyntaxUid());
        assertPixelsEqual(fixture.storedPixels(), r);
    }

    @Test
    void jpeg2000Lossy_decodesWithinTolerance() throws Exception {
        Path lossy = Gdcm.convert(original, dir.resolve("j2k-lossy.dcm"), "-K", "-Y", "-q", "80");
        Radiograph r = decoded(lossy);
        assertEquals(TransferSyntaxes.JPEG_2000, r.transferSyntaxUid());
        assertMeanAbsoluteErrorBelow(fixture.storedPixels(), r, 0.01 * (1 << fixture.bitsStored));
    }

    @Test
    void jpegBaseline8Bit_decodesWithinTolerance() throws Exception {
        TestDicom eight = new TestDicom();
        eight.bitsAllocated = 8;
        eight.bitsStored = 8;
        Path in = eight.write(dir, "eight.dcm", TransferSyntax.ExplicitVRLittleEndian);
        Radiograph exact = decoded(in);
        assertPixelsEqual(eight.storedPixels(), exact);
        Path lossy = Gdcm.convert(in, dir.resolve("eight-jpeg.dcm"), "-J", "-Y", "-q", "95");
        Radiograph r = decoded(lossy);
        assertEquals(TransferSyntaxes.JPEG_BASELINE, r.transferSyntaxUid());
        assertMeanAbsoluteErrorBelow(eight.storedPixels(), r, 3.0);
    }

    @Test
    void jpegLs_isRejectedAsUnsupportedTransferSyntax() throws Exception {
        Path jls = Gdcm.convert(original, dir.resolve("jls.dcm"), "-L");
        Outcome.Rejected<Radiograph> r = assertInstanceOf(Outcome.Rejected.class, decoder.decode(jls));
        assertEquals(Reason.UNSUPPORTED_TRANSFER_SYNTAX, r.rejection().reason());
        assertTrue(r.rejection().message().contains("JPEG-LS"), r.rejection().message());
    }

    @Test
    void jpegExtended12Bit_isRejectedAsUnsupportedTransferSyntax() throws Exception {
        Path lossy12 = Gdcm.convert(original, dir.resolve("jpeg12.dcm"), "-J", "-Y", "-q", "90");
        Outcome.Rejected<Radiograph> r = assertInstanceOf(Outcome.Rejected.class, decoder.decode(lossy12));
        assertEquals(Reason.UNSUPPORTED_TRANSFER_SYNTAX, r.rejection().reason());
    }

    static void assertPixelsEqual(short[] stored, Radiograph r) {
        assertEquals(stored.length, r.pixels().length);
        for (int i = 0; i < stored.length; i++) {
            if (r.pixels()[i] != (stored[i] & 0xFFFF)) {
                throw new AssertionError("pixel " + i + ": expected " + (stored[i] & 0xFFFF) + " got " + r.pixels()[i]);
            }
        }
    }

    static void assertMeanAbsoluteErrorBelow(short[] stored, Radiograph r, double limit) {
        double sum = 0;
        for (int i = 0; i < stored.length; i++) sum += Math.abs(r.pixels()[i] - (stored[i] & 0xFFFF));
        double mae = sum / stored.length;
        assertTrue(mae < limit, "mean absolute error " + mae + " >= " + limit);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
