package org.hipoa.phantom;

/**
 * A rendered film: row-major stored values in {@code 0..2^bitsStored-1}, held unsigned in shorts
 * (read with {@code & 0xFFFF}). Always bone-bright (MONOCHROME2 sense); a writer inverts when
 * {@link PhantomCase#monochrome1()} is set.
 */
public record RenderedFilm(PhantomCase phantomCase, int rows, int columns, short[] pixels) {

    public RenderedFilm {
        if (phantomCase == null || pixels == null) {
            throw new IllegalArgumentException("phantomCase and pixels are required");
        }
        if (rows != phantomCase.rows() || columns != phantomCase.columns()) {
            throw new IllegalArgumentException("film size differs from its case");
        }
        if (pixels.length != (long) rows * columns) {
            throw new IllegalArgumentException("pixels.length " + pixels.length + " != rows*columns");
        }
    }

    /** Stored value at (row, column) as an unsigned int. */
    public int value(int row, int column) {
        return pixels[row * columns + column] & 0xFFFF;
    }
}
