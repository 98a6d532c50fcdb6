package org.hipoa.phantom;

import java.io.ByteArrayOutputStream;

/**
 * DICOM RLE Lossless encoder (PS3.5 Annex G) for one 16-bit grayscale frame.
 *
 * <p>Why hand-written: PixelMed's writer, asked for the RLE transfer syntax, writes native pixel data under the RLE
 * UID (an invalid file that pydicom and GDCM reject), and no maintained Java DICOM RLE encoder is on Maven Central.
 * The format is small: one segment per byte plane (most significant first), each PackBits-compressed, behind a
 * 64-byte header of segment offsets.
 */
final class RleEncoder {
    private RleEncoder() {}

    static byte[] encode16(short[] pixels, int rows, int columns) {
        byte[] high = new byte[pixels.length], low = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            high[i] = (byte) (pixels[i] >>> 8);
            low[i] = (byte) pixels[i];
        }
        byte[] s1 = packBitsRows(high, rows, columns), s2 = packBitsRows(low, rows, columns);
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + s1.length + s2.length);
        writeInt(out, 2);
        writeInt(out, 64);
        writeInt(out, 64 + s1.length);
        for (int i = 3; i < 16; i++) writeInt(out, 0);
        out.writeBytes(s1);
        out.writeBytes(s2);
        return out.toByteArray();
    }

    /** PackBits each row separately (the standard requires runs not to cross rows), padded to even length. */
    private static byte[] packBitsRows(byte[] plane, int rows, int columns) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(plane.length / 2);
        for (int r = 0; r < rows; r++) packBits(plane, r * columns, columns, out);
        if (out.size() % 2 == 1) out.write(0x80); // no-op byte: segments must have even length
        return out.toByteArray();
    }

    private static void packBits(byte[] b, int start, int n, ByteArrayOutputStream out) {
        int i = start, end = start + n;
        while (i < end) {
            int run = 1;
            while (i + run < end && run < 128 && b[i + run] == b[i]) run++;
            if (run >= 2) {
                out.write(1 - run); // -(run-1)
                out.write(b[i]);
                i += run;
                continue;
            }
            int lit = 1; // extend a literal until a run of at least 3 would start (2-byte runs cost the same)
            while (i + lit < end && lit < 128
                    && !(i + lit + 2 < end && b[i + lit] == b[i + lit + 1] && b[i + lit] == b[i + lit + 2])) {
                lit++;
            }
            out.write(lit - 1);
            out.write(b, i, lit);
            i += lit;
        }
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
