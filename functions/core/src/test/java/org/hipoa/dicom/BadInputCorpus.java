package org.hipoa.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UnsignedShortAttribute;
import org.hipoa.domain.Reason;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.zip.Deflater;

import static org.hipoa.dicom.DicomAttributes.us;
import static org.hipoa.dicom.DicomAttributes.ul;
import static org.hipoa.dicom.DicomAttributes.cs;
import static org.hipoa.dicom.DicomAttributes.ds;

/**
 * Generated bad (and odd-but-valid) DICOM inputs, each with the outcome the default {@link RadiographDecoder} must
 * give: a reason code, or a decoded image of known size and value range. Deterministic (fixed seeds); needs GDCM's
 * gdcmconv for the compressed variants, like the other decoder tests.
 *
 * <p>Kept apart from its test so the same triples can be fed to {@code ./hipoa inspect}, {@code ./hipoa grade} and
 * the local stack: write each {@link Case#bytes()} to a file named {@link Case#name()} and compare the outcome.
 */
public final class BadInputCorpus {
    private BadInputCorpus() {}

    /** What the decoder must make of a case. */
    public sealed interface Expected {
        /** Refused with exactly this reason. */
        record Refused(Reason reason) implements Expected {}

        /** Decoded to rows x columns with decoded minimum and maximum within {@code tolerance} of these. */
        record Decoded(int rows, int columns, double min, double max, double tolerance) implements Expected {}

        /**
         * Decoded to rows x columns, but refused by the grading gate with exactly this reason: a valid image whose
         * attributes no pelvis radiograph has. {@code ./hipoa inspect} shows it; grading refuses it.
         */
        record Gated(int rows, int columns, Reason reason) implements Expected {}
    }

    /** One generated input: a unique file-name-safe name, its bytes and the outcome it must have. */
    public record Case(String name, byte[] bytes, Expected expected) {
        public Case {
            Objects.requireNonNull(name);
            Objects.requireNonNull(bytes);
            Objects.requireNonNull(expected);
        }

        @Override
        public String toString() {
            return name + " (" + bytes.length + " bytes) -> " + expected;
        }
    }

    private static final String EXPLICIT = TransferSyntax.ExplicitVRLittleEndian;
    private static final String IMPLICIT = TransferSyntax.ImplicitVRLittleEndian;

