package org.hipoa.phantom;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.dicom.Dciodvfy;
import org.hipoa.dicom.TransferSyntaxes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our own DICOM is valid DICOM: every phantom film passes dciodvfy (an independent IOD checker) with no errors and
 * no warnings, in every transfer syntax the phantom writes. SR writers copy the Patient and Study modules from these
 * films, and highdicom refuses evidence that lacks Type 2 elements, so this is what the SR export relies on.
 */
class FilmConformanceTest {
    static final long SEED = 11;
    @TempDir static Path dir;

    @BeforeAll
    static void installed() {
        Dciodvfy.assumeInstalled();
    }

    /** Enough films to meet both photometric interpretations and both spacing encodings (asserted, not hoped). */
    @Test
    void explicitFilms_passDciodvfy_withNoErrorsOrWarnings() throws Exception {
        Set<String> photometrics = new HashSet<>(), spacing = new HashSet<>();
        Path out = Files.createDirectories(dir.resolve("explicit"));
        for (int i = 0; i < 8; i++) {
            PhantomFilm film = PhantomFilm.write(SEED, i, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, out);
            assertClean(film.file());
            AttributeList header = new AttributeList();
            header.read(film.file().toString(), TagFromName.PixelData);
            photometrics.add(header.get(TagFromName.PhotometricInterpretation).getSingleStringValueOrEmptyString());
            spacing.add(header.containsKey(TagFromName.PixelSpacing) ? "PixelSpacing" : "ImagerPixelSpacing");
            Files.delete(film.file()); // 12 MB each
        }
        assertEquals(Set.of("MONOCHROME1", "MONOCHROME2"), photometrics);
        assertEquals(2, spacing.size());
    }

    @Test
    void implicitAndRleFilms_passDciodvfy() throws Exception {
        for (String syntax : List.of(TransferSyntaxes.IMPLICIT_VR_LITTLE_ENDIAN, TransferSyntaxes.RLE_LOSSLESS)) {
            Path out = Files.createDirectories(dir.resolve(TransferSyntaxes.name(syntax)));
            assertClean(PhantomFilm.write(SEED, 0, syntax, out).file());
        }
    }

    /**
     * dciodvfy cannot read the deflated syntax at all ("Tag read failed"), so the deflated film is checked through
     * the explicit one: its inflated data set must be byte for byte the data set dciodvfy accepted in the explicit
     * film (the deflated syntax is explicit VR little endian under deflate, PS3.5 A.5).
     */
    @Test
    void deflatedFilm_inflatesToTheExplicitFilmDataSet() throws Exception {
        Path explicit = PhantomFilm.write(SEED, 0, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN,
                Files.createDirectories(dir.resolve("d-explicit"))).file();
        Path deflated = PhantomFilm.write(SEED, 0, TransferSyntaxes.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
                Files.createDirectories(dir.resolve("d-deflated"))).file();
        assertClean(explicit);
        byte[] plain = dataSet(Files.readAllBytes(explicit));
        byte[] inflated = inflate(dataSet(Files.readAllBytes(deflated)));
        assertEquals(plain.length, inflated.length);
        assertArrayEquals(plain, inflated);
    }

    static void assertClean(Path file) throws Exception {
        Dciodvfy.Report r = Dciodvfy.check(file);
        assertTrue(r.errors().isEmpty(), r::toString);
        assertTrue(r.warnings().isEmpty(), r::toString);
        assertTrue(r.output().contains("DXImageForPresentation"), r::toString);
    }

    /** The bytes after the file meta information: preamble (128), "DICM", then group 2 whose length is its first element. */
    static byte[] dataSet(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x0002, b.getShort(132) & 0xFFFF);
        assertEquals(0x0000, b.getShort(134) & 0xFFFF);
        int groupLength = b.getInt(140);
        return Arrays.copyOfRange(file, 144 + groupLength, file.length);
    }

    static byte[] inflate(byte[] raw) throws Exception {
        Inflater inflater = new Inflater(true); // raw deflate, no zlib header (PS3.5 A.5)
        inflater.setInput(raw);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 3);
        byte[] buf = new byte[1 << 16];
        while (!inflater.finished()) {
            int n = inflater.inflate(buf);
            if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
            out.write(buf, 0, n);
        }
        inflater.end();
        return out.toByteArray();
    }
}
