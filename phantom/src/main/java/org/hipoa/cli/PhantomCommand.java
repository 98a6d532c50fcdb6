package org.hipoa.cli;

import org.hipoa.core.dicom.TransferSyntaxes;
import org.hipoa.phantom.DicomFilmWriter;

import org.hipoa.phantom.PhantomFilm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code ./hipoa phantom --count N --seed S --out DIR [--transfer-syntax NAME] [--threads K] [--first-index I]}.
 * Images are numbered from I (default 0); image i depends only on (S, i), so runs split across machines or thread
 * counts produce the same files. {@code labels.jsonl} is written last, in index order, and atomically.
 */
final class PhantomCommand {
    private PhantomCommand() {}

    static int run(Options o) throws IOException {
        o.allowOnly("count", "seed", "out", "transfer-syntax", "threads", "first-index");
        int count = Math.toIntExact(o.longValue("count", null));
        long seed = o.longValue("seed", null);
        int first = Math.toIntExact(o.longValue("first-index", "0"));
        int threads = Math.toIntExact(o.longValue("threads", Integer.toString(Runtime.getRuntime().availableProcessors())));
        String syntax = TransferSyntaxes.uidForName(o.optional("transfer-syntax", "explicit-vr-le"));
        if (!DicomFilmWriter.WRITABLE.contains(syntax)) {
            throw new IllegalArgumentException("the phantom writes explicit-vr-le, implicit-vr-le, "
                    + "deflated-explicit-vr-le or rle; re-encode with another toolkit for the rest");
        }
        if (count < 1 || threads < 1 || first < 0) throw new IllegalArgumentException("--count and --threads must be >= 1");
        Path out = Path.of(o.required("out"));
        Files.createDirectories(out);

        ProgressBar progress = new ProgressBar("phantom", count);
        List<Future<String>> lines = new ArrayList<>(count);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = first; i < first + count; i++) {
                int index = i;
                lines.add(pool.submit(() -> {
                    String line = generate(seed, index, syntax, out);
                    progress.step();
                    return line;
                }));
            }
        }
        StringBuilder labels = new StringBuilder();
        for (Future<String> f : lines) labels.append(Futures.get(f)).append('\n');
        Path tmp = out.resolve("labels.jsonl.part");
        Files.writeString(tmp, labels, StandardCharsets.UTF_8);
        Files.move(tmp, out.resolve("labels.jsonl"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.err.printf("phantom: wrote %d images and %s%n", count, out.resolve("labels.jsonl"));
        return 0;
    }

    private static String generate(long runSeed, int index, String syntax, Path out) throws IOException {
        return PhantomFilm.write(runSeed, index, syntax, out).labelLine();
    }
}