    /** All cases; {@code work} is a scratch folder for gdcmconv's files. */
    public static List<Case> generate(Path work) throws Exception {
        List<Case> out = new ArrayList<>();
        TestDicom base = new TestDicom();
        byte[] explicit = base.bytes(EXPLICIT);
        Path original = Files.write(work.resolve("original.dcm"), explicit);

        // --- Valid files in every syntax: they must decode (exact ranges for the lossless ones).
        short[] stored = base.storedPixels();
        double lo = min(stored), hi = max(stored);
        out.add(decoded("valid-explicit", explicit, base, lo, hi, 0));
        out.add(decoded("valid-implicit", base.bytes(IMPLICIT), base, lo, hi, 0));
        byte[] deflated = gdcm(original, work, "deflated", "-d");
        byte[] rle = gdcm(original, work, "rle", "-R");
        byte[] jpegLossless = gdcm(original, work, "jpegll", "-J");
        byte[] j2k = gdcm(original, work, "j2k", "-K");
        byte[] j2kLossy = gdcm(original, work, "j2k-lossy", "-K", "-Y", "-q", "80");
        out.add(decoded("valid-deflated", deflated, base, lo, hi, 0));
        out.add(decoded("valid-rle", rle, base, lo, hi, 0));
        out.add(decoded("valid-jpeg-lossless", jpegLossless, base, lo, hi, 0));
        out.add(decoded("valid-j2k-lossless", j2k, base, lo, hi, 0));
        out.add(decoded("valid-j2k-lossy", j2kLossy, base, lo, hi, 0.05 * 4096));
        TestDicom eight = new TestDicom();
        eight.bitsAllocated = 8;
        eight.bitsStored = 8;
        byte[] eightBytes = eight.bytes(EXPLICIT);
        Path eightPath = Files.write(work.resolve("eight.dcm"), eightBytes);
        byte[] jpegBaseline = gdcm(eightPath, work, "jpeg-baseline", "-J", "-Y", "-q", "95");
        out.add(decoded("valid-jpeg-baseline-8bit", jpegBaseline, eight, min(eight.storedPixels()),
                max(eight.storedPixels()), 12));

        // --- Truncations at many offsets, in every syntax.
        truncations(out, "explicit", explicit, EXPLICIT);
        truncations(out, "implicit", base.bytes(IMPLICIT), IMPLICIT);
        int deflateStart = elementStarts(deflated, true).stream().filter(p -> u16(deflated, p) != 2).findFirst()
                .orElseThrow();
        for (double f : new double[] {0.0, 0.01, 0.3, 0.6, 0.9, 0.999}) {
            int at = deflateStart + 2 + (int) ((deflated.length - deflateStart - 3) * f);
            out.add(refused("truncated-deflated-at-" + at, Arrays.copyOf(deflated, at), Reason.TRUNCATED));
        }
        for (Object[] c : new Object[][] {{"rle", rle}, {"jpegll", jpegLossless}, {"j2k", j2k}}) {
            byte[] full = (byte[]) c[1];
            int pixelStart = pixelDataStart(full);
            for (double f : new double[] {0.0, 0.01, 0.3, 0.6, 0.9, 0.999}) {
                int at = pixelStart + 14 + (int) ((full.length - pixelStart - 15) * f);
                out.add(refused("truncated-" + c[0] + "-at-" + at, Arrays.copyOf(full, at), Reason.TRUNCATED));
            }
        }

        // --- Not DICOM, or DICOM without an image.
        out.add(refused("empty", new byte[0], Reason.NOT_DICOM));
        out.add(refused("text", "Patient report: hips look fine.\n".repeat(20).getBytes(StandardCharsets.UTF_8),
                Reason.NOT_DICOM));
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        out.add(refused("png", Arrays.copyOf(png, 400), Reason.NOT_DICOM));
        out.add(refused("random-bytes", random(5000, 7), Reason.NOT_DICOM));
        out.add(refused("preamble-only", new byte[128], Reason.TRUNCATED));
        out.add(refused("preamble-and-DICM-only", Arrays.copyOf(explicit, 132), Reason.TRUNCATED));
        out.add(refused("preamble-and-DI", Arrays.copyOf(explicit, 130), Reason.TRUNCATED));
        out.add(refused("dicomdir", dicomdir(), Reason.NO_PIXEL_DATA));
        TestDicom noPixels = new TestDicom();
        noPixels.withPixelData = false;
        out.add(refused("no-pixel-data", noPixels.bytes(EXPLICIT), Reason.NO_PIXEL_DATA));
        out.add(refused("rows-zero", edit(explicit, l -> us(l, TagFromName.Rows, 0)), Reason.NO_PIXEL_DATA));
        out.add(refused("columns-missing", edit(explicit, l -> l.remove(TagFromName.Columns)), Reason.NO_PIXEL_DATA));

        // --- Each remaining decoder reason.
        TestDicom rgb = new TestDicom();
        rgb.photometric = "RGB";
        rgb.samplesPerPixel = 3;
        rgb.bitsAllocated = 8;
        rgb.bitsStored = 8;
        out.add(refused("rgb", rgb.bytes(EXPLICIT), Reason.UNSUPPORTED_PHOTOMETRIC));
        out.add(refused("palette-color", edit(explicit, l -> cs(l, TagFromName.PhotometricInterpretation,
                "PALETTE COLOR")), Reason.UNSUPPORTED_PHOTOMETRIC));
        out.add(refused("one-bit-bitmap", oneBit(), Reason.UNSUPPORTED_PHOTOMETRIC));
        TestDicom twoFrames = new TestDicom();
        twoFrames.frames = 2;
        out.add(refused("two-frames", twoFrames.bytes(EXPLICIT), Reason.MULTIFRAME));
        out.add(refused("big-endian", replace(explicit, "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2"),
                Reason.UNSUPPORTED_TRANSFER_SYNTAX));
        out.add(refused("mpeg2-uid", withMetaSyntax(explicit, "1.2.840.10008.1.2.4.100"),
                Reason.UNSUPPORTED_TRANSFER_SYNTAX));
        out.add(refused("jpeg-ls", gdcm(original, work, "jpegls", "-L"), Reason.UNSUPPORTED_TRANSFER_SYNTAX));
        out.add(refused("jpeg-12bit-lossy", gdcm(original, work, "jpeg12", "-J", "-Y", "-q", "90"),
                Reason.UNSUPPORTED_TRANSFER_SYNTAX));
        out.add(refused("declares-60000-squared", liar(60000, 60000, 96 * 128 * 2), Reason.TOO_LARGE));
        out.add(refused("just-over-pixel-budget", liar(5000, 8001, 1000), Reason.TOO_LARGE));

        // --- Header corruption.
        out.add(refused("bits-allocated-12", edit(explicit, l -> us(l, TagFromName.BitsAllocated, 12)),
                Reason.CORRUPT));
        out.add(refused("bits-stored-17", edit(explicit, l -> us(l, TagFromName.BitsStored, 17)), Reason.CORRUPT));
        out.add(refused("pixel-data-short", liar(96, 128, 1000), Reason.CORRUPT));
        out.add(refused("pixel-data-two-images-long", liar(96, 128, 2 * 96 * 128 * 2), Reason.CORRUPT));
        out.add(decoded("pixel-data-trailing-padding", padded(base, 4096), base, lo, hi, 0));
        out.add(refused("invalid-vr", corruptVrOf(explicit, TagFromName.Rows), Reason.CORRUPT));
        out.add(refused("item-tag-at-top-level", itemAtTopLevel(explicit), Reason.CORRUPT));
        out.add(refused("rescale-slope-1e300", edit(explicit, l -> ds(l, TagFromName.RescaleSlope, "1e300")),
                Reason.CORRUPT));
        out.add(refused("rescale-intercept-1e300", edit(explicit, l -> ds(l, TagFromName.RescaleIntercept, "1e300")),
                Reason.CORRUPT));
        out.add(refused("rescale-slope-nan", edit(explicit, l -> ds(l, TagFromName.RescaleSlope, "NaN")),
                Reason.CORRUPT));
        out.add(refused("rescale-slope-zero", edit(explicit, l -> ds(l, TagFromName.RescaleSlope, "0")),
                Reason.CORRUPT));
        out.add(new Case("needle-pixels-90x38000", needle(),
                new Expected.Gated(90, 38_000, Reason.IMPLAUSIBLE_GEOMETRY)));
        TestDicom coarse = new TestDicom(); // 96 x 128 px at 4.9 mm = 470 x 627 mm: odd, but a possible size
        coarse.pixelSpacing = new double[] {4.9, 4.9};
        out.add(decoded("spacing-4.9mm", coarse.bytes(EXPLICIT), base, lo, hi, 0));
        TestDicom huge = new TestDicom();
        huge.rows = 1100;
        huge.columns = 1000;
        huge.bitsAllocated = 8;
        huge.bitsStored = 8;
        huge.pixelSpacing = new double[] {4.5, 4.5};
        // As if a 0.45 mm spacing were written 4.5: the pixels are fine, the millimetres are not.
        out.add(new Case("film-five-metres", huge.bytes(EXPLICIT),
                new Expected.Gated(huge.rows, huge.columns, Reason.IMPLAUSIBLE_GEOMETRY)));

        // --- Codec bombs and garbage codestreams.
        out.add(refused("jpeg-sof-16000-squared", patchJpegSof(jpegBaseline, 16000, 16000), Reason.CORRUPT));
        out.add(refused("jpeg-lossless-sof-mismatch", patchJpegSof(jpegLossless, 97, 128), Reason.CORRUPT));
        out.add(refused("j2k-siz-16000-squared", patchJ2kSiz(j2k, 16000, 16000), Reason.CORRUPT));
        out.add(refused("j2k-random-codestream", randomiseFragments(j2k, 0, 11), Reason.CORRUPT));
        out.add(refused("j2k-random-after-soc", randomiseFragments(j2k, 2, 12), Reason.CORRUPT));
        out.add(refused("j2k-lossy-random-codestream", randomiseFragments(j2kLossy, 0, 13), Reason.CORRUPT));
        out.add(refused("jpeg-random-codestream", randomiseFragments(jpegLossless, 0, 14), Reason.CORRUPT));
        out.add(refused("jpeg-baseline-random-after-soi", randomiseFragments(jpegBaseline, 2, 15), Reason.CORRUPT));
        out.add(refused("rle-random", randomiseFragments(rle, 0, 16), Reason.CORRUPT));
        out.add(refused("rle-three-segments", patchRleSegments(rle, 3), Reason.CORRUPT));
        out.add(refused("j2k-70000-empty-fragments", emptyFragments(j2k, 70_000), Reason.TOO_LARGE));

        // --- Memory and time bombs inside the byte budget.
        out.add(refused("two-million-empty-items", emptyItems(explicit, 2_000_000), Reason.TOO_LARGE));
        out.add(refused("sixty-thousand-elements", manyElements(explicit, 60_000), Reason.TOO_LARGE));
        out.add(refused("sequences-nested-40-deep", nested(explicit, 40), Reason.CORRUPT));
        out.add(refused("deflate-bomb-300MB", deflateBomb(explicit, 300 << 20), Reason.TOO_LARGE));
        out.add(decoded("deflated-with-64MB-private-zeros", deflateBomb(explicit, 64 << 20), base, lo, hi, 0));
        out.add(decoded("nine-thousand-empty-items", emptyItems(explicit, 9_000), base, lo, hi, 0));

        // --- Odd but valid: must decode.
        out.add(decoded("eight-bit-ob", eightBytes, eight, min(eight.storedPixels()), max(eight.storedPixels()), 0));
        out.add(decoded("eight-bit-ow", eightBitOw(eight), eight, min(eight.storedPixels()),
                max(eight.storedPixels()), 0));
        out.add(decoded("eight-bit-implicit", eight.bytes(IMPLICIT), eight, min(eight.storedPixels()),
                max(eight.storedPixels()), 0));
        TestDicom odd = new TestDicom();
        odd.rows = 95;
        odd.columns = 127;
        odd.bitsAllocated = 8;
        odd.bitsStored = 8;
        out.add(decoded("eight-bit-odd-size", odd.bytes(EXPLICIT), odd, min(odd.storedPixels()),
                max(odd.storedPixels()), 0));
        out.add(decoded("modality-lut-ow", withLut(explicit, true), base, 2 * lo + 100, 2 * hi + 100, 0));
        out.add(decoded("modality-lut-us", withLut(explicit, false), base, 2 * lo + 100, 2 * hi + 100, 0));
        TestDicom mono1 = new TestDicom();
        mono1.photometric = "MONOCHROME1";
        out.add(decoded("monochrome1", mono1.bytes(EXPLICIT), mono1, 4095 - hi, 4095 - lo, 0));
        out.add(decoded("signed-16bit", signed(base), base, lo - 2048, hi - 2048, 0));
        out.add(decoded("thirty-two-bit", thirtyTwoBit(base, false), base, lo * 65536, hi * 65536, 0));
        out.add(decoded("thirty-two-bit-signed", thirtyTwoBit(base, true), base, lo * 65536 - (1L << 30),
                hi * 65536 - (1L << 30), 0));
        TestDicom rescaled = new TestDicom();
        rescaled.slope = 0.5;
        rescaled.intercept = -1024.0;
        out.add(decoded("rescaled", rescaled.bytes(EXPLICIT), rescaled, lo * 0.5 - 1024, hi * 0.5 - 1024, 1e-3));
        TestDicom overlayBits = new TestDicom();
        short[] dirty = base.storedPixels().clone();
        for (int i = 0; i < dirty.length; i += 3) dirty[i] |= (short) 0xF000;
        overlayBits.pixels = dirty;
        out.add(decoded("bits-above-bits-stored", overlayBits.bytes(EXPLICIT), base, lo, hi, 0));
        TestDicom mildlyNonSquare = new TestDicom();
        mildlyNonSquare.pixelSpacing = new double[] {0.13, 0.14};
        out.add(decoded("spacing-0.13x0.14", mildlyNonSquare.bytes(EXPLICIT), base, lo, hi, 0));
        TestDicom nearBudget = new TestDicom(); // 39.6 Mpx, 79 MB: just inside the 40 Mpx budget
        nearBudget.rows = 6000;
        nearBudget.columns = 6600;
        nearBudget.pixelSpacing = new double[] {0.07, 0.07};
        out.add(decoded("near-pixel-budget-6000x6600", nearBudget.bytes(EXPLICIT), nearBudget,
                min(nearBudget.storedPixels()), max(nearBudget.storedPixels()), 0));

        // Cuts of the explicit and implicit files that end before their first difference are the same bytes: keep
        // the first, so every case is a distinct input.
        Set<String> names = new LinkedHashSet<>();
        List<Case> distinct = new ArrayList<>();
        Set<java.nio.ByteBuffer> seen = new java.util.HashSet<>();
        for (Case c : out) {
            if (!names.add(c.name())) throw new IllegalStateException("duplicate case name " + c.name());
            if (seen.add(java.nio.ByteBuffer.wrap(c.bytes()))) distinct.add(c);
        }
        return distinct;
    }

