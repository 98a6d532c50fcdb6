package org.hipoa.dicom.internal;

import org.hipoa.dicom.TransferSyntaxes;

import org.hipoa.domain.Reason;

/**
 * Reads the frame header of an encapsulated codestream (JPEG SOF, JPEG 2000 SIZ, RLE header) before any codec sees
 * it, and refuses it unless it describes the image the DICOM attributes describe.
 *
 * <p>Why: a codec allocates what its own header declares, not what Rows/Columns say. A 0.24 MB JPEG whose frame
 * header claims 16,000 x 16,000 makes ImageIO allocate 256 Mpx under a header that passed the pixel budget; random
 * bytes behind a JPEG 2000 syntax decode to a grey image without an error. Checking the codestream's own dimensions,
 * precision and (for JPEG 2000) its marker structure makes the budget hold for what the codec will allocate and
 * turns garbage into {@code CORRUPT}.
 */
public final class CodestreamCheck {
    private CodestreamCheck() {}

    /** The fragments of one frame, read as one byte sequence without copying them. */
    public static final class Fragments {
        private final byte[] buf;
        private final int[] offsets, lengths;
        private final long[] starts; // cumulative start of each fragment in the joined sequence
        private final long length;

        public Fragments(byte[] buf, int[] offsets, int[] lengths) {
            this.buf = buf;
            this.offsets = offsets;
            this.lengths = lengths;
            this.starts = new long[offsets.length];
            long s = 0;
            for (int i = 0; i < offsets.length; i++) {
                starts[i] = s;
                s += lengths[i];
            }
            this.length = s;
        }

        long length() {
            return length;
        }

        int u8(long at) {
            if (at < 0 || at >= length) throw new IndexOutOfBoundsException();
            int i = java.util.Arrays.binarySearch(starts, at);
            if (i < 0) i = -i - 2;
            while (lengths[i] == 0 || at - starts[i] >= lengths[i]) i++; // skip empty fragments
            return buf[offsets[i] + (int) (at - starts[i])] & 0xFF;
        }

        int u16(long at) {
            return u8(at) << 8 | u8(at + 1);
        }

        long u32(long at) {
            return (long) u16(at) << 16 | u16(at + 2);
        }
    }

    /** Dimensions and sample precision the DICOM header promises. */
    public record Expected(int rows, int columns, int bitsAllocated, int bitsStored) {}

    public static void check(String syntax, Fragments f, Expected e) {
        try {
            switch (syntax) {
                case TransferSyntaxes.RLE_LOSSLESS -> rle(f, e);
                case TransferSyntaxes.JPEG_2000_LOSSLESS, TransferSyntaxes.JPEG_2000 -> jpeg2000(f, e);
                default -> jpeg(f, e); // .50, .51, .57, .70
            }
        } catch (IndexOutOfBoundsException end) {
            throw corrupt("The compressed pixel data ends inside its own header: the codestream is incomplete.");
        }
    }

    /** PS3.5 G.3.1: a 64-byte header of segment count and offsets; one segment per byte of a grayscale sample. */
    private static void rle(Fragments f, Expected e) {
        int segments = le32(f, 0);
        int want = e.bitsAllocated() / 8;
        if (segments != want) {
            throw corrupt("The RLE header declares " + segments + " segment(s); " + e.bitsAllocated()
                    + "-bit grayscale needs " + want + ".");
        }
        long previous = 0;
        for (int s = 0; s < segments; s++) {
            long offset = le32(f, 4 + 4L * s) & 0xFFFFFFFFL;
            if ((s == 0 && offset != 64) || offset <= previous || offset >= f.length()) {
                throw corrupt("The RLE header's segment offsets do not fit its data.");
            }
            previous = offset;
        }
    }

    private static int le32(Fragments f, long at) {
        return f.u8(at) | f.u8(at + 1) << 8 | f.u8(at + 2) << 16 | f.u8(at + 3) << 24;
    }

