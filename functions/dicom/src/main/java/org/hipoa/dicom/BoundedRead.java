package org.hipoa.dicom;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a whole upload, file or stream, into one array, and never more than a budget: the one way HipOA's callers
 * read a DICOM file before decoding it.
 *
 * <p>The array is sized once from what the caller knows of the length (a file's size, an object's content length),
 * and filled in chunks of {@value #CHUNK_BYTES} bytes. Why not the JDK's one-liners: {@code Files.readAllBytes} and a
 * {@code FileChannel} read into a heap array both go through NIO's temporary direct buffer, which on a multi-megabyte
 * read costs several times the copy itself; {@code InputStream.readNBytes} gathers 16 KiB pieces in a list and then
 * copies them into the result. {@code FileInputStream} copies each chunk through a native buffer below glibc's mmap
 * threshold, so no chunk maps and unmaps memory of its own. Files are not memory-mapped: a file truncated while
 * mapped faults the process (SIGBUS) instead of failing the read.
 */
public final class BoundedRead {
    static final int CHUNK_BYTES = 64 << 10;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** Where an array starts when nothing says how long the stream is. */
    private static final int UNKNOWN_LENGTH_START = 1 << 20;

    private BoundedRead() {}

    /**
     * The file's bytes, at most {@code limit} of them: a result of exactly {@code limit} bytes may mean a longer file
     * (callers pass their budget plus one and refuse a result longer than the budget). A file that grows or shrinks
     * while it is read gives what was there to read.
     */
    public static byte[] file(Path file, long limit) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            return stream(in, in.getChannel().size(), limit);
        }
    }

    /**
     * The stream's bytes up to its end or {@code limit}, whichever comes first; {@code expectedLength} (negative when
     * unknown) sizes the array, and a stream longer or shorter than it expected is still read correctly.
     */
    public static byte[] stream(InputStream in, long expectedLength, long limit) throws IOException {
        int cap = (int) Math.min(limit, MAX_ARRAY);
        byte[] buf = new byte[expectedLength >= 0 ? (int) Math.min(expectedLength, cap) : Math.min(cap,
                UNKNOWN_LENGTH_START)];
        int n = 0;
        while (n < cap) {
            if (n == buf.length) {
                // Longer than expected: the one end-of-stream probe on a correct length, else grow to the limit.
                if (n == expectedLength) {
                    int b = in.read();
                    if (b < 0) return buf;
                    buf = Arrays.copyOf(buf, (int) Math.min(cap, Math.max(2L * n, n + 1L)));
                    buf[n++] = (byte) b;
                    continue;
                }
                buf = Arrays.copyOf(buf, (int) Math.min(cap, Math.max(2L * n, CHUNK_BYTES)));
            }
            int got = in.read(buf, n, Math.min(CHUNK_BYTES, buf.length - n));
            if (got < 0) break;
            n += got;
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }
}
