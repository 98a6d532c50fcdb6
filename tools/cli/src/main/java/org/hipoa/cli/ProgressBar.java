package org.hipoa.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A progress bar on stderr. On a terminal it redraws in place; in a log (CI, redirected) it prints a plain line every
 * ~10 % so the log stays readable.
 */
final class ProgressBar {
    private final String label;
    private final int total;
    private final PrintStream err = System.err;
    private final boolean terminal = System.console() != null;
    private final long start = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private volatile int lastDecile = -1;

    ProgressBar(String label, int total) {
        this.label = label;
        this.total = Math.max(total, 1);
    }

    void step() {
        int n = done.incrementAndGet();
        int decile = n * 10 / total;
        if (terminal || decile != lastDecile || n == total) {
            synchronized (this) {
                lastDecile = decile;
                draw(n);
            }
        }
    }

    private void draw(int n) {
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = n / Math.max(seconds, 1e-9);
        int width = 30, filled = n * width / total;
        String bar = "#".repeat(filled) + " ".repeat(width - filled);
        String line = String.format("%s [%s] %d/%d  %.1f/s  %.0fs elapsed, ~%.0fs left", label, bar, n, total, rate,
                seconds, (total - n) / Math.max(rate, 1e-9));
        if (terminal) err.print("\r" + line + (n == total ? "\n" : ""));
        else err.println(line);
    }
}
