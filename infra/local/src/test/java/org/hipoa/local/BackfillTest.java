package org.hipoa.local;

import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.hipoa.phantom.PhantomSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The backfill path on the local stack: an archive copied under {@code backfill/{provider}/} raises no event; the
 * backfill map hands each object to the same preprocess function (at most 2 at a time), and every study ends
 * GRADED, one result per object, under the provider the prefix names. Phantom films, demonstration models.
 */
class BackfillTest {
    private static final String PROVIDER = "archive-clinic";

    @Test
    void anArchiveUnderBackfill_isPreprocessedByTheMap_andEveryStudyEndsGraded(@TempDir Path tmp) throws Exception {
        List<PhantomSet.Study> studies = PhantomSet.write(20261202L, 0, 20, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN,
                tmp.resolve("films"), 2, () -> { });
        String prefix = "backfill/" + PROVIDER + "/2019/";
        try (EmbeddedAws aws = EmbeddedAws.builder().blobStoreDir(tmp.resolve("s3")).preprocessConcurrency(2).start()) {
            for (PhantomSet.Study s : studies) {
                aws.upload(prefix + s.file().getFileName(),
                        RequestBody.fromFile(s.file()));
            }
            assertEquals(0, aws.notifications().events(), "objects under backfill/ raise no event notification");

            Backfill.Summary summary = Backfill.run(aws, prefix, 2);
            assertEquals(20, summary.items());
            assertEquals(20, summary.succeeded());
            assertEquals(0, summary.failed());

            Map<String, ResultRecord> results = Backfill.awaitFinished(aws, prefix, 20, Duration.ofMinutes(5));
            Set<String> expectedKeys = studies.stream().map(s -> prefix + s.file().getFileName())
                    .collect(Collectors.toSet());
            assertEquals(expectedKeys, results.keySet(), "one result per archived object");
            for (Map.Entry<String, ResultRecord> e : results.entrySet()) {
                ResultRecord r = e.getValue();
                assertEquals(Status.GRADED, r.status(), e.getKey() + ": " + r.failure());
                assertEquals(PROVIDER, r.provider().orElseThrow().name());
                assertEquals(2, r.hips().size());
            }
        }
    }
}
