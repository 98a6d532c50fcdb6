package org.hipoa.dicom;

import java.nio.charset.StandardCharsets;

/**
 * Files whose text values are far past what their VR allows, for the tests that follow such a value from the file
 * to a rejection message, the results table and the partner API (shared through the test jar).
 */
public final class OversizedValues {
    private OversizedValues() {}

    /** 65,534 bytes: a UID's digits around control bytes, the most an explicit-VR UI length can say. */
    public static String hugeUid() {
        StringBuilder b = new StringBuilder("1.");
        while (b.length() < 65_532) b.append((char) (1 + b.length() % 31));
        return b.append(".9").toString();
    }

    /**
     * The file with its (0002,0010) Transfer Syntax UID replaced by {@code uid} (padded to even length), the element's
     * 2-byte length and the meta group length (0002,0000) rewritten to match.
     */
    public static byte[] withTransferSyntax(byte[] file, String uid) {
        String padded = uid.length() % 2 == 1 ? uid + "\0" : uid;
        int pos = 132;
        while (!(u16(file, pos) == 0x0002 && u16(file, pos + 2) == 0x0010)) {
            pos += 8 + u16(file, pos + 6) + (isLongVr(file, pos) ? 4 + u32(file, pos + 8) : 0);
        }
        int oldLength = u16(file, pos + 6);
        byte[] value = padded.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[file.length - oldLength + value.length];
        System.arraycopy(file, 0, out, 0, pos + 8);
        out[pos + 6] = (byte) value.length;
        out[pos + 7] = (byte) (value.length >>> 8);
        System.arraycopy(value, 0, out, pos + 8, value.length);
        System.arraycopy(file, pos + 8 + oldLength, out, pos + 8 + value.length, file.length - pos - 8 - oldLength);
        int group = u32(out, 140) + value.length - oldLength; // (0002,0000)'s value, first in PixelMed's meta group
        for (int i = 0; i < 4; i++) out[140 + i] = (byte) (group >>> (8 * i));
        return out;
    }

    private static boolean isLongVr(byte[] f, int pos) {
        String vr = new String(f, pos + 4, 2, StandardCharsets.US_ASCII);
        return vr.equals("OB") || vr.equals("OW") || vr.equals("UN") || vr.equals("SQ") || vr.equals("UT");
    }

    private static int u16(byte[] f, int at) {
        return (f[at] & 0xff) | (f[at + 1] & 0xff) << 8;
    }

    private static int u32(byte[] f, int at) {
        return u16(f, at) | u16(f, at + 2) << 16;
    }
}
