package org.hipoa.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.aws.ResultQueries;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Keys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the preprocess function checks in an S3 event before it reads anything, with the real function on the local
 * stack and the recorded event of events/s3-put.json: an object over the byte budget by the size the event states is
 * FAILED as TOO_LARGE without a GET (the object here does not even exist, so a GET would have said SOURCE_MISSING),
 * and a record of another bucket is neither read nor recorded.
 */
class PreprocessEventChecksTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    static EmbeddedAws aws;
    static Keys keys;
    static ResultQueries results;

    @BeforeAll
    static void start() throws Exception {
        aws = EmbeddedAws.builder().blobStoreDir(tmp.resolve("s3")).start();
        keys = new Keys(aws.studyKeySecret());
        results = new ResultQueries(aws.dynamoDb(), aws.names().table());
    }

    @AfterAll
    static void stop() {
        if (aws != null) aws.close();
    }

    /** events/s3-put.json with this bucket, key and stated size. */
    static String event(String bucket, String key, long size) throws Exception {
        ObjectNode e = (ObjectNode) JSON.readTree(Files.readString(Path.of("../../events/s3-put.json")));
        ObjectNode s3 = (ObjectNode) e.path("Records").path(0).path("s3");
        ((ObjectNode) s3.path("bucket")).put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
        // S3Proxy keeps no versions (a GET naming one answers 501): the eTag stands for it, as unversioned.
        ((ObjectNode) s3.path("object")).put("key", key).put("size", size).remove("versionId");
        return JSON.writeValueAsString(e);
    }

    static String uploadId(String bucket, String key) throws Exception {
        var o = JSON.readTree(event(bucket, key, 0)).path("Records").path(0).path("s3").path("object");
        return keys.uploadId(bucket, key, o.path("eTag").asText());
    }

    @Test
    void anObjectOverTheBudgetByItsStatedSize_isTooLarge_withoutAnyRead() throws Exception {
        String key = "incoming/size-clinic/huge.dcm"; // never uploaded: a GET would answer 404
        long size = 300L << 20;
        assertNull(aws.preprocessFunction().invoke(event(aws.names().ingestBucket(), key, size)));
        ResultRecord r = results.get(uploadId(aws.names().ingestBucket(), key)).orElseThrow();
        assertEquals(Status.FAILED, r.status());
        assertEquals("TOO_LARGE", r.failure().orElseThrow().reason().name(), r.failure().toString());
        assertEquals("The file is 314572800 bytes; the limit is 268435456.", r.failure().orElseThrow().message());
    }

    @Test
    void aRecordOfAnotherBucket_isNeitherReadNorRecorded() throws Exception {
        // A real DICOM-sized object in the work bucket, under a key with the ingest layout.
        String bucket = aws.names().workBucket(), key = "incoming/other-clinic/film.dcm";
        aws.s3().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(new byte[4096]));
        assertNull(aws.preprocessFunction().invoke(event(bucket, key, 4096)));
        assertEquals(Optional.empty(), results.get(uploadId(bucket, key)));
        assertTrue(aws.dynamoDb().scan(b -> b.tableName(aws.names().table())).items().stream()
                .noneMatch(i -> "other-clinic".equals(i.get("provider") == null ? null : i.get("provider").s())));
    }
}
