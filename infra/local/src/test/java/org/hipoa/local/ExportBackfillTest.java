package org.hipoa.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.hipoa.phantom.PhantomFilm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A backfilled upload ({@code backfill/{provider}/…}, fed to preprocessing by the backfill map) is exported like any
 * other: its SR ends in the provider's PACS (Orthanc on 127.0.0.1) under the source study. ExportRole read only
 * {@code incoming/*}: on AWS the source-header read was denied, retried as INTERNAL and ended export FAILED. This
 * test shows that only where the local stack authorises each call against the function's role in template.yaml.
 * Phantom film, demonstration models.
 */
class ExportBackfillTest {
    private static final String PROVIDER = "backfill-export-clinic";

    @Test
    void aBackfilledUpload_isExportedToTheProvidersPacs(@TempDir Path tmp) throws Exception {
        assumeTrue(OrthancPacs.installed(), "Orthanc + orthanc-dicomweb not installed (infra/setup.sh installs them)");
        Path film = PhantomFilm.write(20261204L, 3, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, tmp).file();
        String prefix = "backfill/" + PROVIDER + "/2019/";
        try (OrthancPacs pacs = OrthancPacs.start();
             EmbeddedAws aws = EmbeddedAws.builder().blobStoreDir(tmp.resolve("s3")).export(true)
                     .exportVisibilityTimeout(Duration.ofSeconds(3)).exportTimeout(Duration.ofSeconds(3))
                     .dicomWebTimeout(Duration.ofSeconds(1)).start()) {
            aws.registerDicomWeb(PROVIDER, pacs.dicomWebRoot());
            aws.upload(prefix + film.getFileName(), RequestBody.fromFile(film));
            Backfill.Summary summary = Backfill.run(aws, prefix, 1);
            assertEquals(1, summary.succeeded(), summary.toString());
            ResultRecord r = Backfill.awaitFinished(aws, prefix, 1, Duration.ofMinutes(2)).values().iterator().next();
            assertEquals(Status.GRADED, r.status(), String.valueOf(r.failure()));

            Map<String, AttributeValue> export = ExportPacsTest.awaitExport(aws, r.uploadId(), "DONE");
            assertEquals("STORED", export.get("dicomweb").s());
            AttributeList source = new AttributeList();
            source.read(film.toFile());
            String studyUid = source.get(TagFromName.StudyInstanceUID).getSingleStringValueOrNull();
            HttpResponse<String> qido = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                            pacs.dicomWebRoot() + "/studies/" + studyUid + "/series?Modality=SR"))
                    .header("Accept", "application/dicom+json").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, qido.statusCode());
            JsonNode series = new ObjectMapper().readTree(qido.body());
            assertEquals(1, series.size(), "the SR series, under the backfilled study");
        }
    }
}
