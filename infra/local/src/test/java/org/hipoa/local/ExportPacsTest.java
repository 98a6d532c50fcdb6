package org.hipoa.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import com.sun.net.httpserver.HttpServer;
import org.hipoa.aws.ResultItems;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.report.HipSrReader;
import org.hipoa.domain.Feature;
import org.hipoa.domain.Side;
import org.hipoa.export.ExportHandler;
import org.hipoa.export.ExportStore;
import org.hipoa.phantom.PhantomFilm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 10, "a real PACS in the tests": Debian's Orthanc + DICOMweb plugin on 127.0.0.1, the whole local stack with
 * the export step on. A phantom study uploaded as a provider would ends GRADED, and its SR is in Orthanc under the
 * source Study Instance UID (QIDO-RS), comes back by WADO-RS and reads back (HipSrReader) to the grades the API gives.
 * A refused connection, a 500 and a timeout leave the result GRADED with the failure recorded on the item, and the
 * queue's retry stores the SR once the endpoint is back. (Phantom data, demonstration model.)
 */
class ExportPacsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static OrthancPacs pacs;
    private static EmbeddedAws aws;
    private static LocalApiClient api;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(OrthancPacs.installed(), "Orthanc + orthanc-dicomweb not installed (infra/setup.sh installs them)");
        pacs = OrthancPacs.start();
        aws = EmbeddedAws.builder().export(true).exportVisibilityTimeout(Duration.ofSeconds(3))
                .exportTimeout(Duration.ofSeconds(3)).dicomWebTimeout(Duration.ofSeconds(1)).start();
        aws.grantApiKey(Set.of("export-ok", "export-big", "export-refused", "export-500", "export-timeout"));
        api = CheckedApi.client(aws);
    }

    @AfterAll
    static void stop() {
        if (aws != null) aws.close();
        if (pacs != null) pacs.close();
    }

    @Test
    void gradedStudy_endsAsAnSrInThePacs_underTheSourceStudy_withTheApisGrades() throws Exception {
        aws.registerDicomWeb("export-ok", pacs.dicomWebRoot());
        Path film = film(1);
        String uploadId = upload("export-ok", film);
        JsonNode result = awaitGraded(uploadId);
        Map<String, AttributeValue> export = awaitExport(uploadId, "DONE");
        assertEquals("STORED", export.get("dicomweb").s());
        String key = ExportHandler.srKey("export-ok", uploadId);
        assertEquals(key, export.get("srKey").s());
        // The provider's copy beside its uploads.
        byte[] stored = aws.s3().getObjectAsBytes(b -> b.bucket(aws.names().ingestBucket()).key(key)).asByteArray();
        assertTrue(stored.length > 1000);

        AttributeList source = new AttributeList();
        source.read(film.toFile());
        String studyUid = source.get(TagFromName.StudyInstanceUID).getSingleStringValueOrNull();
        HipSrReader.Report report = HipSrReader.read(fromPacs(studyUid));
        assertEquals(studyUid, report.studyInstanceUid());
        for (Side side : Side.values()) {
            JsonNode hip = result.path("hips").path(side.key());
            for (Feature f : Feature.values()) {
                JsonNode v = hip.path(f.name().toLowerCase());
                int expected = v.isBoolean() ? (v.asBoolean() ? 1 : 0) : v.asInt(-1);
                assertEquals(expected, report.hips().get(side).grades().get(f), side + " " + f);
            }
            assertEquals(source.get(TagFromName.SOPInstanceUID).getSingleStringValueOrNull(),
                    report.hips().get(side).referencedSopInstanceUid());
        }
        // The phantom's synthetic patient is in the provider's SR, never in the table or the partner API.
        String name = source.get(TagFromName.PatientName).getSingleStringValueOrNull();
        String id = source.get(TagFromName.PatientID).getSingleStringValueOrNull();
        String item = aws.dynamoDb().getItem(b -> b.tableName(aws.names().table()).key(ResultItems.key(uploadId)))
                .item().toString();
        for (String phi : List.of(name, id)) {
            assertFalse(item.contains(phi), "patient attribute in the table");
            assertFalse(result.toString().contains(phi), "patient attribute in the API's answer");
        }
    }

    @Test
    void headerLongerThanTheFirstRange_growsTheRange_andWithoutAnEndpointTheSrStaysBesideTheUploads() throws Exception {
        Path film = film(7);
        AttributeList l = new AttributeList();
        l.read(film.toFile());
        // 120 kB of private text elements before Pixel Data (each within LT's 10240 characters): past the first
        // 64 KiB ranged read.
        com.pixelmed.dicom.Attribute creator = new com.pixelmed.dicom.LongStringAttribute(
                new com.pixelmed.dicom.AttributeTag(0x0009, 0x0010));
        creator.addValue("HIPOA TEST");
        l.put(creator);
        for (int i = 0; i < 12; i++) {
            com.pixelmed.dicom.Attribute t = new com.pixelmed.dicom.LongTextAttribute(
                    new com.pixelmed.dicom.AttributeTag(0x0009, 0x1001 + i));
            t.addValue("x".repeat(10_000));
            l.put(t);
        }
        Path big = tmp.resolve("big-header.dcm");
        l.write(big.toFile(), TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, true, true);
        String uploadId = upload("export-big", big);
        awaitGraded(uploadId);
        Map<String, AttributeValue> export = awaitExport(uploadId, "DONE");
        assertEquals("NOT_REGISTERED", export.get("dicomweb").s());
        byte[] sr = aws.s3().getObjectAsBytes(b -> b.bucket(aws.names().ingestBucket())
                .key(ExportHandler.srKey("export-big", uploadId))).asByteArray();
        AttributeList read = new AttributeList();
        read.read(new DicomInputStream(new ByteArrayInputStream(sr)));
        assertEquals(l.get(TagFromName.StudyInstanceUID).getSingleStringValueOrNull(),
                HipSrReader.read(read).studyInstanceUid());
    }

    @ParameterizedTest
    @ValueSource(strings = {"refused", "500", "timeout"})
    void badEndpoint_leavesGraded_recordsTheFailure_andTheRetrySucceedsOnceItIsBack(String mode) throws Exception {
        String provider = "export-" + mode;
        HttpServer bad = null;
        URI endpoint;
        String reason;
        if (mode.equals("refused")) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            endpoint = URI.create("http://127.0.0.1:" + port + "/dicom-web");
            reason = "DICOMWEB_UNREACHABLE";
        } else {
            bad = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            bad.createContext("/", x -> {
                x.getRequestBody().readAllBytes();
                if (mode.equals("timeout")) {
                    try {
                        Thread.sleep(2500);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                x.sendResponseHeaders(500, -1);
                x.close();
            });
            bad.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            bad.start();
            endpoint = URI.create("http://127.0.0.1:" + bad.getAddress().getPort() + "/dicom-web");
            reason = mode.equals("500") ? "DICOMWEB_UNAVAILABLE" : "DICOMWEB_TIMEOUT";
        }
        try {
            aws.registerDicomWeb(provider, endpoint);
            Path film = film(mode.hashCode() & 0xff);
            String uploadId = upload(provider, film);
            awaitGraded(uploadId);
            Map<String, AttributeValue> failed = awaitExport(uploadId, "RETRYING");
            assertEquals(reason, failed.get("reason").s());
            assertFalse(failed.get("message").s().contains("Exception"), failed.get("message").s());
            assertEquals("GRADED", api.get("/v1/uploads/" + uploadId).body().path("status").asText());

            aws.registerDicomWeb(provider, pacs.dicomWebRoot()); // the endpoint is back
            Map<String, AttributeValue> done = awaitExport(uploadId, "DONE");
            assertTrue(Integer.parseInt(done.get("attempts").n()) >= 2, "stored on a retry");
            assertEquals("GRADED", api.get("/v1/uploads/" + uploadId).body().path("status").asText());
            AttributeList source = new AttributeList();
            source.read(film.toFile());
            HipSrReader.read(fromPacs(source.get(TagFromName.StudyInstanceUID).getSingleStringValueOrNull()));
        } finally {
            if (bad != null) bad.stop(0);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Path film(int index) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("films"));
        return PhantomFilm.write(20261201L, index, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, dir).file();
    }

    /** PUTs the film as the provider would and returns its uploadId, from the provider's listing. */
    private static String upload(String provider, Path film) throws Exception {
        aws.upload("incoming/" + provider + "/" + film.getFileName(), RequestBody.fromFile(film));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<JsonNode> results = api.providerResults(provider);
            if (!results.isEmpty()) return results.getFirst().path("uploadId").asText();
            Thread.sleep(200);
        }
        throw new AssertionError("no result for " + provider);
    }

    private static JsonNode awaitGraded(String uploadId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = api.get("/v1/uploads/" + uploadId).body();
            if (last.path("status").asText().equals("GRADED")) return last;
            assertFalse(last.path("status").asText().equals("FAILED"), last.toString());
            Thread.sleep(200);
        }
        throw new AssertionError("not GRADED: " + last);
    }

    private static Map<String, AttributeValue> awaitExport(String uploadId, String status) throws Exception {
        return awaitExport(aws, uploadId, status);
    }

    /** Waits until the item's export record says {@code status}; the result stays GRADED all the while. */
    static Map<String, AttributeValue> awaitExport(EmbeddedAws aws, String uploadId, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, AttributeValue> export = null;
        while (System.nanoTime() < deadline) {
            Map<String, AttributeValue> item = aws.dynamoDb().getItem(b -> b.tableName(aws.names().table())
                    .key(ResultItems.key(uploadId)).consistentRead(true)).item();
            assertEquals("GRADED", item.get("status").s(), "an export never changes the result");
            AttributeValue e = item.get(ExportStore.EXPORT);
            if (e != null) {
                export = e.m();
                if (export.get("status").s().equals(status)) return export;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("export not " + status + ": " + export);
    }

    /** QIDO-RS the study, its SR series and instance, then WADO-RS the instance: the SR as the PACS holds it. */
    private static AttributeList fromPacs(String studyUid) throws Exception {
        String root = pacs.dicomWebRoot().toString();
        JsonNode studies = qido(root + "/studies?StudyInstanceUID=" + studyUid);
        assertEquals(1, studies.size(), "the study, found by its original Study Instance UID");
        JsonNode series = qido(root + "/studies/" + studyUid + "/series?Modality=SR");
        assertEquals(1, series.size(), "one SR series");
        String seriesUid = series.get(0).path("0020000E").path("Value").get(0).asText();
        JsonNode instances = qido(root + "/studies/" + studyUid + "/series/" + seriesUid + "/instances");
        String sopUid = instances.get(0).path("00080018").path("Value").get(0).asText();
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(root + "/studies/" + studyUid
                        + "/series/" + seriesUid + "/instances/" + sopUid))
                .header("Accept", "multipart/related; type=\"application/dicom\"").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        byte[] part = firstPart(r.body(), r.headers().firstValue("Content-Type").orElseThrow());
        AttributeList l = new AttributeList();
        l.read(new DicomInputStream(new ByteArrayInputStream(part)));
        return l;
    }

    private static JsonNode qido(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "application/dicom+json").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        return JSON.readTree(r.body());
    }

    /** The body of a multipart/related answer's first part. */
    static byte[] firstPart(byte[] body, String contentType) {
        String boundary = null;
        for (String p : contentType.split(";")) {
            p = p.strip();
            if (p.startsWith("boundary=")) boundary = p.substring(9).replace("\"", "");
        }
        assertTrue(boundary != null, contentType);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int start = indexOf(body, delimiter, 0);
        int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), start) + 4;
        int end = indexOf(body, ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII), headersEnd);
        return Arrays.copyOfRange(body, headersEnd, end);
    }

    private static int indexOf(byte[] a, byte[] b, int from) {
        outer:
        for (int i = Math.max(0, from); i <= a.length - b.length; i++) {
            for (int j = 0; j < b.length; j++) if (a[i + j] != b[j]) continue outer;
            return i;
        }
        throw new AssertionError("multipart delimiter not found");
    }
}