    // ---------------------------------------------------------------- cases

    private static Case refused(String name, byte[] bytes, Reason reason) {
        return new Case(name, bytes, new Expected.Refused(reason));
    }

    private static Case decoded(String name, byte[] bytes, TestDicom shape, double min, double max, double tol) {
        return new Case(name, bytes, new Expected.Decoded(shape.rows, shape.columns, min, max, tol));
    }

    /**
     * Cuts inside the preamble, inside every element header of the meta group and data set, and inside the pixel
     * data; plus the one boundary cut whose honest answer is not TRUNCATED (all attributes, no pixel data).
     */
    private static void truncations(List<Case> out, String label, byte[] full, String syntax) {
        List<Integer> starts = elementStarts(full, syntax.equals(EXPLICIT));
        out.add(refused("truncated-" + label + "-at-1", Arrays.copyOf(full, 1), Reason.TRUNCATED));
        out.add(refused("truncated-" + label + "-at-100", Arrays.copyOf(full, 100), Reason.TRUNCATED));
        for (int start : starts) {
            int at = start + 3; // inside the 8- or 12-byte element header
            out.add(refused("truncated-" + label + "-at-" + at, Arrays.copyOf(full, at), Reason.TRUNCATED));
        }
        int pixel = starts.getLast();
        for (double f : new double[] {0.001, 0.25, 0.5, 0.75, 0.9999}) {
            int at = pixel + 12 + (int) ((full.length - pixel - 12) * f);
            out.add(refused("truncated-" + label + "-in-pixels-at-" + at, Arrays.copyOf(full, at), Reason.TRUNCATED));
        }
        out.add(refused("cut-" + label + "-before-pixel-data", Arrays.copyOf(full, pixel), Reason.NO_PIXEL_DATA));
    }

