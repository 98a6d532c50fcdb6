package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.sun.net.httpserver.HttpServer;
import org.hipoa.aws.GradedEvents;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.ResultItems;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.upload.Keys;
import org.hipoa.export.ExportHandler;
import org.hipoa.export.ExportStore;
import org.hipoa.local.internal.LocalContext;
import org.hipoa.phantom.PhantomFilm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The export function on hostile registrations and items, its handler run on the local stack's S3 and table with a
 * Lambda context of its own (the stack's export step is off, so nothing else exports these uploads): a PACS that
 * never answers may not hold the batch past the function's timeout; plain http to a real host, or another
 * provider's secret, is refused before anything is sent or read; an item that does not read fails alone.
 * Phantom films, demonstration models.
 */
class ExportHardeningTest {
    private static EmbeddedAws aws;
    private static Keys keys;
    private static final AtomicInteger FILMS = new AtomicInteger();
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        aws = EmbeddedAws.builder().start();
        keys = new Keys(aws.studyKeySecret());
    }

    @AfterAll
    static void stop() {
        System.clearProperty(ExportHandler.DICOMWEB_TIMEOUT_MS);
        if (aws != null) aws.close();
    }

    /**
     * Five uploads of one provider whose PACS takes connections and never answers, a 2 s STOW timeout, a 6 s
     * function (the template's 20 s in 60 s, scaled): the handler answers before its timeout, the messages it had
     * no time for are left as batch item failures without a record, and those it tried say RETRYING/TIMEOUT.
     * Before, it tried all five (10 s), past the timeout: Lambda would have returned the whole batch unanswered.
     */
    @Test
    void aPacsThatNeverAnswers_cannotHoldTheBatchPastTheFunctionsTimeout() throws Exception {
        List<String> ids = gradedUploads("blackhole-clinic", 5);
        try (ServerSocket blackhole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            register("blackhole-clinic", "http://127.0.0.1:" + blackhole.getLocalPort() + "/dicom-web", null);
            ExportHandler handler = handler(Duration.ofSeconds(2), () -> {
                throw new AssertionError("no secret is registered");
            });
            long timeoutMs = 6_000;
            long t0 = System.nanoTime();
            SQSBatchResponse r = handler.handleRequest(event("blackhole-clinic", ids),
                    new LocalContext("ExportFunction", aws.region(), 1024, timeoutMs, "test"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < timeoutMs, "answered after " + ms + " ms, past the " + timeoutMs + " ms timeout");
            assertEquals(ids, failed(r), "every message comes back: none was stored");
            int tried = 0, untried = 0;
            for (String id : ids) {
                Map<String, AttributeValue> export = export(id);
                if (export == null) {
                    untried++;
                } else {
                    tried++;
                    assertEquals("RETRYING", export.get("status").s());
                    assertEquals("DICOMWEB_TIMEOUT", export.get("reason").s());
                }
            }
            assertTrue(tried >= 1 && untried >= 1, tried + " tried, " + untried + " left for a later receive");
        }
    }

    /** An item that does not read as a result fails its own message only, with a reason; the next is exported. */
    @Test
    void aMalformedItem_failsOnlyItsOwnMessage_withAReason() throws Exception {
        List<String> ids = gradedUploads("malformed-clinic", 2);
        String bad = ids.getFirst(), good = ids.getLast();
        aws.dynamoDb().updateItem(b -> b.tableName(aws.names().table()).key(ResultItems.key(bad))
                .updateExpression("SET receivedAt = :x")
                .expressionAttributeValues(Map.of(":x", AttributeValue.fromS("last tuesday"))));
        ExportHandler handler = handler(Duration.ofSeconds(2), () -> {
            throw new AssertionError("no secret is registered");
        });
        SQSBatchResponse r = assertDoesNotThrow(() -> handler.handleRequest(event("malformed-clinic", ids), null));
        assertEquals(List.of(), failed(r));
        assertEquals("DONE", export(good).get("status").s());
        Map<String, AttributeValue> failed = export(bad);
        assertEquals("FAILED", failed.get("status").s());
        assertEquals("ITEM_UNREADABLE", failed.get("reason").s());
    }

    /** A registration naming another provider's secret: refused with a reason, and Secrets Manager is not asked. */
    @Test
    void aSecretNameOfAnotherProvider_isRefused_andNoSecretIsRead() throws Exception {
        String id = gradedUploads("secret-clinic", 1).getFirst();
        register("secret-clinic", "https://127.0.0.1:9/dicom-web", "hipoa/dicomweb/other-clinic");
        AtomicBoolean asked = new AtomicBoolean();
        ExportHandler handler = handler(Duration.ofSeconds(2), () -> {
            asked.set(true);
            throw new IllegalStateException("Secrets Manager must not be asked");
        });
        SQSBatchResponse r = handler.handleRequest(event("secret-clinic", List.of(id)), null);
        assertEquals(List.of(), failed(r), "not retried: the registration is wrong");
        assertFalse(asked.get(), "another provider's secret was requested");
        Map<String, AttributeValue> export = export(id);
        assertEquals("FAILED", export.get("status").s());
        assertEquals("DICOMWEB_SECRET_NOT_PROVIDERS", export.get("reason").s());
    }

    /**
     * Plain http to a PACS on a real (non-loopback) address of this host: the SR, which names the patient, is not
     * sent; the export is FAILED with DICOMWEB_NOT_HTTPS. Before, the PACS received it in clear.
     */
    @Test
    void plainHttpToARealHost_sendsNothing_andIsRecorded() throws Exception {
        InetAddress address = nonLoopbackAddress();
        assumeTrue(address != null, "this host has no non-loopback IPv4 address");
        String id = gradedUploads("cleartext-clinic", 1).getFirst();
        AtomicInteger requests = new AtomicInteger();
        HttpServer pacs = HttpServer.create(new InetSocketAddress(address, 0), 0);
        pacs.createContext("/", x -> {
            requests.incrementAndGet();
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        pacs.start();
        try {
            register("cleartext-clinic", "http://" + address.getHostAddress() + ":" + pacs.getAddress().getPort()
                    + "/dicom-web", null);
            SQSBatchResponse r = handler(Duration.ofSeconds(2), () -> {
                throw new AssertionError("no secret is registered");
            }).handleRequest(event("cleartext-clinic", List.of(id)), null);
            assertEquals(0, requests.get(), "the SR went over plain http");
            assertEquals(List.of(), failed(r));
            Map<String, AttributeValue> export = export(id);
            assertEquals("FAILED", export.get("status").s());
            assertEquals("DICOMWEB_NOT_HTTPS", export.get("reason").s());
            assertNotNull(export.get("srKey"), "the provider's copy beside its uploads is still written");
        } finally {
            pacs.stop(0);
        }
    }

    /**
     * S3 refuses the source header (403 AccessDenied, as to a role a key or bucket policy shuts out; here a stack role
     * with no grant on uploads reads it): the export ends FAILED SOURCE_UNREADABLE on its first receive, with the
     * sentence preprocess gives, instead of five INTERNAL retries.
     */
    @Test
    void aSourceS3RefusesToHandOver_endsTheExportAtOnce() throws Exception {
        String id = gradedUploads("refused-source-clinic", 1).getFirst();
        SQSBatchResponse r = handler(Duration.ofSeconds(2), () -> {
            throw new AssertionError("no secret is registered");
        }, aws.s3As("ExportDeadLetterFunction")).handleRequest(event("refused-source-clinic", List.of(id)), null);
        assertEquals(List.of(), failed(r), "not retried");
        Map<String, AttributeValue> export = export(id);
        assertEquals("FAILED", export.get("status").s());
        assertEquals("SOURCE_UNREADABLE", export.get("reason").s());
    }

    // ------------------------------------------------------------------ helpers

    private static ExportHandler handler(Duration stowTimeout, Supplier<SecretsManagerClient> secrets) {
        return handler(stowTimeout, secrets, aws.s3As("ExportFunction"));
    }

    /** The handler as ExportFunction runs it (its role's clients), reading sources with {@code s3}. */
    private static ExportHandler handler(Duration stowTimeout, Supplier<SecretsManagerClient> secrets, S3Client s3) {
        System.setProperty(ExportHandler.DICOMWEB_TIMEOUT_MS, Long.toString(stowTimeout.toMillis()));
        return new ExportHandler(PipelineConfig.fromEnvironment(), s3, aws.dynamoDbAs("ExportFunction"), secrets);
    }

    /** Uploads {@code n} phantom films as {@code provider} and waits until each is GRADED; their uploadIds. */
    static List<String> gradedUploads(String provider, int n) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("films"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path film = PhantomFilm.write(20261203L, FILMS.incrementAndGet(),
                    TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, dir).file();
            String key = "incoming/" + provider + "/" + film.getFileName();
            String eTag = aws.upload(key, RequestBody.fromFile(film)).eTag().replace("\"", "");
            ids.add(keys.uploadId(aws.names().ingestBucket(), key, eTag));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        for (String id : ids) {
            String status = null;
            while (System.nanoTime() < deadline) {
                Map<String, AttributeValue> item = aws.dynamoDb().getItem(b -> b.tableName(aws.names().table())
                        .key(ResultItems.key(id)).consistentRead(true)).item();
                status = item == null || item.isEmpty() ? null : item.get("status").s();
                if ("GRADED".equals(status)) break;
                assertFalse("FAILED".equals(status), item.toString());
                Thread.sleep(200);
            }
            assertEquals("GRADED", status, id);
        }
        return ids;
    }

    private static void register(String provider, String url, String secretName) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(Map.of(
                ResultItems.PK, AttributeValue.fromS("PROVIDER#" + provider),
                ResultItems.SK, AttributeValue.fromS(ExportStore.DICOMWEB_SK),
                "url", AttributeValue.fromS(url)));
        if (secretName != null) item.put("secretName", AttributeValue.fromS(secretName));
        aws.dynamoDb().putItem(b -> b.tableName(aws.names().table()).item(item));
    }

    static SQSEvent event(String provider, List<String> ids) {
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        for (String id : ids) {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId("m-" + id);
            m.setBody(new GradedEvents.Graded(id, provider).toJson());
            m.setAttributes(Map.of("ApproximateReceiveCount", "1"));
            messages.add(m);
        }
        SQSEvent e = new SQSEvent();
        e.setRecords(messages);
        return e;
    }

    private static List<String> failed(SQSBatchResponse r) {
        return r.getBatchItemFailures().stream().map(f -> f.getItemIdentifier().substring(2)).toList();
    }

    static Map<String, AttributeValue> export(String uploadId) {
        AttributeValue e = aws.dynamoDb().getItem(b -> b.tableName(aws.names().table())
                .key(ResultItems.key(uploadId)).consistentRead(true)).item().get(ExportStore.EXPORT);
        return e == null ? null : e.m();
    }

    private static InetAddress nonLoopbackAddress() throws Exception {
        for (NetworkInterface n : NetworkInterface.networkInterfaces().toList()) {
            if (!n.isUp() || n.isLoopback()) continue;
            Optional<InetAddress> a = n.inetAddresses().filter(x -> x instanceof Inet4Address)
                    .filter(x -> !x.isLoopbackAddress()).findFirst();
            if (a.isPresent()) return a.get();
        }
        return null;
    }
}
