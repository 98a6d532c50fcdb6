package org.hipoa.phantom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A numbered set of phantom films and its {@code labels.jsonl}: what {@code ./hipoa phantom}, the demo and the
 * local-stack tests all write. Film {@code i} depends only on (run seed, i), so runs split across machines or thread
 * counts produce the same files; {@code labels.jsonl} is written last, in index order, and atomically.
 */
public final class PhantomSet {
    private PhantomSet() {}

    /** One written film and its ground truth; the Study Instance UID as the file carries it. */
    public record Study(int index, Path file, String studyInstanceUid, HipTruth right, HipTruth left) {}

    /** Called after each film is written, from the writing thread. */
    public interface Progress {
        void step();
    }

    public static List<Study> write(long runSeed, int first, int count, String transferSyntax, Path dir, int threads,
                                    Progress progress) throws IOException {
        return write(runSeed, first, count, transferSyntax, dir, threads, progress, PhantomSpec.V1);
    }

    /** As above, for a phantom version and site ({@link PhantomSpec}). */
    public static List<Study> write(long runSeed, int first, int count, String transferSyntax, Path dir, int threads,
                                    Progress progress, PhantomSpec spec) throws IOException {
        if (count < 1 || threads < 1 || first < 0) throw new IllegalArgumentException("count and threads must be >= 1");
        Files.createDirectories(dir);
        List<Future<PhantomFilm>> futures = new ArrayList<>(count);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = first; i < first + count; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    PhantomFilm f = PhantomFilm.write(runSeed, index, transferSyntax, dir, spec);
                    progress.step();
                    return f;
                }));
            }
        }
        List<Study> studies = new ArrayList<>(count);
        StringBuilder labels = new StringBuilder();
        for (Future<PhantomFilm> future : futures) {
            PhantomFilm f = get(future);
            PhantomCase c = f.phantomCase();
            studies.add(new Study(f.index(), f.file(), studyInstanceUid(f.file()), c.right(), c.left()));
            labels.append(f.labelLine()).append('\n');
        }
        Path tmp = dir.resolve("labels.jsonl.part");
        Files.writeString(tmp, labels, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("labels.jsonl"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return studies;
    }

    /** The Study Instance UID as written in the file (read back, so the rule lives only in the writer). */
    public static String studyInstanceUid(Path file) {
        try {
            AttributeList list = new AttributeList();
            list.read(file.toString(), TagFromName.PixelData);
            String uid = Attribute.getSingleStringValueOrNull(list, TagFromName.StudyInstanceUID);
            if (uid == null) throw new IOException("no StudyInstanceUID in " + file);
            return uid;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (DicomException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }

    private static <T> T get(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
