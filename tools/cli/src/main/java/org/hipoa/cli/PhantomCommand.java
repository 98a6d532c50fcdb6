package org.hipoa.cli;

import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.phantom.DicomFilmWriter;
import org.hipoa.phantom.PhantomSet;
import org.hipoa.phantom.PhantomSpec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code ./hipoa phantom --count N --seed S --out DIR [--phantom v1|v2] [--site internal|external]
 * [--transfer-syntax NAME] [--threads K] [--first-index I]}. Images are numbered from I (default 0); see
 * {@link PhantomSet} for what depends on what. v1 (the default) is the phantom the shipped models were trained on.
 */
final class PhantomCommand {
    private PhantomCommand() {}

    static final Args.Spec SPEC = Args.Spec.of("count", "seed", "out", "transfer-syntax", "threads", "first-index",
            "phantom", "site");

    static int run(Args a) throws IOException {
        a.noPositional("phantom");
        int count = a.intValue("count", null);
        long seed = a.longValue("seed", null);
        int first = a.intValue("first-index", "0");
        int threads = a.intValue("threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
        String syntax = TransferSyntaxes.uidForName(a.optional("transfer-syntax", "explicit-vr-le"));
        if (!DicomFilmWriter.WRITABLE.contains(syntax)) {
            throw new IllegalArgumentException("the phantom writes explicit-vr-le, implicit-vr-le, "
                    + "deflated-explicit-vr-le or rle; re-encode with another toolkit for the rest");
        }
        if (count < 1 || threads < 1 || first < 0) throw new IllegalArgumentException("--count and --threads must be >= 1");
        PhantomSpec spec = spec(a);
        Path out = Path.of(a.required("out"));
        ProgressBar progress = new ProgressBar("phantom", count);
        PhantomSet.write(seed, first, count, syntax, out, threads, progress::step, spec);
        System.err.printf("phantom: wrote %d images (%s) and %s%n", count, spec.label(), out.resolve("labels.jsonl"));
        return 0;
    }

    /**
     * {@code --phantom v1|v2} (default v2: continuous disease, simulated readers, hardware hips; v1 reproduces the
     * banded films older figures were measured on) and {@code --site internal|external} (v2 only; default internal).
     */
    static PhantomSpec spec(Args a) {
        return PhantomSpec.parse(a.optional("phantom", "v2"), a.optional("site", "internal"));
    }
}
