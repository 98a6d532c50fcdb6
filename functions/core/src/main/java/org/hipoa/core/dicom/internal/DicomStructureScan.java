package org.hipoa.core.dicom.internal;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.ValueRepresentation;
import org.hipoa.domain.Reason;

import java.io.ByteArrayOutputStream;
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

    /** What the walk learned; all offsets index {@code dataSet}. */
    public record Result(String transferSyntaxUid, boolean hasPixelData, boolean encapsulated,
                         long pixelDataLength, int fragments) {}

    public static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    public static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    public static final String DEFLATED_LE = "1.2.840.10008.1.2.1.99";
    public static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";

    private static final int UNDEFINED = -1;
    private static final int MAX_DEPTH = 32;
    private static final int PIXEL_DATA = 0x7FE00010;
    private static final int ITEM = 0xFFFEE000, ITEM_END = 0xFFFEE00D, SEQUENCE_END = 0xFFFEE0DD;

    private byte[] buf;
    private int end;
    private boolean explicit;
    private boolean hasPixelData, encapsulated;
    private long pixelDataLength;
    private int fragments;

    private DicomStructureScan() {}

    /** Scans {@code bytes}; throws {@link RejectedException} with NOT_DICOM, TRUNCATED, CORRUPT or TOO_LARGE. */
    public static Result scan(byte[] bytes, long maxInflatedBytes) {
        return new DicomStructureScan().run(bytes, maxInflatedBytes);
    }

    private Result run(byte[] bytes, long maxInflatedBytes) {
        buf = bytes;
        end = bytes.length;
        if (end == 0) throw new RejectedException(Reason.NOT_DICOM, "The file is empty.");
        int pos;
        if (end >= 132 && "DICM".equals(new String(bytes, 128, 4, StandardCharsets.US_ASCII))) {
            pos = 132;
        } else if (end >= 8 && (u16(0) == 0x0002 || u16(0) == 0x0008)) {
            pos = 0; // a bare data set or a meta group without preamble: old, but still DICOM
        } else if (end < 132 && allZero(bytes)) {
            throw new RejectedException(Reason.TRUNCATED, "The file ends inside the 128-byte DICOM preamble.");
        } else {
            throw new RejectedException(Reason.NOT_DICOM,
                    "No DICM prefix at byte 128 and no DICOM element at the start: this is not a DICOM file.");
        }

        String transferSyntax = null;
        if (pos + 8 <= end && u16(pos) == 0x0002) {
            explicit = true; // the meta group is always explicit VR little endian
            while (pos + 8 <= end && u16(pos) == 0x0002) {
                int tag = tag(pos);
                int start = pos;
                pos = element(pos, 0);
                if (tag == 0x00020010) transferSyntax = uid(start, pos);
            }
            if (pos >= end) throw new RejectedException(Reason.TRUNCATED, "The file ends after its meta header.");
        }
        if (transferSyntax == null) transferSyntax = looksExplicit(pos) ? EXPLICIT_LE : IMPLICIT_LE;
        if (transferSyntax.equals(EXPLICIT_BE)) {
            // Retired since 2004 and never produced by a current modality; not worth a second walker.
            return new Result(transferSyntax, true, false, UNDEFINED, 0);
        }
        if (transferSyntax.equals(DEFLATED_LE)) {
            buf = inflate(bytes, pos, maxInflatedBytes);
            end = buf.length;
            pos = 0;
        }
        explicit = !transferSyntax.equals(IMPLICIT_LE);
        if (pos < end && !looksLikeElement(pos)) {
            throw new RejectedException(Reason.CORRUPT, "The data set does not start with a valid DICOM element.");
        }
        while (pos < end) {
            pos = element(pos, 0);
        }
        return new Result(transferSyntax, hasPixelData, encapsulated, pixelDataLength, fragments);
    }

    /** Reads one element at {@code pos} (recursing into sequences) and returns the offset after it. */
    private int element(int pos, int depth) {
        if (pos + 8 > end) throw truncated(pos, "an element header");
        int tag = tag(pos);
        if ((tag >>> 16) == 0xFFFE) throw corrupt(pos, "item tag " + hex(tag) + " outside a sequence");
        long length;
        int valueStart;
        String vr = null;
        if (explicit) {
            vr = new String(buf, pos + 4, 2, StandardCharsets.US_ASCII);
            if (!isVr(vr)) throw corrupt(pos, "an invalid value representation");
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
        }
        if (undefined) {
            if (depth >= MAX_DEPTH) throw corrupt(pos, "sequences nested deeper than " + MAX_DEPTH);
            boolean implicitInside = "UN".equals(vr); // UN of undefined length is encoded implicit VR (PS3.5 6.2.2)
            boolean saved = explicit;
            if (implicitInside) explicit = false;
            int after = items(valueStart, depth + 1, depth == 0 && tag == PIXEL_DATA);
            explicit = saved;
            return after;
        }
        if (valueStart + length > end) throw truncated(pos, "the value of element " + hex(tag));
        int valueEnd = (int) (valueStart + length);
        if (isSequence(tag, vr) && length > 0) {
            if (depth >= MAX_DEPTH) throw corrupt(pos, "sequences nested deeper than " + MAX_DEPTH);
            int saved = end;
            end = valueEnd; // items must stay inside the sequence's declared length
            try {
                int p = valueStart;
                while (p < end) p = item(p, depth + 1, false);
            } catch (RejectedException e) {
                if (saved == end) throw e;
                throw corrupt(pos, "items overrunning sequence " + hex(tag));
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
        if (tag != ITEM) throw corrupt(pos, "element " + hex(tag) + " where an item was expected");
        long length = u32(pos + 4);
        pos += 8;
        if (pixelFragment) fragments++;
        if (length == 0xFFFFFFFFL) {
            if (pixelFragment) throw corrupt(pos - 8, "an undefined-length pixel data fragment");
            while (true) { // a nested data set, ended by an item delimiter
                if (pos + 8 > end) throw truncated(pos, "an undefined-length item (no item delimiter)");
                if (tag(pos) == ITEM_END) return pos + 8;
                pos = element(pos, depth);
            }
        }
        if (pos + length > end) throw truncated(pos, pixelFragment ? "a pixel data fragment" : "an item");
        int itemEnd = (int) (pos + length);
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
        Inflater inflater = new Inflater(true); // deflated transfer syntax is raw deflate without zlib header
        inflater.setInput(bytes, from, bytes.length - from);
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, (bytes.length - from) * 4));
        byte[] chunk = new byte[1 << 16];
        try {
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new RejectedException(Reason.TRUNCATED, "The deflated data set ends before its end.");
                }
                out.write(chunk, 0, n);
                if (out.size() > budget) {
                    throw new RejectedException(Reason.TOO_LARGE,
                            "The deflated data set expands beyond the " + (budget >> 20) + " MB budget.");
                }
            }
        } catch (DataFormatException e) {
            throw new RejectedException(Reason.CORRUPT, "The deflated data set is not a valid deflate stream.");
        } finally {
            inflater.end();
        }
        return out.toByteArray();
    }

    private boolean isSequence(int tag, String vr) {
        if (vr != null) return vr.equals("SQ");
        // Implicit VR: only the dictionary knows which elements are sequences.
        byte[] dictVr = DicomDictionary.StandardDictionary.getValueRepresentationFromTag(
                new AttributeTag(tag >>> 16, tag & 0xFFFF));
        return dictVr != null && ValueRepresentation.isSequenceVR(dictVr);
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

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private RejectedException truncated(int pos, String what) {
        return new RejectedException(Reason.TRUNCATED,
                "The file ends inside " + what + " (offset " + pos + " of " + end + " bytes).");
    }

    private static RejectedException corrupt(int pos, String what) {
        return new RejectedException(Reason.CORRUPT, "Malformed DICOM at offset " + pos + ": " + what + ".");
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
