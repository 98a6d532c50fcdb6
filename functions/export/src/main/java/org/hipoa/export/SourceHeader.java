package org.hipoa.export;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The source image's header, read with ranged GETs and never its pixels: the first {@link #FIRST_RANGE} bytes,
 * parsed by PixelMed up to Pixel Data; when the parser runs off the end of the range before reaching Pixel Data the
 * range doubles (up to {@link #MAX_HEADER}). The header's Patient and Study attributes are used for the SR only —
 * they are never logged or stored in the table.
 */
final class SourceHeader {
    static final int FIRST_RANGE = 64 << 10;
    static final int MAX_HEADER = 16 << 20;

    /** The object is gone or overwritten. */
    static final class SourceMissingException extends Exception {
        SourceMissingException() { super("the uploaded object no longer exists"); }
    }

    /** No header could be parsed within {@link #MAX_HEADER} bytes. */
    static final class UnreadableHeaderException extends Exception {
        UnreadableHeaderException(String m) { super(m); }
    }

    /** What one call read: the header and how many bytes it fetched (tests: no pixels were read). */
    record Read(AttributeList header, long bytesRead, int requests) {}

    private SourceHeader() {}

    static Read read(S3Client s3, String bucket, String key, String version)
            throws SourceMissingException, UnreadableHeaderException {
        // The item keeps the versionId in a versioned bucket, else the eTag (32 hex digits, "-N" when multipart).
        boolean isETag = version != null && version.replace("\"", "").matches("[0-9a-f]{32}(-\\d+)?");
        long range = FIRST_RANGE, fetched = 0;
        int requests = 0;
        while (true) {
            long end = range - 1;
            ResponseBytes<GetObjectResponse> got;
            try {
                got = s3.getObjectAsBytes(b -> {
                    b.bucket(bucket).key(key).range("bytes=0-" + end);
                    if (version != null && !version.isBlank()) {
                        if (isETag) b.ifMatch(version);
                        else b.versionId(version);
                    }
                });
            } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
                throw new SourceMissingException();
            } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
                if (e.statusCode() == 404 || e.statusCode() == 412) throw new SourceMissingException();
                throw e;
            }
            requests++;
            byte[] bytes = got.asByteArray();
            fetched += bytes.length;
            long total = total(got.response(), bytes.length);
            boolean whole = bytes.length >= total;
            AttributeList header = parse(bytes, whole);
            if (header != null) return new Read(header, fetched, requests);
            if (range >= MAX_HEADER) {
                throw new UnreadableHeaderException("the uploaded object's header is longer than "
                        + (MAX_HEADER >> 20) + " MiB");
            }
            range = Math.min(range * 2, MAX_HEADER);
        }
    }

    /**
     * The header in {@code bytes} (the object's first bytes, or all of it when {@code whole}); null when the bytes
     * end before the header does.
     */
    static AttributeList parse(byte[] bytes, boolean whole) throws UnreadableHeaderException {
        EndAware in = new EndAware(new ByteArrayInputStream(bytes));
        AttributeList header = new AttributeList();
        try {
            header.read(new DicomInputStream(in), TagFromName.PixelData);
            // Stopped at Pixel Data (the stream was not exhausted), or the whole object is in hand.
            if (!in.ended || whole) return header;
        } catch (IOException | DicomException | RuntimeException e) {
            if (whole || !in.ended) throw new UnreadableHeaderException("the uploaded object's header could not"
                    + " be read as DICOM");
        }
        return null;
    }

    /** The object's size from Content-Range ("bytes 0-65535/1234567"), else what came back. */
    private static long total(GetObjectResponse r, long got) {
        String cr = r.contentRange();
        if (cr != null) {
            int slash = cr.lastIndexOf('/');
            if (slash > 0 && !cr.endsWith("*")) {
                try {
                    return Long.parseLong(cr.substring(slash + 1).strip());
                } catch (NumberFormatException e) {
                    // fall through
                }
            }
        }
        return r.contentLength() != null && r.contentLength() > got ? r.contentLength() : got;
    }

    /** Notes whether a reader asked for bytes past the end: then the range was too short for the header. */
    private static final class EndAware extends java.io.FilterInputStream {
        boolean ended;

        EndAware(InputStream in) { super(in); }

        @Override public int read() throws IOException {
            int b = super.read();
            if (b < 0) ended = true;
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0 || n < len) ended = true;
            return n;
        }

        @Override public long skip(long n) throws IOException {
            long s = super.skip(n);
            if (s < n) ended = true;
            return s;
        }
    }
}
