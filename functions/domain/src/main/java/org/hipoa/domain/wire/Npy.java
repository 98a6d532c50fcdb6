package org.hipoa.domain.wire;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} arrays (format 1.0 and 2.0, C order, little-endian float32 or float16): the one codec for the
 * crops between the functions, the training shards and the models' reference inputs. Hand-written because the
 * format is a short preamble plus a dict literal, and no maintained Java library for it is worth a dependency.
 */
public record Npy(int[] shape, float[] data) {

    /** The bytes are not an array this codec reads. */
    public static final class NpyException extends IllegalArgumentException {
        public NpyException(String message) {
            super(message);
        }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DICT = Pattern.compile(
            "\\{'descr': '<(f4|f2)', 'fortran_order': False, 'shape': \\(([0-9, ]*)\\), \\} *\n");
    /** Bounds what a corrupt header can make a reader allocate. */
    public static final long MAX_VALUES = 1L << 28;

    public Npy {
        shape = shape.clone();
        if (count(shape) != data.length) throw new IllegalArgumentException(data.length + " values for shape "
                + Arrays.toString(shape));
    }

    /** Little-endian float32, C order. */
    public static byte[] encodeFloat32(float[] data, int... shape) {
        byte[] header = header("f4", shape, data.length);
        ByteBuffer b = ByteBuffer.allocate(header.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header).asFloatBuffer().put(data);
        return b.array();
    }

    /** Little-endian float16 (values rounded), written atomically: what the training code memory-maps. */
    public static void writeFloat16(Path file, float[] data, int... shape) throws IOException {
        byte[] header = header("f2", shape, data.length);
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            out.write(header);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : data) {
                if (!buf.hasRemaining()) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putShort(Float.floatToFloat16(v));
            }
            out.write(buf.array(), 0, buf.position());
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static Npy read(Path file) throws IOException {
        return decode(Files.readAllBytes(file));
    }

    /** @throws NpyException when the bytes are not exactly one float32/float16 array of the declared shape */
    public static Npy decode(byte[] bytes) {
        if (bytes.length < 10) throw new NpyException("too short for a .npy file");
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) throw new NpyException("not a .npy file");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        if (major != 1 && major != 2) throw new NpyException("unsupported .npy version " + major);
        int start = major == 1 ? 10 : 12;
        if (bytes.length < start) throw new NpyException("truncated .npy header");
        long headerLen = major == 1 ? b.getShort(8) & 0xFFFF : b.getInt(8) & 0xFFFFFFFFL;
        if (start + headerLen > bytes.length) throw new NpyException("truncated .npy header");
        Matcher m = DICT.matcher(new String(bytes, start, (int) headerLen, StandardCharsets.US_ASCII));
        if (!m.matches()) throw new NpyException("not a C-order little-endian float32 or float16 array");
        int[] shape = Arrays.stream(m.group(2).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToInt(s -> s.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(s)).toArray();
        long n = count(shape);
        if (n < 0 || n > MAX_VALUES) throw new NpyException("implausible array shape");
        int width = m.group(1).equals("f4") ? 4 : 2;
        long offset = start + headerLen;
        if (bytes.length - offset != n * width) throw new NpyException("data length does not match the shape");
        float[] data = new float[(int) n];
        ByteBuffer body = b.position((int) offset).slice().order(ByteOrder.LITTLE_ENDIAN);
        if (width == 4) {
            body.asFloatBuffer().get(data);
        } else {
            for (int i = 0; i < data.length; i++) data[i] = Float.float16ToFloat(body.getShort(2 * i));
        }
        return new Npy(shape, data);
    }

    private static byte[] header(String descr, int[] shape, int values) {
        if (count(shape) != values) throw new IllegalArgumentException(values + " values for shape " + Arrays.toString(shape));
        StringBuilder dims = new StringBuilder();
        for (int d : shape) dims.append(d).append(", ");
        String text = dims.toString().trim();
        if (shape.length > 1) text = text.substring(0, text.length() - 1); // NumPy writes (2, 1, 3) but (3,)
        String dict = "{'descr': '<" + descr + "', 'fortran_order': False, 'shape': (" + text + "), }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n"; // a 64-byte multiple, as NumPy writes it
        ByteBuffer b = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    private static long count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) return -1;
            n *= d;
            if (n > MAX_VALUES) return n;
        }
        return n;
    }
}
