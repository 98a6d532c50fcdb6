package org.hipoa.dicom.internal;

import org.hipoa.dicom.TransferSyntaxes;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.ValueRepresentation;
import org.hipoa.domain.Reason;

import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Walks the element structure of a DICOM Part 10 file (or a bare little-endian data set) without decoding values,
 * and proves every declared length fits inside the bytes.
 *
 * <p>Why we walk it ourselves: PixelMed, on a truncated or overrunning file, logs the error and returns a partial
 * attribute list with no Pixel Data, which is indistinguishable from a DICOM object that never had an image; on a
 * huge declared length it may also try to allocate it. This scan makes {@code TRUNCATED}, {@code NOT_DICOM} and
 * {@code CORRUPT} exact and cheap, and bounds every length PixelMed will later see by the real input size.
 */
public final class DicomStructureScan {

    /**
     * What the walk learned. {@code dataSet} holds the data set from {@code dataSetOffset} on, already inflated for
     * the deflated syntax (so nothing inflates it a second time); {@code fragmentOffsets}/{@code fragmentLengths}
     * locate the compressed fragments after the basic offset table inside {@code dataSet}; for native pixel data,
     * {@code pixelDataOffset} is where its value starts inside {@code dataSet} (-1 when there is none).
     */
    public record Result(String transferSyntaxUid, boolean hasPixelData, boolean encapsulated,
                         long pixelDataLength, int fragments, byte[] dataSet, int dataSetOffset,
                         int[] fragmentOffsets, int[] fragmentLengths, int pixelDataOffset) {
        /**
         * The bytes PixelMed parses after this scan: a deflated file is handed over as the data set the scan already
         * inflated (explicit VR little endian, no meta header), so it is inflated once, and PixelMed walks exactly
         * what the scan walked; any other file as it is.
         */
        public com.pixelmed.dicom.DicomInputStream pixelMedStream(byte[] file) throws java.io.IOException {
            if (transferSyntaxUid.equals(DEFLATED_LE)) {
                return new com.pixelmed.dicom.DicomInputStream(new java.io.ByteArrayInputStream(dataSet, dataSetOffset,
                        dataSet.length - dataSetOffset), EXPLICIT_LE, false);
            }
            return new com.pixelmed.dicom.DicomInputStream(new java.io.ByteArrayInputStream(file));
        }
    }

    /**
     * Structure budgets. A radiograph holds a few hundred elements and a few dozen sequence items; PixelMed spends
     * about 1 KB of heap on each element or item it parses, so 2 million empty items (16 MB of input) would cost
     * over 2 GB. These caps keep PixelMed's attribute tree below ~100 MB whatever the input.
     */
    public static final int MAX_ELEMENTS = 50_000, MAX_ITEMS = 10_000, MAX_FRAGMENTS = 65_536;

    public static final String IMPLICIT_LE = TransferSyntaxes.IMPLICIT_VR_LITTLE_ENDIAN;
    public static final String EXPLICIT_LE = TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN;
    public static final String DEFLATED_LE = TransferSyntaxes.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN;
    public static final String EXPLICIT_BE = TransferSyntaxes.EXPLICIT_VR_BIG_ENDIAN;

    private static final int UNDEFINED = -1;
    private static final int MAX_DEPTH = 32;
    private static final int PIXEL_DATA = 0x7FE00010;
    private static final int ITEM = 0xFFFEE000, ITEM_END = 0xFFFEE00D, SEQUENCE_END = 0xFFFEE0DD;

    private byte[] buf;
    private int end;
    private boolean explicit;
    private boolean hasPixelData, encapsulated;
    private long pixelDataLength;
    private int pixelDataOffset = UNDEFINED;
    private int fragments;
    private int elements, items;
    private int[] fragmentOffsets = new int[4], fragmentLengths = new int[4];
    private int fragmentCount; // fragments after the basic offset table
    private final boolean headerOnly;

    private DicomStructureScan(boolean headerOnly) {
        this.headerOnly = headerOnly;
    }

