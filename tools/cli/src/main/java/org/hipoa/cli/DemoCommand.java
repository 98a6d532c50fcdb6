package org.hipoa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.domain.upload.UploadRef;
import org.hipoa.local.EmbeddedAws;
import org.hipoa.local.OrthancPacs;
import org.hipoa.local.LocalApiClient;
import org.hipoa.local.LambdaFunction;
import org.hipoa.local.LocalFunction;
import org.hipoa.phantom.HipTruth;
import org.hipoa.phantom.PhantomSet;
import software.amazon.awssdk.core.sync.RequestBody;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * {@code ./hipoa demo [--once] [--count N] [--seed S]}: the whole pipeline on this machine. Starts the embedded
 * stack, uploads N phantom studies as provider {@code demo-provider} would (S3 PutObject under
 * {@code incoming/demo-provider/…}), waits until each is GRADED or FAILED, reads the results back through the local
 * API, prints them beside the phantom's truth and a ready curl line, then serves until Ctrl-C. With --once it exits
 * after the table: 0 only if every study was GRADED.
 */
final class DemoCommand {
    static final String PROVIDER = "demo-provider";
    static final Args.Spec SPEC = Args.Spec.of("count", "seed").withFlags("once", "one-at-a-time");

    private DemoCommand() {}

    static int run(Args a) throws Exception {
        a.noPositional("demo");
        int count = a.intValue("count", "6");
        long seed = a.longValue("seed", "1");
        if (count < 1 || count > 500) throw new IllegalArgumentException("--count must be 1..500");
        return run(a.flag("once"), count, seed, a.flag("one-at-a-time"));
    }

