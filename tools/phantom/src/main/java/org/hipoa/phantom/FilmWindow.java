package org.hipoa.phantom;

/**
 * A display window for a film, as a modality's auto-windowing would set it: the 1st–99th percentile of bone-bright
 * values, from a histogram (one pass, no sort, whatever the film size).
 */
final class FilmWindow {
    private FilmWindow() {}

    /** {center, width} in bone-bright stored values. */
    static double[] of(RenderedFilm film) {
        int levels = 1 << film.phantomCase().bitsStored();
        long[] histogram = new long[levels];
        for (short p : film.pixels()) histogram[p & 0xFFFF]++;
        double lo = percentile(histogram, film.pixels().length, 0.01);
        double hi = percentile(histogram, film.pixels().length, 0.99);
        double width = Math.max(1, hi - lo);
        return new double[] {(lo + hi) / 2, width};
    }

    private static int percentile(long[] histogram, long total, double q) {
        long target = (long) (q * total), seen = 0;
        for (int v = 0; v < histogram.length; v++) {
            seen += histogram[v];
            if (seen > target) return v;
        }
        return histogram.length - 1;
    }
}
