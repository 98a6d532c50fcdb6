package org.hipoa.export;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.aws.SourceReads;
import org.hipoa.dicom.internal.RejectedException;
import org.hipoa.dicom.internal.DicomStructureScan;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;
import java.util.Optional;

/**
 * The source image's header, read with ranged GETs and never its pixels: the first {@link #FIRST_RANGE} bytes,
 * walked by the decoder's structure scan and then parsed by PixelMed up to Pixel Data; when the range ends before
 * the header does, it doubles (up to {@link #MAX_HEADER}). The header's Patient and Study attributes are used for the SR only —
 * they are never logged or stored in the table. What stops it is an {@link ExportFailure}: the object gone
 * ({@code SOURCE_MISSING}) or stored so that we cannot read it ({@code SOURCE_UNREADABLE}), as preprocess reads the
 * same object ({@link SourceReads}), or no header to be had ({@code SR_SOURCE_INCOMPLETE}).
 */
final class SourceHeader {
    static final int FIRST_RANGE = 64 << 10;
    static final int MAX_HEADER = 16 << 20;
    /**
     * A deflated source is inflated whole by the scan (its header cannot be walked from a prefix): the bound keeps
     * that, twice while its chunks are joined, well inside the function's 1024 MB.
     */
    static final long MAX_INFLATED = 128L << 20;

    /** What one call read: the header and how many bytes it fetched (tests: no pixels were read). */
    record Read(AttributeList header, long bytesRead, int requests) {}

    private SourceHeader() {}

    static Read read(S3Client s3, String bucket, String key, String version) throws ExportFailure {
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
            } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
                // As preprocess reads the same object: a refusal that names the object's state ends the export now.
                Optional<Rejection> refused = SourceReads.refusal(e);
                if (refused.isPresent()) throw new ExportFailure(refused.get().reason(), refused.get().message());
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
                throw unreadable("the uploaded object's header is longer than " + (MAX_HEADER >> 20) + " MiB");
            }
            range = Math.min(range * 2, MAX_HEADER);
        }
    }

    /**
     * The header in {@code bytes} (the object's first bytes, or all of it when {@code whole}); null when the bytes
     * end before the header does. The upload is a provider's file: the decoder's structure scan walks it first
     * (lengths inside the bytes, nesting, element and item counts), so PixelMed only parses what the scan proved.
     */
    static AttributeList parse(byte[] bytes, boolean whole) throws ExportFailure {
        DicomStructureScan.Result structure;
        try {
            structure = DicomStructureScan.scanHeader(bytes, MAX_INFLATED);
        } catch (RejectedException e) {
            if (e.rejection().reason() == Reason.TRUNCATED && !whole) return null;
            throw unreadable("the uploaded object's header is not well-formed DICOM: " + e.getMessage());
        }
        // Without Pixel Data the header ends where the bytes do only if they are the whole object.
        if (!structure.hasPixelData() && !whole) return null;
        AttributeList header = new AttributeList();
        try {
            header.read(structure.pixelMedStream(bytes), TagFromName.PixelData);
            return header;
        } catch (IOException | DicomException | RuntimeException e) {
            throw unreadable("the uploaded object's header could not be read as DICOM");
        }
    }

    /** No header within {@link #MAX_HEADER} bytes, or none that parses: no SR can be filed with it. */
    private static ExportFailure unreadable(String why) {
        return new ExportFailure(Reason.SR_SOURCE_INCOMPLETE, "The uploaded object's header could not be read ("
                + why + ").");
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