    private static int run(boolean once, int count, long seed, boolean oneAtATime) throws Exception {
        Path work = Files.createTempDirectory("hipoa-demo-");
        EmbeddedAws aws = null;
        OrthancPacs pacs = null;
        try {
            long t0 = System.nanoTime();
            List<PhantomSet.Study> studies = PhantomSet.write(seed, 0, count,
                    TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, work.resolve("films"),
                    Runtime.getRuntime().availableProcessors(), () -> { });
            System.err.printf("demo: %d phantom studies (seed %d) in %.1f s%n", count, seed,
                    (System.nanoTime() - t0) / 1e9);
            // The provider's PACS, when Debian's orthanc + orthanc-dicomweb are installed: the SRs go there.
            if (OrthancPacs.installed()) {
                try {
                    pacs = OrthancPacs.start();
                } catch (java.io.IOException e) {
                    System.err.println("demo: local PACS did not start (" + e.getMessage() + "), no DICOMweb export");
                }
            }
            // Each function environment its own JVM, started from the built package through the Lambda runtime
            // interface client with the template's handler, memory and IAM: the demo runs what a deployment runs.
            aws = EmbeddedAws.builder().blobStoreDir(work.resolve("s3")).viewer(true).export(pacs != null)
                    .processes(true).start();
            System.err.printf("demo: local stack up in %.1f s — S3 %s, DynamoDB %s, SQS %s%n",
                    aws.startTime().toMillis() / 1e3, aws.s3Endpoint(), aws.dynamoDbEndpoint(), aws.sqsEndpoint());

            Map<String, Instant> uploadedAt = new LinkedHashMap<>();
            String day = LocalDate.now(ZoneOffset.UTC).toString();
            String bucket = aws.names().ingestBucket();
            aws.grantApiKey(Set.of(PROVIDER));
            if (pacs != null) aws.registerDicomWeb(PROVIDER, pacs.dicomWebRoot());
            LocalApiClient api = new LocalApiClient(aws.apiBaseUrl(), aws.apiKey());
            List<Long> endToEndMs = new ArrayList<>();
            for (PhantomSet.Study s : studies) {
                String key = UploadRef.INCOMING + PROVIDER + "/" + day + "/" + s.file().getFileName();
                long put = System.nanoTime();
                aws.uploader(PROVIDER).putObject(b -> b.bucket(bucket).key(key).contentType("application/dicom"),
                        RequestBody.fromFile(s.file()));
                uploadedAt.put(s.studyInstanceUid(), Instant.now());
                if (oneAtATime) {
                    awaitStudy(api, s.studyInstanceUid(), Duration.ofSeconds(60));
                    endToEndMs.add((System.nanoTime() - put) / 1_000_000);
                }
            }
            System.err.printf("demo: uploaded %d studies to s3://%s/incoming/%s/%s/%n", count,
                    aws.names().ingestBucket(), PROVIDER, day);
            if (oneAtATime) printEndToEnd(endToEndMs);
            Duration timeout = Duration.ofSeconds(60 + 20L * count);
            List<JsonNode> results = awaitFinal(api, count, timeout);

            boolean allGraded = printTable(api, studies, uploadedAt);
            printTimings(aws, results, uploadedAt.values().stream().min(Comparator.naturalOrder()).orElseThrow());
            System.out.println();
            System.out.println("Local API (key " + aws.apiKey() + "):");
            System.out.println("  curl -s -H 'x-api-key: " + aws.apiKey() + "' " + aws.apiBaseUrl() + "/v1/providers/"
                    + PROVIDER + "/results");
            aws.viewerUrl().ifPresent(u -> System.out.println("Results viewer (enter the key above, provider "
                    + PROVIDER + "):\n  " + u));
            if (pacs != null) {
                System.out.println("Local PACS (Orthanc), DICOMweb root " + pacs.dicomWebRoot() + " — each study's SR"
                        + " (machine grades, demonstration model), e.g.:\n  curl -s '" + pacs.dicomWebRoot()
                        + "/studies/STUDY_UID/series?Modality=SR'   (all studies: " + pacs.dicomWebRoot() + "/studies)");
            }
            if (once) return allGraded ? 0 : 1;

            System.out.println("Serving until Ctrl-C (upload more with any S3 client: endpoint " + aws.s3Endpoint()
                    + ", path-style, key/secret hipoa-local/hipoa-local-secret).");
            CountDownLatch forever = new CountDownLatch(1);
            EmbeddedAws stack = aws;
            OrthancPacs pacsToClose = pacs;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stack.close();
                if (pacsToClose != null) pacsToClose.close();
                deleteQuietly(work);
            }));
            aws = null;     // the hook owns it now
            pacs = null;
            forever.await();
            return 0;
        } catch (IllegalStateException e) {
            System.err.println("demo: " + e.getMessage());
            return 1;
        } finally {
            if (aws != null) {
                aws.close();
                deleteQuietly(work);
            }
            if (pacs != null) pacs.close();
        }
    }

    /** One study's PUT-to-final latency, seen as a partner sees it: through the API, polled every 20 ms. */
    private static void awaitStudy(LocalApiClient api, String studyInstanceUid, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<JsonNode> found = api.lookupStudy(studyInstanceUid);
            String status = found.isEmpty() ? "" : found.getFirst().path("status").asText();
            if (status.equals("GRADED") || status.equals("FAILED")) return;
            Thread.sleep(20);
        }
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for one study");
    }

    private static void printEndToEnd(List<Long> ms) {
        System.out.printf("end-to-end, one study at a time (S3 PUT → GRADED seen through the API): first (cold) %d ms",
                ms.getFirst());
        if (ms.size() > 1) {
            List<Long> warm = new ArrayList<>(ms.subList(1, ms.size()));
            warm.sort(null);
            System.out.printf("; warm n=%d median %d ms, p90 %d ms, max %d ms", warm.size(), warm.get(warm.size() / 2),
                    warm.get(Math.min(warm.size() - 1, (int) Math.ceil(0.9 * warm.size()) - 1)), warm.getLast());
        }
        System.out.println();
    }

    /** Polls the provider listing until {@code count} results are all GRADED or FAILED. */
    private static List<JsonNode> awaitFinal(LocalApiClient api, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "no results yet";
        while (System.nanoTime() < deadline) {
            List<JsonNode> results = api.providerResults(PROVIDER);
            long done = results.stream().map(r -> r.path("status").asText())
                    .filter(s -> s.equals("GRADED") || s.equals("FAILED")).count();
            state = results.size() + " of " + count + " uploads known, " + done + " GRADED or FAILED";
            if (results.size() >= count && done == results.size()) return results;
            Thread.sleep(250);
        }
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for results: " + state
                + " (the handlers' errors are in the log above; -Dhipoa.local.logLevel=INFO shows more)");
    }

    private static boolean printTable(LocalApiClient api, List<PhantomSet.Study> studies,
                                      Map<String, Instant> uploadedAt) {
        boolean allGraded = true;
        System.out.println();
        System.out.println("study  uploadId  status  hip    FO    AO    JSN   scl   cysts   (phantom truth in brackets)");
        for (PhantomSet.Study s : studies) {
            List<JsonNode> found = api.lookupStudy(s.studyInstanceUid());
            if (found.isEmpty()) {
                System.out.printf("%5d  %-8s  %-7s%n", s.index(), "-", "MISSING");
                allGraded = false;
                continue;
            }
            JsonNode r = found.getFirst();
            String status = r.path("status").asText();
            allGraded &= status.equals("GRADED");
            String id = r.path("uploadId").asText().substring(0, 8);
            if (!status.equals("GRADED")) {
                System.out.printf("%5d  %s  %-7s %s%n", s.index(), id, status, r.path("failure"));
                continue;
            }
            for (String side : List.of("right", "left")) {
                JsonNode h = r.path("hips").path(side);
                HipTruth t = side.equals("right") ? s.right() : s.left();
                if ("NOT_GRADABLE".equals(h.path("status").asText())) {
                    System.out.printf("%5s  %-8s  %-7s %-5s  not graded: %s%n",
                            side.equals("right") ? Integer.toString(s.index()) : "", side.equals("right") ? id : "",
                            side.equals("right") ? status : "", side, h.path("reasonText").asText());
                    continue;
                }
                System.out.printf("%5s  %-8s  %-7s %-5s  %-4s  %-4s  %-4s  %-4s  %-4s%n",
                        side.equals("right") ? Integer.toString(s.index()) : "", side.equals("right") ? id : "",
                        side.equals("right") ? status : "", side,
                        cell(h.path("fo"), t.fo()), cell(h.path("ao"), t.ao()), cell(h.path("jsn"), t.jsn()),
                        cell(h.path("sclerosis"), t.sclerosis() ? 1 : 0), cell(h.path("cysts"), t.cysts() ? 1 : 0));
            }
        }
        return allGraded;
    }

    private static String cell(JsonNode predicted, int truth) {
        String p = predicted.isBoolean() ? (predicted.asBoolean() ? "1" : "0") : predicted.asText("?");
        return p + "[" + truth + "]";
    }

    private static void printTimings(EmbeddedAws aws, List<JsonNode> results, Instant firstUpload) {
        List<Long> ms = new ArrayList<>();
        for (JsonNode r : results) {
            if (r.hasNonNull("updatedAt")) {
                ms.add(Duration.between(firstUpload, Instant.parse(r.get("updatedAt").asText())).toMillis());
            }
        }
        ms.sort(null);
        System.out.println();
        if (!ms.isEmpty()) {
            System.out.printf("Timings: all %d done %.1f s after the first upload (cold functions included)%n",
                    results.size(), ms.getLast() / 1e3);
        }
        for (LambdaFunction<?, ?> f : List.of(aws.preprocessFunction(), aws.inferenceFunction(), aws.apiFunction())) {
            for (LocalFunction.ColdStart c : f.coldStarts()) {
                System.out.printf("  %-18s cold start: init %4d ms + first event %5d ms; warm mean %.0f ms (n=%d)%n",
                        f.name(), c.init().toMillis(), c.firstInvoke().toMillis(), f.warmInvocations().getAverage(),
                        f.warmInvocations().getCount());
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp folder; the OS cleans it eventually
        }
    }
}
