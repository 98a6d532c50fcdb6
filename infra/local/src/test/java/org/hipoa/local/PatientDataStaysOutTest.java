package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;
import org.hipoa.api.ApiContract;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.wire.CropMessage;
import org.hipoa.export.ExportHandler;
import org.hipoa.phantom.PhantomFilm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "No patient-identifying attribute appears in the results table, any log line or any partner API
 * response". Phantom films carrying a distinctive synthetic patient (name, ID, birth date) go through the whole local
 * stack: one graded and exported (to Orthanc when it is installed), one graded whose PACS refuses the connection (the
 * export's failure path), one cut short and one of the wrong body part (the rejection paths), one whose inference
 * invocation dies on every receive (the dead-letter consumer grades it alone), and partner calls made while DynamoDB
 * is down (the API's 500 path, whose error is logged with its stack trace). Every line the handlers
 * emit is captured — System.out and System.err teed, an appender on every log4j2 logger (what SLF4J and Powertools
 * write through; org.hipoa raised to ALL), a handler on java.util.logging's root (System.Logger and PixelMed) — and
 * the capture is proven non-empty and to hold the handlers' own lines. Then neither the logs, nor a full Scan of the
 * table, nor any partner response (listings with filters, single uploads, the study, FHIR, crops and maps, errors)
 * may contain the patient in any spelling; and the provider's own SR under results/ must (the data really held PHI).
 * The patient is also in every object key, as PACS exports name files ({@code PHIGUARD^ZELDA_PHIID-7Q3X9K_….dcm}
 * under incoming/, the URL-safe {@code PHIGUARD_ZELDA_…} under backfill/, which one backfill run grades): the
 * provider chose those keys, so only the keys our side writes are checked for the patient, and the table, the
 * logs and the answers must hold none of it. (Phantom data, demonstration model.)
 */
class PatientDataStaysOutTest {
    // Distinctive on purpose: a search for "PHANTOM" would also hit our own notices ("synthetic phantom").
    static final String FAMILY = "PHIGUARD";
    static final String GIVEN = "ZELDA";
    static final String NAME = FAMILY + "^" + GIVEN;
    static final String PATIENT_ID = "PHIID-7Q3X9K";
    static final String BIRTH = "19370412";
    /** Every spelling the DICOM values could take in a log or a JSON (PN components, ISO date, ID alone). */
    static final List<String> NEEDLES = List.of(NAME, FAMILY + " " + GIVEN, GIVEN + " " + FAMILY, FAMILY, GIVEN,
            PATIENT_ID, "7Q3X9K", BIRTH, "1937-04-12", "12.04.1937", "04/12/1937");

    static final String OK = "phi-ok", REFUSED = "phi-refused", BAD = "phi-bad", DEAD = "phi-dead",
            BACKFILLED = "phi-backfill";
    /** How a PACS export names the patient's file; S3 keys may hold '^' (the event URL-encodes it). */
    static final String KEY_STEM = NAME + "_" + PATIENT_ID;
    /** The backfill path lists keys into events: URL-safe characters only there. */
    static final String BACKFILL_KEY_STEM = FAMILY + "_" + GIVEN + "_" + PATIENT_ID;

    static PrintStream out0, err0;
    static final ByteArrayOutputStream STREAMS = new ByteArrayOutputStream();
    static final StringWriter LOG4J = new StringWriter();
    static final ByteArrayOutputStream JUL = new ByteArrayOutputStream();
    static java.util.logging.Handler julHandler;
    static List<WriterAppender> appenders = new ArrayList<>();
    static Level hipoaLevel;

    static OrthancPacs pacs;
    static EmbeddedAws aws;
    static final List<LocalApiClient.Exchange> EXCHANGES = java.util.Collections.synchronizedList(new ArrayList<>());
    static LocalApiClient api;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void captureAndStart() throws Exception {
        capture();
        if (OrthancPacs.installed()) pacs = OrthancPacs.start();
        Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> realInference =
                LocalFunction.byClassName("org.hipoa.inference.InferenceHandler");
        aws = EmbeddedAws.builder().export(true).exportVisibilityTimeout(Duration.ofSeconds(3))
                .exportTimeout(Duration.ofSeconds(3)).dicomWebTimeout(Duration.ofSeconds(1))
                .dynamoDbDir(tmp.resolve("dynamodb")) // on disk, so the table survives the kill for the 500 path
                // The DEAD provider's claim check reaches the DLQ after two receives, 10 s apart, not 5 x 30 s.
                .maxReceiveCount(2).visibilityTimeout(Duration.ofSeconds(10)).inferenceTimeout(Duration.ofSeconds(10))
                .inference(() -> {
                    RequestHandler<SQSEvent, SQSBatchResponse> real = realInference.get();
                    return (event, context) -> {
                        for (SQSEvent.SQSMessage m : event.getRecords()) {
                            if (CropMessage.fromJson(m.getBody()).provider().name().equals(DEAD)) {
                                throw new IllegalStateException("injected: the function dies on this claim check");
                            }
                        }
                        return real.handleRequest(event, context);
                    };
                })
                .start();
        aws.grantApiKey(Set.of(OK, REFUSED, BAD, DEAD, BACKFILLED));
        api = new LocalApiClient(aws.apiBaseUrl(), aws.apiKey()).observing(x -> {
            EXCHANGES.add(x);
            // This client reads bodies as text: a PNG's bytes are mangled, so crops are checked raw (rawGet).
            if (!x.pathAndQuery().endsWith(".png") || x.status() != 200) {
                ApiContract.assertValid(x.method(), x.pathAndQuery(), x.status(), x.headers(), x.body());
            }
        });
    }

    @AfterAll
    static void stop() {
        try {
            if (aws != null) aws.close();
            if (pacs != null) pacs.close();
        } finally {
            release();
        }
    }

    @Test
    void noPatientInLogsTableOrPartnerApi_butInTheProvidersSr() throws Exception {
        if (pacs != null) aws.registerDicomWeb(OK, pacs.dicomWebRoot());
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        aws.registerDicomWeb(REFUSED, URI.create("http://127.0.0.1:" + closedPort + "/dicom-web"));

        Instant since = Instant.now().minusSeconds(60);
        Path good = withPatient(film(1), KEY_STEM + "_good.dcm", null);
        Path refused = withPatient(film(2), KEY_STEM + "_refused.dcm", null);
        Path chest = withPatient(film(3), KEY_STEM + "_chest.dcm", "CHEST");
        Path whole = withPatient(film(4), KEY_STEM + "_whole.dcm", null);
        Path dead = withPatient(film(5), KEY_STEM + "_dead.dcm", null);
        Path backfilled = withPatient(film(6), BACKFILL_KEY_STEM + ".dcm", null);
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = tmp.resolve(KEY_STEM + "_cut.dcm");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length * 2 / 3)); // the header (and the patient) stays whole
        // The bytes we upload really carry the patient.
        for (Path p : List.of(good, refused, chest, cut, dead, backfilled)) {
            String raw = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
            assertTrue(raw.contains(NAME) && raw.contains(PATIENT_ID) && raw.contains(BIRTH), p.toString());
        }

        String okId = upload(OK, good);
        String refusedId = upload(REFUSED, refused);
        put(BAD, chest);
        put(BAD, cut);
        Map<String, JsonNode> bad = awaitUploads(BAD, 2);

        JsonNode graded = awaitStatus(okId, "GRADED");
        awaitStatus(refusedId, "GRADED");
        Map<String, AttributeValue> okExport = awaitExport(okId, "DONE");
        assertEquals(pacs != null ? "STORED" : "NOT_REGISTERED", okExport.get("dicomweb").s());
        Map<String, AttributeValue> refusedExport = awaitExport(refusedId, "RETRYING");
        assertEquals("DICOMWEB_UNREACHABLE", refusedExport.get("reason").s());
        // Uploaded once the others are graded, so no other claim check shares its batches and goes the same way.
        String deadId = upload(DEAD, dead);
        JsonNode gradedAlone = awaitStatus(deadId, "GRADED");
        assertEquals(2, gradedAlone.path("hips").size(), gradedAlone.toString());
        // The backfill path: an archive copied in (no event), listed and handed to preprocess in batches.
        String backfillPrefix = "backfill/" + BACKFILLED + "/";
        aws.upload(backfillPrefix + backfilled.getFileName(), RequestBody.fromFile(backfilled));
        assertEquals(1, Backfill.run(aws, backfillPrefix, 1).succeeded());
        String backfilledId = awaitUploads(BACKFILLED, 1).keySet().iterator().next();
        awaitStatus(backfilledId, "GRADED");
        Set<String> reasons = new java.util.TreeSet<>();
        for (String id : bad.keySet()) {
            JsonNode r = awaitStatus(id, "FAILED");
            reasons.add(r.path("failure").path("reason").asText());
        }
        assertTrue(reasons.contains("NOT_AP_PELVIS"), reasons.toString());
        assertTrue(reasons.contains("TRUNCATED") || reasons.contains("CORRUPT"), reasons.toString());
        aws.awaitIdle(Duration.ofSeconds(30));

        // ---- every partner answer we can provoke
        Instant until = Instant.now().plusSeconds(60);
        String studyKey = graded.path("studyKey").asText();
        assertFalse(studyKey.isEmpty(), graded.toString());
        for (String p : List.of(OK, REFUSED, BAD, DEAD, BACKFILLED)) {
            String base = "/v1/providers/" + p;
            api.get(base + "/results");
            api.get(base + "/results?status=GRADED&order=asc");
            api.get(base + "/results?status=FAILED&order=desc");
            api.get(base + "/results?since=" + enc(since.toString()) + "&until=" + enc(until.toString()));
            LocalApiClient.Response page = api.get(base + "/results?limit=1");
            if (page.body().path("next").isTextual()) {
                api.get(base + "/results?limit=1&next=" + enc(page.body().path("next").asText()));
            }
            api.get(base + "/updates");
        }
        List<String> all = new ArrayList<>(List.of(okId, refusedId, deadId, backfilledId));
        all.addAll(bad.keySet());
        for (String id : all) {
            api.get("/v1/uploads/" + id);
            api.get("/v1/uploads/" + id + "/fhir"); // 200 for the graded ones, 404 problem for the failed ones
            for (String f : List.of("right.png", "left.png", "right.cam.json", "left.cam.json")) {
                api.get("/v1/uploads/" + id + "/hips/" + f);
            }
        }
        assertEquals(200, api.get("/v1/uploads/" + okId + "/fhir").status());
        assertEquals(200, api.get("/v1/uploads/" + okId + "/hips/right.png").status());
        List<String> pngs = new ArrayList<>();
        for (String side : List.of("right", "left")) {
            for (String id : List.of(okId, refusedId)) {
                byte[] png = rawGet("/v1/uploads/" + id + "/hips/" + side + ".png");
                assertEquals(0x89, png[0] & 0xff, "a PNG");
                pngs.add(new String(png, StandardCharsets.ISO_8859_1));
            }
        }
        api.get("/v1/studies/" + studyKey);
        AttributeList source = new AttributeList();
        source.read(good.toFile());
        String studyUid = source.get(TagFromName.StudyInstanceUID).getSingleStringValueOrNull();
        assertFalse(api.lookupStudy(studyUid).isEmpty());
        // Errors: unknown upload, another provider's listing, a bad filter, an unknown file, a bad lookup body.
        api.get("/v1/uploads/" + "0".repeat(okId.length()));
        api.get("/v1/providers/not-granted/results");
        api.get("/v1/providers/" + OK + "/results?status=NOPE");
        api.get("/v1/uploads/" + okId + "/hips/middle.png");
        api.post("/v1/studies/lookup", "{\"studyInstanceUid\": 7}");
        // The 500 path: the table is gone for a moment; the handler logs the error with its stack trace.
        aws.dynalite().kill();
        try {
            assertEquals(500, api.get("/v1/uploads/" + okId).status());
            assertEquals(500, api.get("/v1/providers/" + OK + "/results?status=GRADED").status());
        } finally {
            aws.dynalite().restart();
        }
        Set<Integer> statuses = new java.util.TreeSet<>();
        synchronized (EXCHANGES) {
            for (LocalApiClient.Exchange x : EXCHANGES) statuses.add(x.status());
        }
        assertTrue(statuses.contains(200) && statuses.contains(404) && statuses.contains(500)
                && statuses.stream().anyMatch(s -> s == 400 || s == 403), statuses.toString());

        // ---- the positive control: the provider's own SR holds the patient, as it must to file into the study
        byte[] sr = aws.s3().getObjectAsBytes(b -> b.bucket(aws.names().ingestBucket())
                .key(ExportHandler.srKey(OK, okId))).asByteArray();
        AttributeList srList = new AttributeList();
        srList.read(new DicomInputStream(new ByteArrayInputStream(sr)));
        assertEquals(NAME, srList.get(TagFromName.PatientName).getSingleStringValueOrNull());
        assertEquals(PATIENT_ID, srList.get(TagFromName.PatientID).getSingleStringValueOrNull());
        assertEquals(BIRTH, srList.get(TagFromName.PatientBirthDate).getSingleStringValueOrNull());
        if (pacs != null) {
            String inPacs = pacs.dicomWebRoot() + "/studies?StudyInstanceUID=" + studyUid;
            var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(URI.create(inPacs))
                    .header("Accept", "application/dicom+json").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertTrue(r.body().contains(FAMILY), "the PACS files the SR under the patient: " + r.body());
        }

        // ---- the capture is real: it saw the handlers' own lines, through each path
        String log4j, streams, jul;
        synchronized (LOG4J) {
            log4j = LOG4J.toString();
        }
        synchronized (STREAMS) {
            streams = STREAMS.toString(StandardCharsets.UTF_8);
        }
        synchronized (JUL) {
            jul = JUL.toString(StandardCharsets.UTF_8);
        }
        System.getLogger("org.hipoa.test.capture").log(System.Logger.Level.INFO, "jul-capture-probe");
        synchronized (JUL) {
            jul = JUL.toString(StandardCharsets.UTF_8);
        }
        assertTrue(jul.contains("jul-capture-probe"), "java.util.logging capture is attached");
        for (String id : all) assertTrue(log4j.contains(id), "the handlers' log lines name upload " + id);
        assertTrue(log4j.contains("graded"), "the inference handler's 'graded' line");
        assertTrue(log4j.contains("DICOMWEB_UNREACHABLE"), "the export handler's failure line");
        assertTrue(log4j.contains("grading the study alone"), "the dead-letter consumer's line");
        assertTrue(log4j.contains("request failed"), "the API's 500 line");
        assertTrue(streams.contains(okId), "the console lines (log4j's JSON appender on System.out) were teed too");
        String logs = log4j + "\n" + streams + "\n" + jul;
        // Kept for a reader: what was searched (target/ is not committed).
        Path dump = Path.of("target", "patient-data-stays-out");
        Files.createDirectories(dump);
        Files.writeString(dump.resolve("log4j.log"), log4j);
        Files.writeString(dump.resolve("stdout-stderr.log"), streams);
        Files.writeString(dump.resolve("jul.log"), jul);
        System.out.println("[PatientDataStaysOutTest] captured " + log4j.lines().count() + " log4j lines, "
                + streams.lines().count() + " stdout/stderr lines, " + jul.lines().count() + " JUL lines; "
                + EXCHANGES.size() + " partner API exchanges, statuses " + statuses);

        // ---- the checks
        assertNoPatient("log lines", logs);
        String table = scanTable();
        assertTrue(table.contains(okId) && table.contains("NOT_AP_PELVIS"), "the scan saw the items");
        assertNoPatient("results table", table);
        List<String> answers = new ArrayList<>();
        synchronized (EXCHANGES) {
            for (LocalApiClient.Exchange x : EXCHANGES) {
                answers.add(x.method() + " " + x.pathAndQuery() + " " + x.status() + " " + x.headers() + "\n" + x.body());
            }
        }
        assertNoPatient("partner API responses", String.join("\n", answers));
        assertNoPatient("crop PNGs", String.join("\n", pngs));
        // Object keys our side writes (crops, results) name no patient either; the uploads' own keys do, by design
        // of this test (the positive control that the patient really was in the keys the pipeline handled).
        StringBuilder keys = new StringBuilder(), uploadKeys = new StringBuilder();
        for (String bucket : List.of(aws.names().ingestBucket(), aws.names().workBucket())) {
            for (S3Object o : aws.s3().listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
                boolean upload = bucket.equals(aws.names().ingestBucket())
                        && (o.key().startsWith("incoming/") || o.key().startsWith("backfill/"));
                (upload ? uploadKeys : keys).append(bucket).append('/').append(o.key()).append('\n');
            }
        }
        assertNoPatient("object keys our side writes", keys.toString());
        assertEquals(6, uploadKeys.toString().lines().filter(k -> k.contains(FAMILY) && k.contains(PATIENT_ID))
                .count(), uploadKeys.toString());
    }

    static void assertNoPatient(String where, String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        for (String n : NEEDLES) {
            int at = upper.indexOf(n.toUpperCase(Locale.ROOT));
            assertTrue(at < 0, () -> "patient attribute '" + n + "' in " + where + ": …"
                    + text.substring(Math.max(0, at - 200), Math.min(text.length(), at + 200)) + "…");
        }
    }

    /** Every attribute of every item, binary values as text and gunzipped when they are gzip. */
    static String scanTable() {
        StringBuilder s = new StringBuilder();
        Map<String, AttributeValue> start = null;
        int items = 0;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = aws.dynamoDb().scan(b -> b.tableName(aws.names().table()).consistentRead(true)
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                items++;
                render(s, item);
                s.append('\n');
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        assertTrue(items >= 4, "items scanned: " + items);
        return s.toString();
    }

    static void render(StringBuilder s, Map<String, AttributeValue> m) {
        m.forEach((k, v) -> {
            s.append(k).append('=');
            render(s, v);
            s.append(' ');
        });
    }

    static void render(StringBuilder s, AttributeValue v) {
        if (v.s() != null) s.append(v.s());
        else if (v.n() != null) s.append(v.n());
        else if (v.b() != null) s.append(bytes(v.b().asByteArray()));
        else if (v.hasM()) render(s, v.m());
        else if (v.hasL()) v.l().forEach(x -> render(s, x));
        else if (v.hasSs()) s.append(v.ss());
        else if (v.hasNs()) s.append(v.ns());
        else if (v.hasBs()) v.bs().forEach(b -> s.append(bytes(b.asByteArray())));
        else s.append(v);
    }

    static String bytes(byte[] b) {
        String text = new String(b, StandardCharsets.ISO_8859_1);
        if (b.length > 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
            try (var in = new GZIPInputStream(new ByteArrayInputStream(b))) {
                text += new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return text;
    }

    // ------------------------------------------------------------------ capture

    /** Tees a stream into the buffer; the original still prints, so the build log is unchanged. */
    static final class Tee extends OutputStream {
        final OutputStream a, b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            synchronized (b) {
                b.write(x);
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            synchronized (b) {
                b.write(buf, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            a.flush();
        }
    }

    static final class SyncWriter extends java.io.Writer {
        @Override
        public void write(char[] c, int off, int len) {
            synchronized (LOG4J) {
                LOG4J.write(c, off, len);
            }
        }

        @Override public void flush() {}
        @Override public void close() {}
    }

    static void capture() {
        out0 = System.out;
        err0 = System.err;
        System.setOut(new PrintStream(new Tee(out0, STREAMS), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err0, STREAMS), true, StandardCharsets.UTF_8));

        // log4j2 is where SLF4J (log4j-slf4j2-impl) and Powertools write: its Console appender may hold the
        // System.out it found at start, so an appender of our own goes on every logger, in the layout production
        // prints (Powertools' JSON, with the structured entries) and as plain text with stack traces.
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        appenders.add(WriterAppender.newBuilder().setName("phi-json").setTarget(new SyncWriter())
                .setLayout(JsonTemplateLayout.newBuilder().setConfiguration(config)
                        .setEventTemplateUri("classpath:LambdaJsonLayout.json").build())
                .setConfiguration(config).build());
        appenders.add(WriterAppender.newBuilder().setName("phi-text").setTarget(new SyncWriter())
                .setLayout(PatternLayout.newBuilder().withConfiguration(config)
                        .withPattern("%p %c %m %X%n%throwable").build())
                .setConfiguration(config).build());
        LoggerConfig hipoa = config.getLoggerConfig("org.hipoa");
        hipoaLevel = hipoa.getLevel();
        if (hipoa.getName().equals("org.hipoa")) hipoa.setLevel(Level.ALL); // DEBUG lines too
        for (WriterAppender a : appenders) {
            a.start();
            config.addAppender(a);
            config.getRootLogger().addAppender(a, Level.ALL, null);
            for (LoggerConfig lc : config.getLoggers().values()) {
                if (lc != config.getRootLogger()) lc.addAppender(a, Level.ALL, null);
            }
        }
        ctx.updateLoggers();

        // java.util.logging: System.Logger's default backend and PixelMed's.
        julHandler = new java.util.logging.StreamHandler(new Tee(OutputStream.nullOutputStream(), JUL),
                new java.util.logging.SimpleFormatter()) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord r) {
                super.publish(r);
                flush();
            }
        };
        julHandler.setLevel(java.util.logging.Level.ALL);
        java.util.logging.Logger.getLogger("").addHandler(julHandler);
    }

    static void release() {
        java.util.logging.Logger.getLogger("").removeHandler(julHandler);
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        for (WriterAppender a : appenders) {
            config.getRootLogger().removeAppender(a.getName());
            for (LoggerConfig lc : config.getLoggers().values()) lc.removeAppender(a.getName());
        }
        LoggerConfig hipoa = config.getLoggerConfig("org.hipoa");
        if (hipoa.getName().equals("org.hipoa")) hipoa.setLevel(hipoaLevel);
        ctx.updateLoggers();
        System.setOut(out0);
        System.setErr(err0);
    }

    // ------------------------------------------------------------------ films and uploads

    private static Path film(int index) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("films"));
        return PhantomFilm.write(20261201L, 40 + index, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, dir).file();
    }

    /** The film with our synthetic patient in its Patient module (and, if given, another Body Part Examined). */
    private static Path withPatient(Path film, String name, String bodyPart) throws Exception {
        AttributeList l = new AttributeList();
        l.read(film.toFile());
        set(l, TagFromName.PatientName, NAME);
        set(l, TagFromName.PatientID, PATIENT_ID);
        set(l, TagFromName.PatientBirthDate, BIRTH);
        if (bodyPart != null) set(l, TagFromName.BodyPartExamined, bodyPart);
        Path out = tmp.resolve(name);
        l.write(out.toFile(), TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, true, true);
        return out;
    }

    private static void set(AttributeList l, com.pixelmed.dicom.AttributeTag tag, String value) throws Exception {
        Attribute a = l.get(tag);
        assertTrue(a != null, "the phantom writes " + tag);
        a.removeValues();
        a.addValue(value);
    }

    private static void put(String provider, Path film) {
        aws.upload("incoming/" + provider + "/" + film.getFileName(), RequestBody.fromFile(film));
    }

    private static String upload(String provider, Path film) throws Exception {
        put(provider, film);
        return awaitUploads(provider, 1).keySet().iterator().next();
    }

    /** The provider's uploads once there are {@code n}: uploadId → listing entry. */
    private static Map<String, JsonNode> awaitUploads(String provider, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<JsonNode> results = api.providerResults(provider);
            if (results.size() >= n) {
                Map<String, JsonNode> byId = new LinkedHashMap<>();
                for (JsonNode r : results) byId.put(r.path("uploadId").asText(), r);
                return byId;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("fewer than " + n + " results for " + provider);
    }

    private static JsonNode awaitStatus(String uploadId, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = api.get("/v1/uploads/" + uploadId).body();
            if (last.path("status").asText().equals(status)) return last;
            Thread.sleep(200);
        }
        throw new AssertionError("not " + status + ": " + last);
    }

    private static Map<String, AttributeValue> awaitExport(String uploadId, String status) throws Exception {
        return ExportPacsTest.awaitExport(aws, uploadId, status);
    }

    /** A partner GET as bytes (the crops are binary). */
    private static byte[] rawGet(String path) throws Exception {
        var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create(aws.apiBaseUrl() + path)).header("x-api-key", aws.apiKey())
                        .header("Accept", "image/png").build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), path);
        return r.body();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