    /** Offsets of the top-level elements (meta group explicit; data set as given), for files without sequences. */
    static List<Integer> elementStarts(byte[] b, boolean explicitDataSet) {
        List<Integer> starts = new ArrayList<>();
        int pos = 132;
        while (pos + 8 <= b.length) {
            starts.add(pos);
            int group = u16(b, pos);
            boolean explicit = group == 2 || explicitDataSet;
            long length;
            int header;
            if (explicit) {
                String vr = new String(b, pos + 4, 2, StandardCharsets.US_ASCII);
                boolean longForm = Set.of("OB", "OW", "OF", "SQ", "UT", "UN", "OD", "OL", "UC", "UR", "OV", "SV", "UV")
                        .contains(vr);
                length = longForm ? u32(b, pos + 8) : u16(b, pos + 6);
                header = longForm ? 12 : 8;
            } else {
                length = u32(b, pos + 4);
                header = 8;
            }
            if (length == 0xFFFFFFFFL || pos + header + length > b.length) break; // encapsulated, or not parseable
            pos += header + (int) length;
        }
        return starts;
    }

    /** Offset of the top-level Pixel Data element (explicit VR: tag, then OB or OW). */
    private static int pixelDataStart(byte[] b) {
        for (int i = 132; i + 12 <= b.length; i++) {
            if (b[i] == (byte) 0xE0 && b[i + 1] == 0x7F && b[i + 2] == 0x10 && b[i + 3] == 0 && b[i + 4] == 'O'
                    && (b[i + 5] == 'B' || b[i + 5] == 'W')) {
                return i;
            }
        }
        throw new IllegalStateException("no explicit-VR pixel data");
    }

