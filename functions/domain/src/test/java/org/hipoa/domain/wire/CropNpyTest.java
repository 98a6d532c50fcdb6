package org.hipoa.domain.wire;

import org.hipoa.domain.Side;
import org.hipoa.domain.HipCrop;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.hipoa.domain.Fixtures;

class CropNpyTest {
    final HipCrop right = Fixtures.crop(Side.RIGHT, 224, 1f);
    final HipCrop left = Fixtures.crop(Side.LEFT, 224, -2f);

    @Test
    void crops_roundTripBitForBit() {
        CropNpy.Pair back = CropNpy.decode(CropNpy.encode(right, left));
        assertEquals(224, back.size());
        assertArrayEquals(right.pixels(), back.right());
        assertArrayEquals(left.pixels(), back.left());
    }

    @Test
    void file_isNumpyFormat_withAlignedHeader() {
        byte[] npy = CropNpy.encode(right, left);
        int headerLen = (npy[8] & 0xFF) | (npy[9] & 0xFF) << 8;
        assertEquals(0, (10 + headerLen) % 64);
        String header = new String(npy, 10, headerLen, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 224, 224), }"), header);
        assertEquals(10 + headerLen + 2 * 224 * 224 * 4, npy.length);
    }

    @Test
    void wrongSidesOrSizes_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> CropNpy.encode(left, right));
        assertThrows(IllegalArgumentException.class, () -> CropNpy.encode(right, Fixtures.crop(Side.LEFT, 64, 0f)));
    }

    @Test
    void truncatedOrForeignBytes_areUnreadable() {
        byte[] npy = CropNpy.encode(right, left);
        assertThrows(CropNpy.UnreadableCropsException.class, () -> CropNpy.decode(Arrays.copyOf(npy, npy.length - 4)));
        assertThrows(CropNpy.UnreadableCropsException.class, () -> CropNpy.decode(Arrays.copyOf(npy, 40)));
        assertThrows(CropNpy.UnreadableCropsException.class, () -> CropNpy.decode(new byte[0]));
        assertThrows(CropNpy.UnreadableCropsException.class,
                () -> CropNpy.decode("not a numpy file at all".getBytes(StandardCharsets.US_ASCII)));
        byte[] float64 = npy.clone();
        float64[10 + 12] = '8'; // '<f4' → '<f8'
        assertThrows(CropNpy.UnreadableCropsException.class, () -> CropNpy.decode(float64));
    }

    @Test
    void nonFinitePixels_areUnreadable() {
        float[] px = right.pixels().clone();
        px[5] = Float.NaN;
        byte[] npy = CropNpy.encode(new HipCrop(Side.RIGHT, 224, px, 0, 0), left);
        assertThrows(CropNpy.UnreadableCropsException.class, () -> CropNpy.decode(npy));
    }
}