    /** Scans {@code bytes}; throws {@link RejectedException} with NOT_DICOM, TRUNCATED, CORRUPT or TOO_LARGE. */
    public static Result scan(byte[] bytes, long maxInflatedBytes) {
        return new DicomStructureScan(false).run(bytes, maxInflatedBytes);
    }

    /**
     * As {@link #scan}, but the walk stops at the header of the top-level Pixel Data element: {@code bytes} may be a
     * ranged read that ends anywhere after that header (the export reads source headers without their pixels). A
     * TRUNCATED rejection then means the bytes end before the header does. A deflated data set must be whole.
     */
    public static Result scanHeader(byte[] bytes, long maxInflatedBytes) {
        return new DicomStructureScan(true).run(bytes, maxInflatedBytes);
    }

    private Result run(byte[] bytes, long maxInflatedBytes) {
        buf = bytes;
        end = bytes.length;
        if (end == 0) throw new RejectedException(Reason.NOT_DICOM, "The file is empty.");
        int pos;
        if (end >= 132 && "DICM".equals(new String(bytes, 128, 4, StandardCharsets.US_ASCII))) {
            pos = 132;
            if (end == pos) {
                throw new RejectedException(Reason.TRUNCATED,
                        "The file ends right after its DICM prefix: the meta header and data set are missing.");
            }
        } else if (end >= 8 && (u16(0) == 0x0002 || u16(0) == 0x0008)) {
            pos = 0; // a bare data set or a meta group without preamble: old, but still DICOM
        } else if (end < 132 && cutInPreamble(bytes)) {
            throw new RejectedException(Reason.TRUNCATED,
                    "The file ends inside the 128-byte DICOM preamble or its DICM prefix.");
        } else {
            throw new RejectedException(Reason.NOT_DICOM,
                    "No DICM prefix at byte 128 and no DICOM element at the start: this is not a DICOM file.");
        }

        String transferSyntax = null, mediaStorageClass = null;
        if (pos + 8 <= end && u16(pos) == 0x0002) {
            explicit = true; // the meta group is always explicit VR little endian
            while (pos + 8 <= end && u16(pos) == 0x0002) {
                int tag = tag(pos);
                int start = pos;
                pos = element(pos, 0);
                if (tag == 0x00020010) transferSyntax = uid(start, pos);
                if (tag == 0x00020002) mediaStorageClass = uid(start, pos);
            }
            if (DICOMDIR_CLASS.equals(mediaStorageClass)) throw dicomdir();
            if (pos >= end) throw new RejectedException(Reason.TRUNCATED, "The file ends after its meta header.");
        }
        if (transferSyntax == null) transferSyntax = looksExplicit(pos) ? EXPLICIT_LE : IMPLICIT_LE;
        if (transferSyntax.equals(EXPLICIT_BE)) {
            // Retired since 2004 and never produced by a current modality; not worth a second walker.
            return new Result(transferSyntax, true, false, UNDEFINED, 0, bytes, pos, new int[0], new int[0], UNDEFINED);
        }
        if (transferSyntax.equals(DEFLATED_LE)) {
            buf = inflate(bytes, pos, maxInflatedBytes);
            end = buf.length;
            pos = 0;
        }
        int dataSetOffset = pos;
        explicit = !transferSyntax.equals(IMPLICIT_LE);
        // A DICOMDIR (media directory) starts its data set with group 0004; say what it is rather than "corrupt".
        if (pos + 8 <= end && u16(pos) == 0x0004) throw dicomdir();
        if (pos < end && !looksLikeElement(pos)) {
            if (explicit) mislabelledImplicit(pos); // throws when it is one
            throw new RejectedException(Reason.CORRUPT,
                    "The data set after the meta header does not start with a valid DICOM element.");
        }
        while (pos < end && !(headerOnly && hasPixelData)) {
            pos = element(pos, 0);
        }
        return new Result(transferSyntax, hasPixelData, encapsulated, pixelDataLength, fragments, buf, dataSetOffset,
                java.util.Arrays.copyOf(fragmentOffsets, fragmentCount),
                java.util.Arrays.copyOf(fragmentLengths, fragmentCount), pixelDataOffset);
    }

