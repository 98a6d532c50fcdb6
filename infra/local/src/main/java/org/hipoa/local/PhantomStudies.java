package org.hipoa.local;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.core.dicom.TransferSyntaxes;
import org.hipoa.phantom.HipTruth;
import org.hipoa.phantom.PhantomCase;
import org.hipoa.phantom.PhantomFilm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Phantom studies to upload, made by the same recipe as {@code ./hipoa phantom} ({@link PhantomFilm}: same seeds,
 * file names, spacing encodings and labels.jsonl lines), so a demo or test run can be compared with a CLI run of the same seed.
 */
public final class PhantomStudies {
    private PhantomStudies() {}

    /** One written film and its ground truth. */
    public record Study(int index, Path file, String studyInstanceUid, HipTruth right, HipTruth left) {}

    /** Writes films {@code first .. first+count-1} of run {@code runSeed} into {@code dir}, plus labels.jsonl. */
    public static List<Study> write(long runSeed, int first, int count, Path dir, int threads) throws IOException {
        Files.createDirectories(dir);
        List<Future<Map.Entry<Study, String>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads))) {
            for (int i = first; i < first + count; i++) {
                int index = i;
                futures.add(pool.submit(() -> one(runSeed, index, dir)));
            }
        }
        List<Study> studies = new ArrayList<>();
        StringBuilder labels = new StringBuilder();
        for (Future<Map.Entry<Study, String>> f : futures) {
            try {
                Map.Entry<Study, String> e = f.get();
                studies.add(e.getKey());
                labels.append(e.getValue()).append('\n');
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        Files.writeString(dir.resolve("labels.jsonl"), labels, StandardCharsets.UTF_8);
        return studies;
    }

    private static Map.Entry<Study, String> one(long runSeed, int index, Path dir) throws IOException {
        PhantomFilm f = PhantomFilm.write(runSeed, index, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, dir);
        PhantomCase c = f.phantomCase();
        return Map.entry(new Study(index, f.file(), studyInstanceUid(f.file()), c.right(), c.left()), f.labelLine());
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
}
