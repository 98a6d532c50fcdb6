package org.hipoa.phantom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.hipoa.dicom.TransferSyntaxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Phantom v1 is what the shipped models were trained and tested on, so a v1 film must stay the same file, byte for
 * byte, whatever v2 adds: digests of the DICOM file and labels line of three films, taken before v2 existed.
 */
class PhantomV1ReproducibilityTest {

    @TempDir
    Path dir;

    @Test
    void v1FilmsAndLabelsAreUnchanged() throws Exception {
        String[] expected = {
            "e11263777d4beff154b51d03e239911b404ffcff80fe66b96fe3ecae4c0924dc",
            "cadf208bd7951f721d7a2196a57110c0777d1e806ffc5a0bfbf4c97b3c5d944c",
            "2ec9a65cd091cd5adc16073b69653922459377b090232a1d17d5e88f400c123e",
        };
        StringBuilder got = new StringBuilder();
        for (int index = 0; index < 3; index++) {
            PhantomFilm f = PhantomFilm.write(20240611L, index, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, dir);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(f.file()));
            sha.update(f.labelLine().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String hex = HexFormat.of().formatHex(sha.digest());
            got.append('"').append(hex).append("\",\n");
        }
        assertEquals(String.join(",\n", java.util.Arrays.stream(expected).map(e -> '"' + e + '"').toList()) + ",\n",
                got.toString());
    }
}
