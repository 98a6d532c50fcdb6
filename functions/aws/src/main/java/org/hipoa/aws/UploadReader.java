package org.hipoa.aws;

import org.hipoa.domain.Outcome;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.upload.UploadRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.function.Consumer;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * Reads one uploaded object version from S3 and hands its bytes, streamed, to a preparation step: the preprocess
 * function's first read and the inference function's re-cut of lost crops. S3's refusal to hand the object over ends
 * as a rejection ({@link SourceReads}: gone is {@code SOURCE_MISSING}, stored so that we cannot read it is
 * {@code SOURCE_UNREADABLE}); anything else S3 answers, and a broken stream, is thrown for the caller to classify
 * ({@link Faults#isTransient}).
 */
public final class UploadReader {
    private static final Logger LOG = LoggerFactory.getLogger(UploadReader.class);

    /**
     * What is done with the object's bytes; a rejection stops the read without draining the rest. {@code length} is
     * the object's Content-Length (negative when S3 gave none), so the reader can size its one array.
     */
    @FunctionalInterface
    public interface Preparation<T> {
        Outcome<T> prepare(InputStream in, long length) throws IOException;
    }

    private final S3Client s3;

    public UploadReader(S3Client s3) {
        this.s3 = Objects.requireNonNull(s3, "s3");
    }

    /** The version an S3 event names: its versionId, or the latest in an unversioned bucket. */
    public <T> Outcome<T> read(UploadRef ref, String uploadId, Preparation<T> prepare) {
        return read(uploadId, b -> {
            b.bucket(ref.bucket()).key(ref.objectKey());
            ref.versionId().ifPresent(b::versionId);
        }, prepare);
    }

    /**
     * The exact version a result item names. The item keeps the versionId in a versioned bucket, else the eTag
     * (32 hex digits, "-N" when multipart), read with If-Match: an object overwritten since answers 412, which
     * reads as gone.
     */
    public <T> Outcome<T> read(ResultRecord item, Keys keys, Preparation<T> prepare) {
        String version = item.objectVersion();
        boolean isETag = version.replace("\"", "").matches("[0-9a-f]{32}(-\\d+)?");
        String key = item.objectKey(keys);
        return read(item.uploadId(), b -> {
            b.bucket(item.bucket()).key(key);
            if (!version.isBlank()) {
                if (isETag) b.ifMatch(version);
                else b.versionId(version);
            }
        }, prepare);
    }

    private <T> Outcome<T> read(String uploadId, Consumer<GetObjectRequest.Builder> request, Preparation<T> prepare) {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(request)) {
            Long length = in.response().contentLength();
            Outcome<T> outcome = prepare.prepare(in, length == null ? -1 : length);
            if (outcome instanceof Outcome.Rejected) in.abort(); // do not drain a huge object
            return outcome;
        } catch (S3Exception e) {
            // Gone, or stored so that we cannot read it: the same GET gets the same answer, so end it now.
            Rejection refused = SourceReads.refusal(e).orElseThrow(() -> e);
            if (refused.reason() == Reason.SOURCE_UNREADABLE) {
                // Possibly ours (a role or key policy): the operators hear of it, the partner reads the sentence.
                LOG.error("upload unreadable {} {}", entry("uploadId", uploadId), entry("where", Faults.where(e)));
            }
            return Outcome.rejected(refused);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the uploaded object failed", e); // network: transient
        }
    }
}