    private static final String DICOMDIR_CLASS = "1.2.840.10008.1.3.10";

    private static RejectedException dicomdir() {
        return new RejectedException(Reason.NO_PIXEL_DATA, "This is a DICOMDIR, the index of a DICOM disc or folder: "
                + "it lists image files but holds no image. Upload the image files it lists instead.");
    }

    /** Reads one element at {@code pos} (recursing into sequences) and returns the offset after it. */
    private int element(int pos, int depth) {
        if (pos + 8 > end) throw truncated(pos, "an element header");
        if (++elements > MAX_ELEMENTS) {
            throw new RejectedException(Reason.TOO_LARGE, "The file holds more than " + MAX_ELEMENTS
                    + " DICOM elements; a radiograph has a few hundred. Files this complex are not accepted.");
        }
        int tag = tag(pos);
        if ((tag >>> 16) == 0xFFFE) throw corrupt("an item marker stands outside any sequence");
        long length;
        int valueStart;
        String vr = null;
        if (explicit) {
            vr = new String(buf, pos + 4, 2, StandardCharsets.US_ASCII);
            if (!isVr(vr)) throw corrupt("element " + name(tag) + " has an invalid value representation");
            if (hasLongLength(vr)) {
                if (pos + 12 > end) throw truncated(pos, "an element header");
                length = u32(pos + 8);
                valueStart = pos + 12;
            } else {
                length = u16(pos + 6);
                valueStart = pos + 8;
            }
        } else {
            length = u32(pos + 4);
            valueStart = pos + 8;
        }
        boolean undefined = length == 0xFFFFFFFFL;
        if (depth == 0 && tag == PIXEL_DATA) {
            hasPixelData = true;
            encapsulated = undefined;
            pixelDataLength = undefined ? UNDEFINED : length;
            pixelDataOffset = undefined ? UNDEFINED : valueStart;
            if (headerOnly) return valueStart;
        }
        if (undefined) {
            if (depth >= MAX_DEPTH) throw corrupt("sequences are nested deeper than " + MAX_DEPTH + " levels");
            boolean implicitInside = "UN".equals(vr); // UN of undefined length is encoded implicit VR (PS3.5 6.2.2)
            boolean saved = explicit;
            if (implicitInside) explicit = false;
            int after = items(valueStart, depth + 1, depth == 0 && tag == PIXEL_DATA);
            explicit = saved;
            return after;
        }
        if (valueStart + length > end) throw truncated(pos, "the value of element " + name(tag));
        int valueEnd = (int) (valueStart + length);
        if (isSequence(tag, vr) && length > 0) {
            if (depth >= MAX_DEPTH) throw corrupt("sequences are nested deeper than " + MAX_DEPTH + " levels");
            int saved = end;
            end = valueEnd; // items must stay inside the sequence's declared length
            try {
                int p = valueStart;
                while (p < end) p = item(p, depth + 1, false);
            } catch (RejectedException e) {
                if (saved == end) throw e;
                throw corrupt("the items of " + name(tag) + " run past the sequence's declared length");
            } finally {
                end = saved;
            }
        }
        return valueEnd;
    }

    /** Items of an undefined-length value, up to and including the sequence delimiter. */
    private int items(int pos, int depth, boolean pixelFragments) {
        while (true) {
            if (pos + 8 > end) throw truncated(pos, "an undefined-length sequence (no sequence delimiter)");
            if (tag(pos) == SEQUENCE_END) return pos + 8;
            pos = item(pos, depth, pixelFragments);
        }
    }

