package org.hipoa.local;

import org.hipoa.aws.ResultItems;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.upload.UploadRef;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.hipoa.domain.result.Stage;

/**
 * A load run on a started stack: {@code concurrency} uploaders PUT the given files under
 * {@code incoming/{provider}/load/…} as fast as S3 takes them, DynamoDB is killed and restarted where the stack's
 * fault plan says, the {@link StatusWatcher} records every status it sees, and the run ends when every upload is
 * GRADED or FAILED and the stack is idle — or when the stack has been idle with uploads unfinished for
 * {@code stuckAfter} (they are stuck), or at {@code timeout}. Then the {@link Invariants} are checked and the
 * figures are taken from the result items: per stage (the handlers' own timings), S3 PUT → RECEIVED, and S3 PUT →
 * terminal.
 */
public final class LoadRun {
    private LoadRun() {}

    /** Nearest-rank percentiles of one stage, ms. */
    public record Stage(String name, int n, long p50, long p95, long p99, long max) {
        static Stage of(String name, List<Long> values) {
            List<Long> v = new ArrayList<>(values);
            v.sort(null);
            if (v.isEmpty()) return new Stage(name, 0, 0, 0, 0, 0);
            return new Stage(name, v.size(), rank(v, 0.50), rank(v, 0.95), rank(v, 0.99), v.getLast());
        }

        private static long rank(List<Long> sorted, double p) {
            return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
        }
    }

    /** What a run did and measured. */
    public record Report(int uploads, int concurrency, Long seed, Duration uploadTime, Duration wallTime,
                         double throughputPerSecond, List<Stage> stages, Invariants.Report invariants,
                         Map<String, Integer> injected, Map<String, String> stack, String endedBy) {
        public String format() {
            StringBuilder b = new StringBuilder();
            b.append(String.format("load: %d studies, %d uploaders, faults %s; uploads took %.1f s; ended by %s after "
                            + "%.1f s%n", uploads, concurrency, seed == null ? "off" : "seed " + seed,
                    uploadTime.toMillis() / 1e3, endedBy, wallTime.toMillis() / 1e3));
            b.append(String.format("throughput: %.2f studies/s (first PUT to last terminal status)%n",
                    throughputPerSecond));
            b.append(String.format("%-32s %6s %8s %8s %8s %8s%n", "stage (ms)", "n", "p50", "p95", "p99", "max"));
            for (Stage s : stages) {
                b.append(String.format("%-32s %6d %8d %8d %8d %8d%n", s.name(), s.n(), s.p50(), s.p95(), s.p99(),
                        s.max()));
            }
            if (!injected.isEmpty()) b.append("faults injected: ").append(injected).append('\n');
            b.append("stack: ").append(stack).append('\n');
            b.append(invariants.summary(20)).append('\n');
            return b.toString();
        }
    }

    /**
     * The stack a load run uses: objects and DynamoDB data in folders under {@code work} (so DynamoDB can be
     * restarted), two preprocess environments and two concurrent inference batches, timeouts short enough that a
     * hang costs seconds (preprocess 15 s, inference 10 s, visibility 10 s; async retries after 3 s and 6 s); with faults, a study-key secret fixed by
     * the seed, so upload ids — and with them the faults each upload gets — are the same in every run.
     */
    public static EmbeddedAws.Builder stack(Path work, FaultPlan faults) {
        EmbeddedAws.Builder b = EmbeddedAws.builder()
                .blobStoreDir(work.resolve("s3"))
                .dynamoDbDir(work.resolve("dynamodb"))
                .preprocessConcurrency(2)
                .inferenceConcurrency(2)
                // Lambda waits ~1 and ~2 minutes before its async retries; 3 s and 6 s keep a run short and still
                // let a DynamoDB restart of a second or two pass before an event's retries are spent.
                .asyncRetryDelays(List.of(Duration.ofSeconds(3), Duration.ofSeconds(6)))
                .preprocessTimeout(Duration.ofSeconds(15))
                .inferenceTimeout(Duration.ofSeconds(10))
                .visibilityTimeout(Duration.ofSeconds(10));
        if (faults != null) b.faults(faults).studyKeySecret("fault-run-" + faults.seed() + "-secret");
        return b;
    }

