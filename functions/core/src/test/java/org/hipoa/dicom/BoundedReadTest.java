package org.hipoa.dicom;

import com.pixelmed.dicom.TransferSyntax;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The one read of an upload: every byte, whatever the stated length, and never more than the limit. */
class BoundedReadTest {
    @TempDir Path dir;

    /** Around the chunk size and the unknown-length start, where an off-by-one would show. */
    private static final int[] SIZES = {0, 1, BoundedRead.CHUNK_BYTES - 1, BoundedRead.CHUNK_BYTES,
            BoundedRead.CHUNK_BYTES + 1, 3 * BoundedRead.CHUNK_BYTES + 17, (1 << 20) + 1, 2_500_001};

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SplittableRandom(n).nextBytes(b);
        return b;
    }

    /** Hands out at most 7 bytes a call, as a network stream may. */
    private static InputStream trickle(byte[] b) {
        return new FilterInputStream(new ByteArrayInputStream(b)) {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                return super.read(buf, off, Math.min(len, 7));
            }
        };
    }

    @Test
    void aFile_isReadWhole() throws Exception {
        for (int n : SIZES) {
            byte[] b = random(n);
            Path f = Files.write(dir.resolve("f" + n), b);
            assertArrayEquals(b, BoundedRead.file(f, Long.MAX_VALUE), "size " + n);
        }
    }

    @Test
    void aStream_isReadWhole_whetherItsLengthIsRight_short_long_orUnknown() throws Exception {
        for (int n : SIZES) {
            byte[] b = random(n);
            for (long expected : new long[] {n, -1, 0, n / 2, n + 1, 2L * n + 100}) {
                assertArrayEquals(b, BoundedRead.stream(new ByteArrayInputStream(b), expected, Long.MAX_VALUE),
                        "size " + n + ", expected " + expected);
            }
            assertArrayEquals(b, BoundedRead.stream(trickle(b), n, Long.MAX_VALUE), "trickled, size " + n);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 0, 10, 1000, 5000})
    void noMoreThanTheLimit_isRead(long expected) throws Exception {
        byte[] b = random(5000);
        assertArrayEquals(Arrays.copyOf(b, 1001), BoundedRead.stream(new ByteArrayInputStream(b), expected, 1001));
        assertArrayEquals(Arrays.copyOf(b, 1001), BoundedRead.file(Files.write(dir.resolve("g"), b), 1001));
        assertArrayEquals(b, BoundedRead.stream(new ByteArrayInputStream(b), expected, 5000));
    }

    @Test
    void theDecoder_readsAFileOrAStream_andRefusesOneOverItsBudget() throws Exception {
        byte[] film = new TestDicom().bytes(TransferSyntax.ExplicitVRLittleEndian);
        Path f = Files.write(dir.resolve("film.dcm"), film);
        RadiographDecoder decoder = new RadiographDecoder();
        assertInstanceOf(Outcome.Ok.class, decoder.decode(f));
        assertArrayEquals(film, assertInstanceOf(Outcome.Ok.class, decoder.read(f)).value() instanceof byte[] b ? b : null);
        assertInstanceOf(Outcome.Ok.class, decoder.decode(trickle(film), film.length));
        assertInstanceOf(Outcome.Ok.class, decoder.decode(new ByteArrayInputStream(film), 100));

        RadiographDecoder tight = new RadiographDecoder(new DecodeLimits(film.length - 1, 1_000_000, 0.15));
        var byPath = assertInstanceOf(Outcome.Rejected.class, tight.decode(f)).rejection();
        assertEquals(Reason.TOO_LARGE, byPath.reason());
        assertEquals("The file is " + film.length + " bytes; the limit is " + (film.length - 1) + ".", byPath.message());
        var read = assertInstanceOf(Outcome.Rejected.class, tight.read(f)).rejection();
        assertEquals(byPath, read);
        // A stream is read one byte past the budget, never further, whatever length it claims.
        for (long expected : new long[] {-1, film.length, 10}) {
            var byStream = assertInstanceOf(Outcome.Rejected.class,
                    tight.decode(new ByteArrayInputStream(film), expected)).rejection();
            assertEquals(Reason.TOO_LARGE, byStream.reason());
            assertEquals("The file is " + film.length + " bytes; the limit is " + (film.length - 1) + ".",
                    byStream.message());
        }
    }
}