    /** One item (a nested data set, or a pixel data fragment) and returns the offset after it. */
    private int item(int pos, int depth, boolean pixelFragment) {
        if (pos + 8 > end) throw truncated(pos, "an item header");
        int tag = tag(pos);
        if (tag != ITEM) throw corrupt("element " + hex(tag) + " stands where a sequence item was expected");
        long length = u32(pos + 4);
        pos += 8;
        if (pixelFragment) {
            if (++fragments > MAX_FRAGMENTS) {
                throw new RejectedException(Reason.TOO_LARGE, "The Pixel Data is split into more than "
                        + MAX_FRAGMENTS + " fragments; a single-frame image needs a handful.");
            }
        } else if (++items > MAX_ITEMS) {
            throw new RejectedException(Reason.TOO_LARGE, "The file holds more than " + MAX_ITEMS
                    + " sequence items; a radiograph has a few dozen. Files this complex are not accepted.");
        }
        if (length == 0xFFFFFFFFL) {
            if (pixelFragment) throw corrupt("a pixel data fragment has an undefined length");
            while (true) { // a nested data set, ended by an item delimiter
                if (pos + 8 > end) throw truncated(pos, "an undefined-length item (no item delimiter)");
                if (tag(pos) == ITEM_END) return pos + 8;
                pos = element(pos, depth);
            }
        }
        if (pos + length > end) throw truncated(pos, pixelFragment ? "a pixel data fragment" : "a sequence item");
        int itemEnd = (int) (pos + length);
        if (pixelFragment && fragments > 1) { // fragment 1 is the basic offset table
            if (fragmentCount == fragmentOffsets.length) {
                fragmentOffsets = java.util.Arrays.copyOf(fragmentOffsets, fragmentCount * 2);
                fragmentLengths = java.util.Arrays.copyOf(fragmentLengths, fragmentCount * 2);
            }
            fragmentOffsets[fragmentCount] = pos;
            fragmentLengths[fragmentCount++] = (int) length;
        }
        if (!pixelFragment) {
            int saved = end;
            end = itemEnd;
            try {
                while (pos < end) pos = element(pos, depth);
            } finally {
                end = saved;
            }
        }
        return itemEnd;
    }