    // ---------------------------------------------------------------- builders

    interface Edit {
        void apply(AttributeList l) throws Exception;
    }

    /** Parses a file with PixelMed, applies the edit, writes it again (explicit VR LE, fresh meta header). */
    static byte[] edit(byte[] file, Edit edit) throws Exception {
        return edit(file, EXPLICIT, edit);
    }

    static byte[] edit(byte[] file, String syntax, Edit edit) throws Exception {
        AttributeList l = new AttributeList();
        l.read(new DicomInputStream(new ByteArrayInputStream(file)));
        l.removeMetaInformationHeaderAttributes();
        l.removeGroupLengthAttributes();
        edit.apply(l);
        FileMetaInformation.addFileMetaInformation(l, syntax, "HIPOATEST");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        l.write(out, syntax, true, true);
        return out.toByteArray();
    }

    /** A meta header that names {@code uid} over a data set written in explicit VR LE. */
    private static byte[] withMetaSyntax(byte[] file, String uid) throws Exception {
        AttributeList l = new AttributeList();
        l.read(new DicomInputStream(new ByteArrayInputStream(file)));
        l.removeMetaInformationHeaderAttributes();
        l.removeGroupLengthAttributes();
        FileMetaInformation.addFileMetaInformation(l, uid, "HIPOATEST");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        l.write(out, EXPLICIT, true, true);
        return out.toByteArray();
    }

    /** Image attributes of rows x columns with a Pixel Data element of {@code pixelBytes} bytes appended. */
    private static byte[] liar(int rows, int columns, int pixelBytes) throws Exception {
        TestDicom d = new TestDicom();
        d.rows = rows;
        d.columns = columns;
        d.pixels = new short[0];
        d.withPixelData = false;
        return appendElement(d.bytes(EXPLICIT), 0x7FE0, 0x0010, "OW", new byte[pixelBytes]);
    }

    /** The issue's example: 90 x 38,000 px at 0.0101 x 4.99 mm (449 x 384 mm: a plausible size, absurd pixels). */
    private static byte[] needle() throws Exception {
        TestDicom d = new TestDicom();
        d.rows = 90;
        d.columns = 38_000;
        d.bitsAllocated = 8;
        d.bitsStored = 8;
        d.pixelSpacing = new double[] {4.99, 0.0101};
        return d.bytes(EXPLICIT);
    }

    /** {@code shape}'s image followed by {@code extra} bytes of trailing padding inside Pixel Data. */
    private static byte[] padded(TestDicom shape, int extra) throws Exception {
        TestDicom d = new TestDicom();
        d.withPixelData = false;
        short[] pixels = shape.storedPixels();
        byte[] value = new byte[pixels.length * 2 + extra];
        for (int i = 0; i < pixels.length; i++) {
            value[2 * i] = (byte) pixels[i];
            value[2 * i + 1] = (byte) (pixels[i] >>> 8);
        }
        return appendElement(d.bytes(EXPLICIT), 0x7FE0, 0x0010, "OW", value);
    }

    private static byte[] oneBit() throws Exception {
        TestDicom d = new TestDicom();
        d.withPixelData = false;
        byte[] b = edit(d.bytes(EXPLICIT), l -> {
            us(l, TagFromName.BitsAllocated, 1);
            us(l, TagFromName.BitsStored, 1);
            us(l, TagFromName.HighBit, 0);
        });
        return appendElement(b, 0x7FE0, 0x0010, "OB", new byte[96 * 128 / 8]);
    }

    private static byte[] eightBitOw(TestDicom eight) throws Exception {
        short[] s = eight.storedPixels();
        return edit(eight.bytes(EXPLICIT), l -> {
            short[] words = new short[(s.length + 1) / 2];
            for (int i = 0; i < s.length; i++) words[i / 2] |= (short) ((s[i] & 0xFF) << (8 * (i % 2)));
            OtherWordAttribute pd = new OtherWordAttribute(TagFromName.PixelData);
            pd.setValues(words);
            l.put(pd);
        });
    }