    /**
     * @param files one upload each, PUT in this order by whichever uploader is free
     */
    public static Report run(EmbeddedAws aws, List<Path> files, String provider, int concurrency,
                             Duration stuckAfter, Duration timeout) throws InterruptedException {
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1");
        Keys keys = new Keys(aws.studyKeySecret());
        String bucket = aws.names().ingestBucket();
        FaultPlan faults = aws.faults().orElse(null);
        Map<String, Instant> putAt = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<String> uploadErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        Instant start = Instant.now();

        try (StatusWatcher watcher = new StatusWatcher(aws, 200).start()) {
            AtomicInteger terminal = new AtomicInteger();
            Thread outages = Thread.ofPlatform().daemon().name("dynamodb-outages").start(() -> {
                if (faults == null) return;
                for (FaultPlan.Outage o : faults.outages(files.size())) {
                    boolean down = false;
                    try {
                        while (terminal.get() < o.afterTerminal()) Thread.sleep(50);
                        aws.dynalite().kill();
                        down = true;
                        Thread.sleep(o.length().toMillis());
                    } catch (InterruptedException e) {
                        return;
                    } finally {
                        if (down) {
                            try {
                                aws.dynalite().restart();
                                faults.count("dynamodb restarts");
                            } catch (IOException e) {
                                System.err.println("load: DynamoDB did not come back: " + e.getMessage());
                            }
                        }
                    }
                }
            });

            List<Thread> uploaders = new ArrayList<>();
            for (int u = 0; u < concurrency; u++) {
                uploaders.add(Thread.ofPlatform().daemon().name("uploader-" + u).start(() -> {
                    for (int i; (i = next.getAndIncrement()) < files.size(); ) {
                        Path f = files.get(i);
                        String key = UploadRef.INCOMING + provider + "/load/" + f.getFileName();
                        for (int attempt = 1; ; attempt++) {
                            Instant at = Instant.now();
                            try {
                                String eTag = aws.uploader(provider).putObject(b -> b.bucket(bucket).key(key)
                                        .contentType("application/dicom"), RequestBody.fromFile(f)).eTag();
                                putAt.put(keys.uploadId(bucket, key, eTag.replace("\"", "")), at);
                                break;
                            } catch (SdkException e) {
                                if (attempt == 3) {
                                    uploadErrors.add(key + ": " + e.getMessage());
                                    break;
                                }
                            }
                        }
                        done.incrementAndGet();
                    }
                }));
            }
            for (Thread t : uploaders) t.join();
            Duration uploadTime = Duration.ofNanos(System.nanoTime() - t0);
            String endedBy = awaitEnd(aws, watcher, putAt.keySet(), stuckAfter, timeout, t0, terminal);
            outages.interrupt(); // one still waiting for its turn is off; one under way ends with the restart
            outages.join();
            watcher.close();
            try {
                watcher.scanOnce();
            } catch (RuntimeException e) {
                System.err.println("load: last scan failed: " + e.getMessage());
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - t0);
            Invariants.Report inv = Invariants.check(aws, putAt.keySet(), watcher.sequences(), watcher.scans());
            if (!uploadErrors.isEmpty()) {
                List<String> v = new ArrayList<>(inv.violations());
                uploadErrors.forEach(e -> v.add("upload failed: " + e));
                inv = new Invariants.Report(inv.uploads(), inv.items(), inv.graded(), inv.failed(),
                        inv.failedByReason(), inv.stuckByStatus(), v, inv.dlqMessages(), inv.parkedS3Events(),
                        inv.watcherScans());
            }
            return report(aws, files.size(), concurrency, faults, putAt, start, uploadTime, wall, inv, endedBy,
                    watcher.failedScans());
        }
    }

    /** Returns why the run ended: "all terminal", "stuck", "timeout". */
    private static String awaitEnd(EmbeddedAws aws, StatusWatcher watcher, java.util.Set<String> uploads,
                                   Duration stuckAfter, Duration timeout, long t0, AtomicInteger terminalCount)
            throws InterruptedException {
        long idleSince = -1;
        int quiet = 0;
        while (System.nanoTime() - t0 < timeout.toNanos()) {
            Thread.sleep(250);
            boolean idle;
            try {
                idle = idle(aws);
            } catch (RuntimeException e) {
                continue; // SQS hiccup: look again
            }
            Map<String, List<String>> seen = watcher.sequences();
            long terminal = uploads.stream().filter(id -> {
                List<String> s = seen.get(id);
                return s != null && (s.getLast().equals("GRADED") || s.getLast().equals("FAILED"));
            }).count();
            terminalCount.set((int) terminal);
            if (terminal == uploads.size() && idle) {
                if (++quiet >= 3) return "all terminal";
            } else {
                quiet = 0;
            }
            if (idle && terminal < uploads.size()) {
                if (idleSince < 0) idleSince = System.nanoTime();
                if (System.nanoTime() - idleSince > stuckAfter.toNanos()) return "stuck (stack idle, "
                        + (uploads.size() - terminal) + " uploads not terminal)";
            } else {
                idleSince = -1;
            }
        }
        return "timeout";
    }