    private static byte[] inflate(byte[] bytes, int from, long budget) {
        // Inflated once, here, into 1 MB chunks copied once into the result: peak memory is twice the inflated size
        // (a growing ByteArrayOutputStream would reach three times), and the decoder hands PixelMed these bytes
        // instead of letting it inflate the file again.
        Inflater inflater = new Inflater(true); // deflated transfer syntax is raw deflate without zlib header
        inflater.setInput(bytes, from, bytes.length - from);
        java.util.List<byte[]> chunks = new java.util.ArrayList<>();
        long total = 0;
        try {
            while (!inflater.finished()) {
                byte[] chunk = new byte[1 << 20];
                int filled = 0;
                while (filled < chunk.length && !inflater.finished()) {
                    int n = inflater.inflate(chunk, filled, chunk.length - filled);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        throw new RejectedException(Reason.TRUNCATED, "The deflated data set is cut short.");
                    }
                    filled += n;
                }
                total += filled;
                if (total > budget) {
                    throw new RejectedException(Reason.TOO_LARGE,
                            "The deflated data set expands beyond the " + (budget >> 20) + " MB budget.");
                }
                chunks.add(filled == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, filled));
            }
        } catch (DataFormatException e) {
            throw new RejectedException(Reason.CORRUPT, "The deflated data set is not a valid deflate stream.");
        } finally {
            inflater.end();
        }
        byte[] out = new byte[(int) total];
        int at = 0;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, out, at, c.length);
            at += c.length;
        }
        return out;
    }

    private boolean isSequence(int tag, String vr) {
        if (vr != null) return vr.equals("SQ");
        // Implicit VR: only the dictionary knows which elements are sequences.
        byte[] dictVr = DicomDictionary.StandardDictionary.getValueRepresentationFromTag(
                new AttributeTag(tag >>> 16, tag & 0xFFFF));
        return dictVr != null && ValueRepresentation.isSequenceVR(dictVr);
    }

    /**
     * Some writers put an implicit-VR data set behind a meta header that names an explicit-VR syntax (pydicom's
     * {@code SC_rgb_jpeg.dcm} is one). We do not guess an encoding the file denies, but the provider should hear
     * what is wrong: if the top level walks cleanly as implicit VR up to the image attributes, a colour image is
     * refused as colour (what it is; re-sending it would not help) and a grayscale one as mislabelled.
     */
    private void mislabelledImplicit(int start) {
        int p = start, samples = -1;
        String photometric = null;
        while (p + 8 <= end) {
            int tag = tag(p);
            long length = u32(p + 4);
            int group = tag >>> 16;
            if (group > 0x0028) break;
            if (group < 0x0008 || group == 0xFFFE || length == 0xFFFFFFFFL || p + 8 + length > end) return;
            if (tag == 0x00280002 && length == 2) samples = u16(p + 8);
            if (tag == 0x00280004) {
                photometric = new String(buf, p + 8, (int) length, StandardCharsets.US_ASCII).trim().replace("\0", "");
            }
            p += 8 + (int) length;
        }
        if (photometric == null) return;
        if (samples > 1 || !(photometric.equals("MONOCHROME1") || photometric.equals("MONOCHROME2"))) {
            throw new RejectedException(Reason.UNSUPPORTED_PHOTOMETRIC, "Photometric Interpretation "
                    + org.hipoa.dicom.QuotedValue.codeString(photometric) + " with " + Math.max(samples, 1)
                    + " sample(s) per pixel; only grayscale MONOCHROME1/2 radiographs are graded.");
        }
        throw new RejectedException(Reason.CORRUPT, "The data set is written in implicit VR, but the file meta "
                + "header names an explicit-VR transfer syntax; export the film again from the PACS.");
    }

    private boolean looksExplicit(int pos) {
        return pos + 6 <= end && isVr(new String(buf, pos + 4, 2, StandardCharsets.US_ASCII));
    }

    private boolean looksLikeElement(int pos) {
        if (pos + 8 > end) return true; // let element() report the truncation
        int group = u16(pos);
        return group >= 0x0008 && group != 0xFFFE && (!explicit || looksExplicit(pos));
    }

    private static boolean isVr(String vr) {
        return switch (vr) {
            case "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV",
                 "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV" ->
                    true;
            default -> false;
        };
    }

    private static boolean hasLongLength(String vr) {
        return switch (vr) {
            case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
            default -> false;
        };
    }

    private String uid(int elementStart, int elementEnd) {
        int valueStart = elementStart + 8;
        return new String(buf, valueStart, elementEnd - valueStart, StandardCharsets.US_ASCII).trim()
                .replace("\0", "");
    }

    /** An empty preamble (as every writer we know makes it) followed by at most the start of "DICM". */
    private static boolean cutInPreamble(byte[] b) {
        for (int i = 0; i < Math.min(b.length, 128); i++) if (b[i] != 0) return false;
        for (int i = 128; i < b.length; i++) if (b[i] != "DICM".charAt(i - 128)) return false;
        return true;
    }

    /** People read this: where in DICOM terms the file stops, never a byte offset. */
    private RejectedException truncated(int pos, String what) {
        return new RejectedException(Reason.TRUNCATED, "The file is cut short: it ends inside " + what + ".");
    }

    private static RejectedException corrupt(String what) {
        return new RejectedException(Reason.CORRUPT, "Malformed DICOM: " + what + ".");
    }

    /** "(0028,0010) Rows", or just the tag for private and unknown elements. */
    private static String name(int tag) {
        String n = DicomDictionary.StandardDictionary.getNameFromTag(new AttributeTag(tag >>> 16, tag & 0xFFFF));
        return n == null ? hex(tag) : hex(tag) + " " + n;
    }

    private static String hex(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }

    private int tag(int pos) {
        return (u16(pos) << 16) | u16(pos + 2);
    }

    private int u16(int pos) {
        return (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8;
    }

    private long u32(int pos) {
        return (u16(pos) | (long) u16(pos + 2) << 16) & 0xFFFFFFFFL;
    }
}
