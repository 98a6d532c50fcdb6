package org.hipoa.preprocess;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.Side;
import org.hipoa.phantom.DicomFilmWriter;
import org.hipoa.phantom.HipTruth;
import org.hipoa.phantom.PhantomCase;
import org.hipoa.phantom.PhantomRenderer;
import org.hipoa.phantom.PhantomSampler;
import org.hipoa.phantom.PhantomSeeds;
import org.hipoa.phantom.RenderedFilm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the film SnapStart priming prepares ({@link SnapStartPriming#FILM}) and its truth (the femoral head centres
 * {@link SnapStartPrimingTest} checks the crops against). Not a test: surefire's default includes skip it, and it is
 * run by hand, once, from the repository root, when the film is to be made again (e.g. after a phantom change):
 * <pre>mvn -o -B -q -pl functions/preprocess -am test -Dtest=PrimingFilmMaker -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * <p>The film is phantom film {@link #SEED}/0 (synthetic, never a patient image), box-averaged {@code k × k} to
 * pixels of at least {@link #MIN_SPACING_MM}: the function then carries about 200 KB of film instead of the phantom
 * generator, and the film still takes the whole preparation path an upload takes (explicit VR little endian,
 * 16-bit stored values, Pixel Spacing; the localiser samples at 2 mm anyway). Pixel centres move with the averaging
 * ({@code (k - 1) / 2} source pixels), so the truth written beside it is in the small film's own millimetres.
 */
class PrimingFilmMaker {
    /** Seed of the priming film: not a training, calibration or evaluation seed (model/MODEL_CARD.md). */
    static final long SEED = 90_001;
    static final double MIN_SPACING_MM = 1.0;
    static final Path FILM = Path.of("src/main/resources/org/hipoa/preprocess", SnapStartPriming.FILM);
    static final Path TRUTH = Path.of("src/test/resources/org/hipoa/preprocess", SnapStartPrimingTest.TRUTH);

    @Test
    void write() throws IOException {
        PhantomCase c = PhantomSampler.sample(PhantomSeeds.imageSeed(SEED, 0));
        RenderedFilm full = PhantomRenderer.render(c);
        int k = (int) Math.ceil(MIN_SPACING_MM / c.pixelSpacingMm());
        int rows = full.rows() / k, columns = full.columns() / k;
        short[] pixels = new short[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < columns; col++) {
                long sum = 0;
                for (int i = r * k; i < r * k + k; i++) {
                    for (int j = col * k; j < col * k + k; j++) sum += full.value(i, j);
                }
                pixels[r * columns + col] = (short) Math.round(sum / (double) (k * k));
            }
        }
        double shiftMm = (k - 1) / 2.0 * c.pixelSpacingMm();
        PhantomCase small = new PhantomCase(c.seed(), rows, columns, c.pixelSpacingMm() * k, c.magnification(),
                c.bitsStored(), c.monochrome1(), c.right(), c.left(), c.params());
        Files.write(FILM, DicomFilmWriter.bytes(new RenderedFilm(small, rows, columns, pixels), SEED, 0,
                TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, DicomFilmWriter.SpacingEncoding.PIXEL_SPACING));
        Map<String, Object> truth = new LinkedHashMap<>();
        truth.put("about", "Femoral head centres of " + SnapStartPriming.FILM + " in its own mm (PrimingFilmMaker)");
        truth.put("seed", SEED);
        truth.put("index", 0);
        truth.put("averagedPixels", k);
        for (Side side : Side.values()) {
            HipTruth t = c.hip(side);
            truth.put(side.name().toLowerCase(Locale.ROOT), List.of(t.centerXmm() - shiftMm, t.centerYmm() - shiftMm));
        }
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(TRUTH.toFile(), truth);
    }
}
