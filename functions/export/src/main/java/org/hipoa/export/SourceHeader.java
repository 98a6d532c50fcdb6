package org.hipoa.export;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.core.dicom.internal.RejectedException;
import org.hipoa.core.dicom.internal.DicomStructureScan;
import org.hipoa.domain.Reason;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;

/**
 * The source image's header, read with ranged GETs and never its pixels: the first {@link #FIRST_RANGE} bytes,
 * walked by the decoder's structure scan and then parsed by PixelMed up to Pixel Data; when the range ends before
 * the header does, it doubles (up to {@link #MAX_HEADER}). The header's Patient and Study attributes are used for the SR only —
 * they are never logged or stored in the table.
 */
final class SourceHeader {
    static final int FIRST_RANGE = 64 << 10;
    static final int MAX_HEADER = 16 << 20;
    /**
     * A deflated source is inflated whole by the scan (its header cannot be walked from a prefix): the bound keeps
     * that, twice while its chunks are joined, well inside the function's 1024 MB.
     */
    static final long MAX_INFLATED = 128L << 20;

    /** The object is gone or overwritten. */
    static final class SourceMissingException extends Exception {
        SourceMissingException() { super("the uploaded object no longer exists"); }
    }

    /** No header could be parsed within {@link #MAX_HEADER} bytes. */
    static final class UnreadableHeaderException extends Exception {
        UnreadableHeaderException(String m) { super(m); }
    }

    /** S3 refuses the source for a reason a retry does not change (access, its KMS key, its storage class). */
    static final class SourceUnreadableException extends Exception {
        private static final long serialVersionUID = 1L;
        final transient org.hipoa.aws.SourceReads.Unreadable cause;

        SourceUnreadableException(org.hipoa.aws.SourceReads.Unreadable cause) {
            super(cause.name());
            this.cause = cause;
        }
    }

    /** What one call read: the header and how many bytes it fetched (tests: no pixels were read). */
    record Read(AttributeList header, long bytesRead, int requests) {}

    private SourceHeader() {}

    static Read read(S3Client s3, String bucket, String key, String version)
            throws SourceMissingException, UnreadableHeaderException, SourceUnreadableException {
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
                // As preprocess reads the same object: a refusal that names the object's state ends the export now.
                var unreadable = org.hipoa.aws.SourceReads.cause(e);
                if (unreadable.isPresent()) throw new SourceUnreadableException(unreadable.get());
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
     * end before the header does. The upload is a provider's file: the decoder's structure scan walks it first
     * (lengths inside the bytes, nesting, element and item counts), so PixelMed only parses what the scan proved.
     */
    static AttributeList parse(byte[] bytes, boolean whole) throws UnreadableHeaderException {
        DicomStructureScan.Result structure;
        try {
            structure = DicomStructureScan.scanHeader(bytes, MAX_INFLATED);
        } catch (RejectedException e) {
            if (e.rejection().reason() == Reason.TRUNCATED && !whole) return null;
            throw new UnreadableHeaderException("the uploaded object's header is not well-formed DICOM: "
                    + e.getMessage());
        }
        // Without Pixel Data the header ends where the bytes do only if they are the whole object.
        if (!structure.hasPixelData() && !whole) return null;
        AttributeList header = new AttributeList();
        try {
            header.read(structure.pixelMedStream(bytes), TagFromName.PixelData);
            return header;
        } catch (IOException | DicomException | RuntimeException e) {
            throw new UnreadableHeaderException("the uploaded object's header could not be read as DICOM");
        }
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
}