    private static boolean idle(EmbeddedAws aws) {
        Map<QueueAttributeName, String> a = aws.sqs().getQueueAttributes(b -> b.queueUrl(aws.queueUrl())
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return aws.notifications().pending() == 0 && !aws.eventSource().busy()
                && "0".equals(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                && "0".equals(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    private static Report report(EmbeddedAws aws, int n, int concurrency, FaultPlan faults, Map<String, Instant> putAt,
                                 Instant start, Duration uploadTime, Duration wall, Invariants.Report inv,
                                 String endedBy, int failedScans) {
        Map<String, List<Long>> byStage = new LinkedHashMap<>();
        List<Long> e2e = new ArrayList<>(), ingest = new ArrayList<>(), toTerminal = new ArrayList<>();
        Instant last = start;
        for (Map<String, AttributeValue> item : aws.dynamoDb().scanPaginator(b -> b.tableName(aws.names().table()))
                .items()) {
            AttributeValue sk = item.get(ResultItems.SK);
            if (sk == null || !ResultItems.RESULT_SK.equals(sk.s())) continue;
            ResultRecord r = ResultItems.fromItem(item);
            Instant put = putAt.get(r.uploadId());
            r.preprocessTimingsMs().forEach((k, v) -> byStage.computeIfAbsent("preprocess." + k,
                    x -> new ArrayList<>()).add(v));
            r.inferenceTimingsMs().forEach((k, v) -> byStage.computeIfAbsent("inference." + k,
                    x -> new ArrayList<>()).add(v));
            if (put == null) continue;
            ingest.add(Duration.between(put, r.receivedAt()).toMillis());
            if (r.status().isTerminal()) {
                e2e.add(Duration.between(put, r.updatedAt()).toMillis());
                toTerminal.add(Duration.between(r.receivedAt(), r.updatedAt()).toMillis());
                if (r.updatedAt().isAfter(last)) last = r.updatedAt();
            }
        }
        List<Stage> stages = new ArrayList<>();
        stages.add(Stage.of("S3 PUT -> RECEIVED", ingest));
        new TreeMap<>(byStage).forEach((k, v) -> stages.add(Stage.of(k, v)));
        stages.add(Stage.of("RECEIVED -> GRADED|FAILED", toTerminal));
        stages.add(Stage.of("S3 PUT -> GRADED|FAILED (e2e)", e2e));
        double seconds = Math.max(1e-3, Duration.between(start, last).toMillis() / 1e3);
        Map<String, String> stack = new LinkedHashMap<>();
        List<LambdaFunction<?, ?>> functions = new ArrayList<>(List.of(aws.preprocessFunction(),
                aws.inferenceFunction()));
        if (aws.deadLetterFunction() != null) functions.add(aws.deadLetterFunction());
        for (LambdaFunction<?, ?> f : functions) {
            stack.put(f.name(), "environments " + f.environmentsCreated() + ", errors " + f.errors() + ", timeouts "
                    + f.timeouts() + ", crashes " + f.crashes());
        }
        if (aws.deadLetterEventSource() != null) {
            stack.put("DLQ", "messages received " + aws.deadLetterEventSource().messages() + ", deleted "
                    + aws.deadLetterEventSource().deleted());
        }
        stack.put("S3 events", aws.notifications().events() + ", invocations " + aws.notifications().invocations()
                + ", parked " + aws.notifications().failedEvents().size());
        stack.put("SQS", "batches " + aws.eventSource().batches() + ", messages " + aws.eventSource().messages()
                + ", deleted " + aws.eventSource().deleted() + ", left for retry " + aws.eventSource().failedItems());
        stack.put("DynamoDB restarts", Integer.toString(aws.dynalite().restarts()));
        stack.put("watcher scans failed", Integer.toString(failedScans));
        Map<String, Integer> injected = faults == null ? Map.of() : faults.injected();
        return new Report(n, concurrency, faults == null ? null : faults.seed(), uploadTime, wall,
                e2e.size() / seconds, stages, inv, injected, stack, endedBy);
    }

    /** For tests: the upload ids of a finished run's items by status. */
    static Map<String, String> statuses(EmbeddedAws aws) {
        Map<String, String> out = new HashMap<>();
        for (Map<String, AttributeValue> item : aws.dynamoDb().scanPaginator(b -> b.tableName(aws.names().table()))
                .items()) {
            if (item.containsKey("status") && item.containsKey("uploadId")) {
                out.put(item.get("uploadId").s(), item.get("status").s());
            }
        }
        return out;
    }
}