    /** A Modality LUT mapping stored v to 2v + 100 over 0..4095, with LUT Data as OW or US. */
    private static byte[] withLut(byte[] file, boolean ow) throws Exception {
        return edit(file, l -> {
            AttributeList item = new AttributeList();
            Attribute descriptor = new UnsignedShortAttribute(TagFromName.LUTDescriptor);
            descriptor.addValue(4096);
            descriptor.addValue(0);
            descriptor.addValue(16);
            item.put(descriptor);
            short[] data = new short[4096];
            for (int v = 0; v < data.length; v++) data[v] = (short) (2 * v + 100);
            if (ow) {
                OtherWordAttribute a = new OtherWordAttribute(TagFromName.LUTData);
                a.setValues(data);
                item.put(a);
            } else {
                Attribute a = new UnsignedShortAttribute(TagFromName.LUTData);
                for (short v : data) a.addValue(v & 0xFFFF);
                item.put(a);
            }
            cs(item, new AttributeTag(0x0028, 0x3004), "US"); // Modality LUT Type
            SequenceAttribute seq = new SequenceAttribute(new AttributeTag(0x0028, 0x3000));
            seq.addItem(item);
            l.put(seq);
        });
    }

    /** Pixel Representation 1: the base pattern shifted by -2048 and stored as 12-bit two's complement. */
    private static byte[] signed(TestDicom base) throws Exception {
        short[] s = base.storedPixels();
        return edit(base.bytes(EXPLICIT), l -> {
            us(l, TagFromName.PixelRepresentation, 1);
            short[] words = new short[s.length];
            for (int i = 0; i < s.length; i++) words[i] = (short) ((s[i] - 2048) & 0x0FFF);
            OtherWordAttribute pd = new OtherWordAttribute(TagFromName.PixelData);
            pd.setValues(words);
            l.put(pd);
        });
    }

    /** 32 bits allocated and stored: the base pattern times 65536 (minus 2^30 when signed). */
    private static byte[] thirtyTwoBit(TestDicom base, boolean signed) throws Exception {
        short[] s = base.storedPixels();
        return edit(base.bytes(EXPLICIT), l -> {
            us(l, TagFromName.BitsAllocated, 32);
            us(l, TagFromName.BitsStored, 32);
            us(l, TagFromName.HighBit, 31);
            us(l, TagFromName.PixelRepresentation, signed ? 1 : 0);
            short[] words = new short[2 * s.length];
            for (int i = 0; i < s.length; i++) {
                long v = (long) s[i] * 65536 - (signed ? 1L << 30 : 0);
                words[2 * i] = (short) v;
                words[2 * i + 1] = (short) (v >>> 16);
            }
            OtherWordAttribute pd = new OtherWordAttribute(TagFromName.PixelData);
            pd.setValues(words);
            l.put(pd);
        });
    }

    /** A minimal DICOMDIR: File-set ID, root record offsets and one PATIENT record, no image. */
    private static byte[] dicomdir() throws Exception {
        AttributeList l = new AttributeList();
        cs(l, TagFromName.FileSetID, "HIPOA");
        ul(l, TagFromName.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity, 0);
        ul(l, TagFromName.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity, 0);
        us(l, new AttributeTag(0x0004, 0x1212), 0); // File-set Consistency Flag
        AttributeList record = new AttributeList();
        ul(record, TagFromName.OffsetOfTheNextDirectoryRecord, 0);
        cs(record, TagFromName.DirectoryRecordType, "PATIENT");
        SequenceAttribute records = new SequenceAttribute(TagFromName.DirectoryRecordSequence);
        records.addItem(record);
        l.put(records);
        l.putAll(new FileMetaInformation("1.2.840.10008.1.3.10", "2.25.1.99.9", EXPLICIT, "HIPOATEST")
                .getAttributeList());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        l.write(out, EXPLICIT, true, true);
        return out.toByteArray();
    }

    /** The VR bytes of the first explicit-VR element with this tag turned into "ZZ". */
    private static byte[] corruptVrOf(byte[] file, AttributeTag tag) {
        byte[] b = file.clone();
        for (int start : elementStarts(b, true)) {
            if (u16(b, start) == tag.getGroup() && u16(b, start + 2) == tag.getElement()) {
                b[start + 4] = 'Z';
                b[start + 5] = 'Z';
                return b;
            }
        }
        throw new IllegalStateException("tag not found");
    }

    private static byte[] itemAtTopLevel(byte[] file) {
        int pixel = elementStarts(file, true).getLast();
        byte[] item = {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0, 0, 0, 0, 0};
        return insert(file, pixel, item);
    }

    private static byte[] patchJpegSof(byte[] file, int width, int height) {
        byte[] b = file.clone();
        for (int i = pixelDataStart(b); i + 9 < b.length; i++) {
            int m = b[i + 1] & 0xFF;
            if ((b[i] & 0xFF) == 0xFF && (m == 0xC0 || m == 0xC1 || m == 0xC3)) {
                b[i + 5] = (byte) (height >>> 8);
                b[i + 6] = (byte) height;
                b[i + 7] = (byte) (width >>> 8);
                b[i + 8] = (byte) width;
                return b;
            }
        }
        throw new IllegalStateException("no SOF");
    }

