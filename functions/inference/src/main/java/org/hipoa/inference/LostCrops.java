package org.hipoa.inference;

import org.hipoa.aws.Faults;
import org.hipoa.aws.UploadReader;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.upload.Keys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.nio.file.Path;
import java.util.Objects;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The crops expired or were lost but the upload itself is still in the ingest bucket: the one preparation step runs
 * again on the exact object version the item names, so the study is graded in its batch all the same. The item never
 * leaves PREPROCESSED (no status goes backwards) and the graded write stays the one conditional write, so a
 * duplicate message still grades at most once. The localiser is loaded on the first lost crops only: most
 * containers never need it.
 */
final class LostCrops {
    private static final Logger LOG = LoggerFactory.getLogger(LostCrops.class);

    private final UploadReader uploads;
    private final Keys keys;
    private final Path modelDir;
    private StudyPreparer preparer;

    /** @param keys opens the item's sealed object key */
    LostCrops(UploadReader uploads, Keys keys, Path modelDir) {
        this.uploads = Objects.requireNonNull(uploads, "uploads");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.modelDir = Objects.requireNonNull(modelDir, "modelDir");
    }

    /**
     * The study cut again from {@code item}'s upload, or why not: the upload gone or unreadable, the film refused,
     * or an internal fault of the preparation (logged here). A transient fault is thrown (the claim check comes
     * back), and so is an S3 error that says nothing about the object.
     */
    Outcome<PreparedStudy> cutAgain(ResultRecord item) {
        LOG.warn("crops missing, preparing again from the upload {}", entry("uploadId", item.uploadId()));
        try {
            return uploads.read(item, keys, (in, length) -> preparer().prepare(in, length));
        } catch (S3Exception e) {
            throw e; // S3's answer is not about the object: the caller's to classify, as for any call of ours
        } catch (RuntimeException e) {
            if (Faults.isTransient(e)) throw e;
            LOG.error("internal error while preparing again {} {}", entry("uploadId", item.uploadId()),
                    entry("where", Faults.where(e)));
            return Outcome.rejected(Reason.INTERNAL, Faults.INTERNAL_MESSAGE);
        }
    }

    private synchronized StudyPreparer preparer() {
        if (preparer == null) preparer = new StudyPreparer(modelDir);
        return preparer;
    }
}
