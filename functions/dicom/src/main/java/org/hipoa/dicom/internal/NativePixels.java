package org.hipoa.dicom.internal;

import org.hipoa.domain.Reason;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * Native (uncompressed) little-endian pixel data straight from the file's bytes into bone-bright floats.
 *
 * <p>Why not PixelMed here: reading the whole data set again only to copy Pixel Data into a {@code short[]} cost
 * ~5 ms of a ~16 ms decode of a 7 Mpx film (and one more film-sized array), for bytes whose place the structure scan
 * already knows exactly and whose length {@code ImageGeometry} has already checked against Rows × Columns × Bits
 * Allocated. Compressed pixel data still goes through PixelMed's codecs.
 */
public final class NativePixels {
    private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Below a megapixel the split costs more than it saves. */
    private static final int PARALLEL_FROM = 1 << 20;

    private NativePixels() {}

    /**
     * Rows × Columns values from {@code offset} of {@code data} (the data set the structure scan walked, inflated
     * for the deflated syntax). The caller has checked the geometry and that the value holds at least that many
     * words.
     */
    public static float[] read(byte[] data, int offset, Geometry g, PixelTransform transform) {
        int n = Math.multiplyExact(g.rows(), g.columns());
        long need = (long) n * (g.bitsAllocated() / 8);
        if (offset < 0 || offset + need > data.length) {
            // ImageGeometry compared the declared length with the image already; this guards the arithmetic.
            throw new RejectedException(Reason.CORRUPT, "The pixel data is shorter than Rows x Columns needs.");
        }
        float[] out = new float[n];
        switch (g.bitsAllocated()) {
            case 8 -> {
                float[] table = checkedTable(transform, 8, false);
                for (int i = 0; i < n; i++) out[i] = table[data[offset + i] & 0xFF];
            }
            case 16 -> {
                float[] table = checkedTable(transform, 16, false);
                int parts = n < PARALLEL_FROM ? 1 : Runtime.getRuntime().availableProcessors();
                IntStream.range(0, parts).parallel().forEach(p -> {
                    for (int i = (int) ((long) n * p / parts), e = (int) ((long) n * (p + 1) / parts); i < e; i++) {
                        out[i] = table[(short) U16.get(data, offset + 2 * i) & 0xFFFF];
                    }
                });
            }
            case 32 -> {
                // 2^32 stored values: no table; each pixel goes through the transform and is checked on its own.
                for (int i = 0; i < n; i++) {
                    out[i] = transform.apply((int) U32.get(data, offset + 4 * i) & 0xFFFFFFFFL);
                    if (!(Math.abs(out[i]) <= PixelTransform.MAX_MAGNITUDE)) throw notFinite();
                }
            }
            default -> throw new IllegalArgumentException("Bits Allocated " + g.bitsAllocated());
        }
        return out;
    }

    /**
     * The lookup table of every 8- or 16-bit word, failing closed: {@link PixelTransform} bounds the mapped range,
     * and this proves it for every value a pixel can take (so no decoded pixel needs checking again).
     */
    public static float[] checkedTable(PixelTransform transform, int bitsAllocated, boolean lossy) {
        float[] table = transform.table(bitsAllocated, lossy);
        for (float v : table) {
            if (!(Math.abs(v) <= PixelTransform.MAX_MAGNITUDE)) throw notFinite();
        }
        return table;
    }

    private static RejectedException notFinite() {
        return new RejectedException(Reason.CORRUPT,
                "The decoded pixel values are not finite numbers: the rescale attributes are wrong.");
    }

    /** What {@link #read} needs of the Image Pixel module. */
    public interface Geometry {
        int rows();

        int columns();

        int bitsAllocated();
    }
}