    private static byte[] patchJ2kSiz(byte[] file, int width, int height) {
        byte[] b = file.clone();
        for (int i = pixelDataStart(b); i + 14 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0x51) {
                putBe32(b, i + 6, width);
                putBe32(b, i + 10, height);
                return b;
            }
        }
        throw new IllegalStateException("no SIZ");
    }

    /** First fragment after the basic offset table: {offset of its value, length}. */
    private static int[] firstFragment(byte[] b) {
        int p = pixelDataStart(b) + 12;
        long botLength = u32(b, p + 4);
        p += 8 + (int) botLength;
        return new int[] {p + 8, (int) u32(b, p + 4)};
    }

    private static byte[] randomiseFragments(byte[] file, int keep, long seed) {
        byte[] b = file.clone();
        int[] f = firstFragment(b);
        byte[] r = random(f[1] - keep, seed);
        System.arraycopy(r, 0, b, f[0] + keep, r.length);
        return b;
    }

    private static byte[] patchRleSegments(byte[] file, int segments) {
        byte[] b = file.clone();
        int[] f = firstFragment(b);
        b[f[0]] = (byte) segments;
        return b;
    }

    private static byte[] emptyFragments(byte[] file, int n) {
        int p = pixelDataStart(file) + 12;
        long botLength = u32(file, p + 4);
        byte[] items = new byte[8 * n];
        for (int i = 0; i < n; i++) {
            items[8 * i] = (byte) 0xFE;
            items[8 * i + 1] = (byte) 0xFF;
            items[8 * i + 3] = (byte) 0xE0;
        }
        return insert(file, p + 8 + (int) botLength, items);
    }

    /** A private undefined-length sequence of {@code n} empty items before Pixel Data (8 bytes per item). */
    private static byte[] emptyItems(byte[] file, int n) {
        int pixel = elementStarts(file, true).getLast();
        byte[] seq = new byte[12 + 8 * n + 8];
        byte[] head = {0x09, 0x00, 0x10, 0x10, 'S', 'Q', 0, 0, -1, -1, -1, -1};
        System.arraycopy(head, 0, seq, 0, 12);
        for (int i = 0; i < n; i++) {
            int at = 12 + 8 * i;
            seq[at] = (byte) 0xFE;
            seq[at + 1] = (byte) 0xFF;
            seq[at + 3] = (byte) 0xE0;
        }
        int end = 12 + 8 * n;
        seq[end] = (byte) 0xFE;
        seq[end + 1] = (byte) 0xFF;
        seq[end + 2] = (byte) 0xDD;
        seq[end + 3] = (byte) 0xE0;
        return insert(file, pixel, privateCreator(seq));
    }

    /** {@code n} empty private LO elements (0009,xxxx) before Pixel Data. */
    private static byte[] manyElements(byte[] file, int n) {
        int pixel = elementStarts(file, true).getLast();
        byte[] els = new byte[8 * n];
        for (int i = 0; i < n; i++) {
            int el = 0x1000 + i;
            int at = 8 * i;
            els[at] = 0x09;
            els[at + 2] = (byte) el;
            els[at + 3] = (byte) (el >>> 8);
            els[at + 4] = 'L';
            els[at + 5] = 'O';
        }
        return insert(file, pixel, privateCreator(els));
    }

    /** {@code depth} nested undefined-length private sequences, each in an undefined-length item. */
    private static byte[] nested(byte[] file, int depth) {
        int pixel = elementStarts(file, true).getLast();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] open = {0x09, 0x00, 0x10, 0x10, 'S', 'Q', 0, 0, -1, -1, -1, -1, (byte) 0xFE, (byte) 0xFF, 0x00,
                (byte) 0xE0, -1, -1, -1, -1};
        byte[] close = {(byte) 0xFE, (byte) 0xFF, 0x0D, (byte) 0xE0, 0, 0, 0, 0, (byte) 0xFE, (byte) 0xFF, (byte) 0xDD,
                (byte) 0xE0, 0, 0, 0, 0};
        for (int i = 0; i < depth; i++) o.writeBytes(open);
        for (int i = 0; i < depth; i++) o.writeBytes(close);
        return insert(file, pixel, privateCreator(o.toByteArray()));
    }

    /** (0009,0010) LO "HIPOA TEST" in front of private elements, as PS3.5 7.8 asks. */
    private static byte[] privateCreator(byte[] then) {
        byte[] creator = {0x09, 0x00, 0x10, 0x00, 'L', 'O', 10, 0, 'H', 'I', 'P', 'O', 'A', ' ', 'T', 'E', 'S', 'T'};
        byte[] out = Arrays.copyOf(creator, creator.length + then.length);
        System.arraycopy(then, 0, out, creator.length, then.length);
        return out;
    }

    /**
     * A deflated file whose data set holds {@code zeros} bytes of a private OB value before the image: it deflates
     * ~1000:1, so a small upload expands to hundreds of MB.
     */
    private static byte[] deflateBomb(byte[] explicitFile, int zeros) {
        List<Integer> starts = elementStarts(explicitFile, true);
        int dataSet = starts.stream().filter(s -> u16(explicitFile, s) != 2).findFirst().orElseThrow();
        int pixel = starts.getLast();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        plain.write(explicitFile, dataSet, pixel - dataSet);
        byte[] head = {0x09, 0x00, 0x10, 0x10, 'O', 'B', 0, 0, (byte) zeros, (byte) (zeros >>> 8),
                (byte) (zeros >>> 16), (byte) (zeros >>> 24)};
        plain.writeBytes(privateCreator(head));
        Deflater deflater = new Deflater(1, true); // zeros compress ~1000:1 at any level
        ByteArrayOutputStream deflated = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        deflater.setInput(plain.toByteArray());
        drain(deflater, deflated, buf);
        byte[] zeroChunk = new byte[1 << 20];
        for (int left = zeros; left > 0; left -= zeroChunk.length) {
            deflater.setInput(zeroChunk, 0, Math.min(left, zeroChunk.length));
            drain(deflater, deflated, buf);
        }
        deflater.setInput(explicitFile, pixel, explicitFile.length - pixel);
        deflater.finish();
        while (!deflater.finished()) deflated.write(buf, 0, deflater.deflate(buf));
        deflater.end();
        byte[] meta = replaceMetaSyntax(Arrays.copyOf(explicitFile, dataSet), "1.2.840.10008.1.2.1.99");
        byte[] out = Arrays.copyOf(meta, meta.length + deflated.size());
        System.arraycopy(deflated.toByteArray(), 0, out, meta.length, deflated.size());
        return out;
    }

    private static void drain(Deflater d, ByteArrayOutputStream out, byte[] buf) {
        while (!d.needsInput()) out.write(buf, 0, d.deflate(buf));
    }

    /** The meta header with another Transfer Syntax UID (lengths and group length fixed). */
    private static byte[] replaceMetaSyntax(byte[] meta, String uid) throws IllegalStateException {
        try {
            AttributeList l = new AttributeList();
            l.read(new DicomInputStream(new ByteArrayInputStream(meta)));
            AttributeList m = new FileMetaInformation(Attribute.getSingleStringValueOrEmptyString(l,
                    TagFromName.MediaStorageSOPClassUID), Attribute.getSingleStringValueOrEmptyString(l,
                    TagFromName.MediaStorageSOPInstanceUID), uid, "HIPOATEST").getAttributeList();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            // DicomOutputStream writes the preamble and DICM itself when given a meta transfer syntax.
            com.pixelmed.dicom.DicomOutputStream dos = new com.pixelmed.dicom.DicomOutputStream(out,
                    EXPLICIT, EXPLICIT);
            m.write(dos);
            dos.flush();
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- bytes

    private static byte[] gdcm(Path in, Path work, String name, String... options) throws Exception {
        return Files.readAllBytes(Gdcm.convert(in, work.resolve(name + ".dcm"), options));
    }

    private static byte[] appendElement(byte[] file, int group, int element, String vr, byte[] value) {
        byte[] header = {(byte) group, (byte) (group >>> 8), (byte) element, (byte) (element >>> 8),
                (byte) vr.charAt(0), (byte) vr.charAt(1), 0, 0, (byte) value.length, (byte) (value.length >>> 8),
                (byte) (value.length >>> 16), (byte) (value.length >>> 24)};
        byte[] out = Arrays.copyOf(file, file.length + 12 + value.length);
        System.arraycopy(header, 0, out, file.length, 12);
        System.arraycopy(value, 0, out, file.length + 12, value.length);
        return out;
    }

    private static byte[] insert(byte[] file, int at, byte[] what) {
        byte[] out = new byte[file.length + what.length];
        System.arraycopy(file, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(file, at, out, at + what.length, file.length - at);
        return out;
    }

    /** Same-length replacement of an ASCII string inside the first 400 bytes (the meta header). */
    private static byte[] replace(byte[] file, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.US_ASCII), t = to.getBytes(StandardCharsets.US_ASCII);
        for (int i = 132; i < 400; i++) {
            if (Arrays.equals(Arrays.copyOfRange(file, i, i + f.length), f)) {
                byte[] b = file.clone();
                System.arraycopy(t, 0, b, i, t.length);
                return b;
            }
        }
        throw new IllegalStateException(from + " not found");
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) b[i] = (byte) r.nextInt(256);
        return b;
    }

    private static void putBe32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] b, int at) {
        return (u16(b, at) | (long) u16(b, at + 2) << 16) & 0xFFFFFFFFL;
    }

    static double min(short[] s) {
        int m = Integer.MAX_VALUE;
        for (short v : s) m = Math.min(m, v & 0xFFFF);
        return m;
    }

    static double max(short[] s) {
        int m = Integer.MIN_VALUE;
        for (short v : s) m = Math.max(m, v & 0xFFFF);
        return m;
    }
}
