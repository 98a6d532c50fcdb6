package org.hipoa.domain.wire;

import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Side;
import org.hipoa.domain.upload.Keys;

/**
 * The crops object of docs/PIPELINE.md: a {@link Npy} float32 array of shape {@code [2, 1, S, S]}, right hip then
 * left (left already mirrored, per the crop contract). NumPy reads it with {@code np.load}; the decoder accepts
 * only exactly this shape, dtype and finite values.
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
    public static class UnreadableCropsException extends RuntimeException { // CropStore.CropsMissingException: gone, not malformed
        public UnreadableCropsException(String message) {
            super(message);
        }
    }

    /** Far above any grader crop; bounds what a corrupt header can make us allocate. */
    public static final int MAX_SIZE = 1024;

    private CropNpy() {}

    /** Where an upload's crops live in the work bucket: deterministic, so a re-delivered event rewrites one object. */
    public static String key(String uploadId) {
        if (!Keys.isId(uploadId)) throw new IllegalArgumentException("not an uploadId");
        return "crops/" + uploadId + ".npy";
    }

    public static byte[] encode(HipCrop right, HipCrop left) {
        if (right.side() != Side.RIGHT || left.side() != Side.LEFT) throw new IllegalArgumentException("right, left");
        if (right.size() != left.size()) throw new IllegalArgumentException("crops of different sizes");
        int s = right.size();
        float[] both = new float[2 * s * s];
        System.arraycopy(right.pixels(), 0, both, 0, s * s);
        System.arraycopy(left.pixels(), 0, both, s * s, s * s);
        return Npy.encodeFloat32(both, 2, 1, s, s);
    }

    public static Pair decode(byte[] bytes) {
        Npy npy;
        try {
            npy = Npy.decode(bytes);
        } catch (Npy.NpyException e) {
            throw new UnreadableCropsException(e.getMessage());
        }
        int[] shape = npy.shape();
        if (shape.length != 4 || shape[0] != 2 || shape[1] != 1) {
            throw new UnreadableCropsException("not a float32 [2, 1, S, S] array");
        }
        int s = shape[2];
        if (s != shape[3] || s < 1 || s > MAX_SIZE) {
            throw new UnreadableCropsException("crops are not square or of implausible size");
        }
        float[] right = new float[s * s], left = new float[s * s];
        System.arraycopy(npy.data(), 0, right, 0, s * s);
        System.arraycopy(npy.data(), s * s, left, 0, s * s);
        for (float[] crop : new float[][]{right, left}) {
            for (float v : crop) if (!Float.isFinite(v)) throw new UnreadableCropsException("non-finite pixel");
        }
        return new Pair(s, right, left);
    }
}
