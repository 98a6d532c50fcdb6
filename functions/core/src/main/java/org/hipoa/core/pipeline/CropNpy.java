package org.hipoa.core.pipeline;

import org.hipoa.core.Side;
import org.hipoa.core.crop.HipCrop;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The crops object of docs/PIPELINE.md: a NumPy {@code .npy} (version 1.0), little-endian float32, C order,
 * shape {@code [2, 1, S, S]}, right hip then left (left already mirrored, per the crop contract). NumPy reads it
 * with {@code np.load}; the decoder accepts only exactly this shape and dtype.
 */
public final class CropNpy {
    /** The pixels of both crops, right then left. */
    public record Pair(int size, float[] right, float[] left) {
        public Pair {
            if (size < 1 || right.length != size * size || left.length != size * size) {
                throw new IllegalArgumentException("crops must be " + size + "x" + size);
            }
        }
    }

    /** The bytes are not the crops array the contract describes. */
    public static final class UnreadableCropsException extends RuntimeException {
        public UnreadableCropsException(String message) {
            super(message);
        }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern HEADER = Pattern.compile(
            "\\{'descr': '<f4', 'fortran_order': False, 'shape': \\(2, 1, (\\d{1,4}), (\\d{1,4})\\), \\} *\n");
    /** Far above any grader crop; bounds what a corrupt header can make us allocate. */
    static final int MAX_SIZE = 1024;

    private CropNpy() {}

    public static byte[] encode(HipCrop right, HipCrop left) {
        if (right.side() != Side.RIGHT || left.side() != Side.LEFT) throw new IllegalArgumentException("right, left");
        if (right.size() != left.size()) throw new IllegalArgumentException("crops of different sizes");
        int s = right.size();
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, " + s + ", " + s + "), }";
        int headerLen = dict.length() + 1;
        int pad = (64 - (10 + headerLen) % 64) % 64; // header block a multiple of 64 bytes, as NumPy writes it
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 2 * s * s * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        b.asFloatBuffer().put(right.pixels()).put(left.pixels());
        return b.array();
    }

    public static Pair decode(byte[] bytes) {
        if (bytes.length < 10) throw new UnreadableCropsException("too short for a .npy file");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) throw new UnreadableCropsException("not a .npy file");
        }
        if (bytes[6] != 1) throw new UnreadableCropsException("unsupported .npy version " + bytes[6]);
        int headerLen = b.getShort(8) & 0xFFFF;
        if (10 + headerLen > bytes.length) throw new UnreadableCropsException("truncated .npy header");
        Matcher m = HEADER.matcher(new String(bytes, 10, headerLen, StandardCharsets.US_ASCII));
        if (!m.matches()) throw new UnreadableCropsException("not a float32 [2, 1, S, S] array");
        int s = Integer.parseInt(m.group(1));
        if (s != Integer.parseInt(m.group(2)) || s < 1 || s > MAX_SIZE) {
            throw new UnreadableCropsException("crops are not square or of implausible size");
        }
        if (bytes.length != 10 + headerLen + 2 * s * s * 4) {
            throw new UnreadableCropsException("data length does not match the shape");
        }
        float[] right = new float[s * s], left = new float[s * s];
        b.position(10 + headerLen);
        var floats = b.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        floats.get(right).get(left);
        for (float[] crop : new float[][]{right, left}) {
            for (float v : crop) if (!Float.isFinite(v)) throw new UnreadableCropsException("non-finite pixel");
        }
        return new Pair(s, right, left);
    }
}
