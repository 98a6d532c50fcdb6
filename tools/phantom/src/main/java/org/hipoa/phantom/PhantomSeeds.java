package org.hipoa.phantom;

/**
 * Per-image seeds derived from a run seed and the image's index, so an image's pixels depend on (seed, index) only —
 * never on the thread count or on which images were generated before it. SplitMix64's finaliser decorrelates
 * neighbouring indices.
 */
public final class PhantomSeeds {
    private PhantomSeeds() {}

    public static long imageSeed(long runSeed, int index) {
        long z = runSeed + 0x9E3779B97F4A7C15L * (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public static String fileName(int index) {
        return String.format("hip%05d.dcm", index);
    }
}