    /** ITU T.81 B.2: walk marker segments from SOI to the first frame header (SOFn) and compare it. */
    private static void jpeg(Fragments f, Expected e) {
        if (f.u16(0) != 0xFFD8) throw corrupt("The compressed pixel data is not a JPEG codestream (no start marker).");
        long pos = 2;
        while (true) {
            if (f.u8(pos) != 0xFF) throw corrupt("The JPEG codestream's header is malformed.");
            while (f.u8(pos) == 0xFF) pos++; // fill bytes
            int marker = f.u8(pos);
            pos++;
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue; // no length
            if (marker == 0xD9 || marker == 0xDA) {
                throw corrupt("The JPEG codestream has no frame header before its image data.");
            }
            int length = f.u16(pos);
            if (length < 2) throw corrupt("The JPEG codestream's header is malformed.");
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                int precision = f.u8(pos + 2), height = f.u16(pos + 3), width = f.u16(pos + 5);
                int components = f.u8(pos + 7);
                compare("JPEG", width, height, precision, components, e);
                return;
            }
            pos += length;
        }
    }

    /**
     * ITU T.800 A.5.1 and A.4.2: SOC, SIZ (compared), the rest of the main header (COD and QCD required), then
     * tile-parts chained by their lengths up to EOC. The chain proves the codestream is one, not random bytes.
     */
    private static void jpeg2000(Fragments f, Expected e) {
        if (f.u16(0) != 0xFF4F) {
            boolean jp2 = f.length() >= 12 && f.u32(4) == 0x6A502020L; // "jP  " signature box
            throw corrupt(jp2 ? "The pixel data is a JP2 file; DICOM carries a bare JPEG 2000 codestream."
                    : "The compressed pixel data is not a JPEG 2000 codestream (no start marker).");
        }
        if (f.u16(2) != 0xFF51) throw corrupt("The JPEG 2000 codestream has no image size header (SIZ).");
        long siz = 2; // offsets below count from the SIZ marker
        long xsiz = f.u32(siz + 6), ysiz = f.u32(siz + 10), xo = f.u32(siz + 14), yo = f.u32(siz + 18);
        long xt = f.u32(siz + 22), yt = f.u32(siz + 26), xto = f.u32(siz + 30), yto = f.u32(siz + 34);
        int components = f.u16(siz + 38);
        if (xo >= xsiz || yo >= ysiz || xt == 0 || yt == 0 || xto > xo || yto > yo) {
            throw corrupt("The JPEG 2000 image size header is inconsistent.");
        }
        int ssiz = f.u8(siz + 40);
        int xr = f.u8(siz + 41), yr = f.u8(siz + 42);
        if (xr != 1 || yr != 1) throw corrupt("The JPEG 2000 codestream is subsampled; a radiograph is not.");
        compare("JPEG 2000", xsiz - xo, ysiz - yo, (ssiz & 0x7F) + 1, components, e);
        long tiles = ceilDiv(xsiz - xto, xt) * ceilDiv(ysiz - yto, yt);
        if (tiles > 65_535) throw corrupt("The JPEG 2000 codestream declares " + tiles + " tiles; at most 65,535 exist.");

        long pos = siz + f.u16(siz + 2) + 2;
        boolean cod = false, qcd = false;
        while (true) { // main header
            int marker = f.u16(pos);
            if (marker == 0xFF90) break; // first SOT
            if ((marker >>> 8) != 0xFF || marker < 0xFF50) {
                throw corrupt("The JPEG 2000 codestream's main header is malformed.");
            }
            cod |= marker == 0xFF52;
            qcd |= marker == 0xFF5C;
            pos += 2 + f.u16(pos + 2);
        }
        if (!cod || !qcd) throw corrupt("The JPEG 2000 codestream lacks its coding or quantisation header.");
        while (true) { // tile-parts
            int marker = f.u16(pos);
            if (marker == 0xFFD9) {
                trailing(f, pos + 2);
                return;
            }
            if (marker != 0xFF90) throw corrupt("The JPEG 2000 codestream's tiles do not chain up to its end.");
            int tile = f.u16(pos + 4);
            long psot = f.u32(pos + 6);
            if (tile >= tiles) throw corrupt("The JPEG 2000 codestream names a tile that does not exist.");
            if (psot == 0) { // the last tile-part runs to EOC
                long last = f.length() - 2;
                while (last > pos && f.u8(last + 1) == 0) last--; // even-length padding after EOC
                if (f.u16(last) != 0xFFD9) throw corrupt("The JPEG 2000 codestream has no end marker.");
                return;
            }
            if (psot < 14) throw corrupt("The JPEG 2000 codestream's tiles do not chain up to its end.");
            pos += psot;
        }
    }

    /** After EOC only the padding that makes a fragment even may follow. */
    private static void trailing(Fragments f, long from) {
        for (long p = from; p < f.length(); p++) {
            if (p - from > 16 || f.u8(p) != 0) throw corrupt("Data follows the end of the JPEG 2000 codestream.");
        }
    }

    private static void compare(String codec, long width, long height, int precision, int components, Expected e) {
        if (width != e.columns() || height != e.rows()) {
            throw corrupt("The " + codec + " codestream is " + width + " x " + height + " pixels but the DICOM header"
                    + " says " + e.columns() + " x " + e.rows() + " (Columns x Rows); one of them is wrong.");
        }
        if (components != 1) {
            throw corrupt("The " + codec + " codestream has " + components + " colour components; a radiograph has 1.");
        }
        if (precision < 1 || precision > e.bitsAllocated()) {
            throw corrupt("The " + codec + " codestream holds " + precision + "-bit samples, more than the "
                    + e.bitsAllocated() + " bits the DICOM header allocates per pixel.");
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static RejectedException corrupt(String message) {
        return new RejectedException(Reason.CORRUPT, message);
    }
}
