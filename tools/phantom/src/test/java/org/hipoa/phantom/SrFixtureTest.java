package org.hipoa.phantom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import org.hipoa.dicom.TransferSyntaxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The report module's SR tests run on the headers of real phantom films, committed under its test resources (the
 * report module cannot depend on the phantom, which depends on core). This test keeps those fixtures honest: they must equal what
 * the phantom's writer produces today, pixel data aside. Regenerate them with {@link #main}:
 * {@code java -cp "phantom/target/test-classes:phantom/target/classes:phantom/target/lib/*"
 * org.hipoa.phantom.SrFixtureTest functions/report/src/test/resources/report}.
 */
class SrFixtureTest {
    /** Film index to file name: film 0 of seed 11 carries Pixel Spacing, film 1 Imager Pixel Spacing + magnification. */
    static final long SEED = 11;
    static final int[] FILMS = {0, 1};
    @TempDir Path dir;

    static String name(int index) {
        return "phantom-header-" + SEED + "-" + index + ".dcm";
    }

    @Test
    void committedHeaders_matchWhatThePhantomWritesToday() throws Exception {
        for (int index : FILMS) {
            AttributeList fresh = header(PhantomFilm.write(SEED, index, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, dir).file());
            AttributeList committed = new AttributeList();
            try (InputStream in = SrFixtureTest.class.getResourceAsStream("/report/" + name(index))) {
                assertNotNull(in, "core's test resources lack report/" + name(index));
                committed.read(new DicomInputStream(new ByteArrayInputStream(in.readAllBytes())));
            }
            TreeSet<AttributeTag> tags = new TreeSet<>(fresh.keySet());
            tags.addAll(committed.keySet());
            for (AttributeTag t : tags) {
                if (t.getGroup() == 0x0002) continue;
                assertEquals(text(fresh.get(t)), text(committed.get(t)),
                        name(index) + " " + t + " is stale: regenerate it (see this class's comment)");
            }
        }
    }

    /** Writes the header-only fixtures into a folder. */
    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args[0]));
        Path tmp = Files.createTempDirectory("hipoa-fixture");
        for (int index : FILMS) {
            AttributeList l = header(PhantomFilm.write(SEED, index, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, tmp).file());
            FileMetaInformation.addFileMetaInformation(l, TransferSyntax.ExplicitVRLittleEndian, "HIPOA");
            try (OutputStream o = Files.newOutputStream(out.resolve(name(index)))) {
                l.write(o, TransferSyntax.ExplicitVRLittleEndian, true, true);
            }
        }
    }

    /** The film's header as the SR export reads it: everything before the pixel data. */
    static AttributeList header(Path film) throws Exception {
        AttributeList l = new AttributeList();
        l.read(film.toString(), TagFromName.PixelData);
        l.remove(TagFromName.PixelData);
        return l;
    }

    private static String text(Attribute a) {
        return a == null ? "<absent>" : a.toString();
    }
}
