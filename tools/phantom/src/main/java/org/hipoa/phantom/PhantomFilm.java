package org.hipoa.phantom;

import org.hipoa.dicom.TransferSyntaxes;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Film {@code index} of run {@code runSeed}, written as DICOM into a folder, with its labels.jsonl line: the one
 * recipe that {@code ./hipoa phantom} and the local stack's uploads share, so the same seed gives the same file.
 */
public record PhantomFilm(int index, Path file, PhantomCase phantomCase, String labelLine) {

    public static PhantomFilm write(long runSeed, int index, String transferSyntax, Path dir) throws IOException {
        return write(runSeed, index, transferSyntax, dir, PhantomSpec.V1);
    }

    public static PhantomFilm write(long runSeed, int index, String transferSyntax, Path dir, PhantomSpec spec)
            throws IOException {
        long imageSeed = PhantomSeeds.imageSeed(runSeed, index);
        PhantomCase c = PhantomSampler.sample(imageSeed, spec);
        RenderedFilm film = PhantomRenderer.render(c);
        // Both spacing encodings occur in practice; which one an image gets is part of its seed.
        DicomFilmWriter.SpacingEncoding encoding = ((imageSeed >>> 17) & 1) == 0
                ? DicomFilmWriter.SpacingEncoding.PIXEL_SPACING
                : DicomFilmWriter.SpacingEncoding.IMAGER_PIXEL_SPACING_WITH_MAGNIFICATION;
        String name = PhantomSeeds.fileName(index);
        Path file = dir.resolve(name);
        DicomFilmWriter.write(film, runSeed, index, transferSyntax, encoding, file);
        // Insertion order, not Map.of: Map.of's iteration order changes from one JVM run to the next.
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("index", index);
        extra.put("runSeed", runSeed);
        extra.put("transferSyntax", TransferSyntaxes.name(transferSyntax));
        extra.put("spacingEncoding", encoding.name());
        return new PhantomFilm(index, file, c, LabelsJson.line(name, c, extra));
    }
}
