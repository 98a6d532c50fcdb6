package org.hipoa.cli;

import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.UploadRef;
import org.hipoa.local.Backfill;
import org.hipoa.local.EmbeddedAws;
import org.hipoa.phantom.PhantomSet;
import org.hipoa.dicom.TransferSyntaxes;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ./hipoa backfill}: an archive through the backfill path on the embedded local stack. The files are copied
 * under {@code backfill/{provider}/} of the ingest bucket (on AWS: {@code aws s3 sync} or S3 Batch Operations copy;
 * no event notification fires there), then {@link Backfill} hands every object to the preprocess function with
 * bounded concurrency, as template.yaml's BackfillStateMachine does, and grading follows the normal queue.
 * Prints the time of each phase and studies per second; exit 0 only if every study ended GRADED.
 */
final class BackfillCommand {
    static final Args.Spec SPEC = Args.Spec.of("dir", "count", "seed", "concurrency", "provider");

    private BackfillCommand() {}

    static int run(Args a) throws Exception {
        a.noPositional("backfill");
        String dirArg = a.optional("dir", null), countArg = a.optional("count", null);
        if ((dirArg == null) == (countArg == null)) throw new IllegalArgumentException("give --dir D or --count N");
        int concurrency = a.intValue("concurrency", "2");
        if (concurrency < 1 || concurrency > 16) throw new IllegalArgumentException("--concurrency must be 1..16");
        String provider = a.optional("provider", "backfill-provider");
        if (org.hipoa.domain.upload.Provider.parse(provider).isEmpty()) {
            throw new IllegalArgumentException("--provider must be a provider name (lower case letters, digits, '-')");
        }
        List<Path> files;
        Path root;
        Path work;
        if (countArg != null) {
            int count = a.intValue("count", null);
            if (count < 1 || count > 100_000) throw new IllegalArgumentException("--count must be 1..100000");
            work = Files.createTempDirectory("hipoa-backfill-");
            long t0 = System.nanoTime();
            root = work.resolve("films");
            files = PhantomSet.write(a.longValue("seed", "1"), 0, count, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, root,
                    Runtime.getRuntime().availableProcessors(), () -> { }).stream().map(PhantomSet.Study::file).toList();
            System.err.printf("backfill: %d phantom studies in %.1f s%n", count, (System.nanoTime() - t0) / 1e9);
        } else {
            root = Path.of(dirArg);
            if (!Files.isDirectory(root)) throw new IllegalArgumentException("--dir " + dirArg + " is not a directory");
            try (Stream<Path> s = Files.walk(root)) {
                // A phantom directory carries its truth in labels.jsonl: that is no study.
                files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                        .filter(p -> !p.getFileName().toString().equals("labels.jsonl")).sorted().toList();
            }
            if (files.isEmpty()) throw new IllegalArgumentException("--dir " + dirArg + " holds no files");
            work = Files.createTempDirectory("hipoa-backfill-");
        }
        String prefix = UploadRef.BACKFILL + provider + "/";
        try (EmbeddedAws aws = EmbeddedAws.builder().blobStoreDir(work.resolve("s3"))
                .preprocessConcurrency(concurrency).start()) {
            long t0 = System.nanoTime();
            for (Path f : files) {
                String key = prefix + root.relativize(f).toString().replace('\\', '/');
                aws.upload(key, RequestBody.fromFile(f));
            }
            double copyS = (System.nanoTime() - t0) / 1e9;
            System.err.printf("backfill: copied %d files to s3://%s/%s in %.1f s (no events)%n", files.size(),
                    aws.names().ingestBucket(), prefix, copyS);
            long t1 = System.nanoTime();
            Backfill.Summary s = Backfill.run(aws, prefix, concurrency);
            double preS = (System.nanoTime() - t1) / 1e9;
            Map<String, ResultRecord> done = Backfill.awaitFinished(aws, prefix, s.items(),
                    Duration.ofSeconds(120 + 10L * s.items()));
            double allS = (System.nanoTime() - t1) / 1e9;
            Map<Status, Integer> byStatus = new EnumMap<>(Status.class);
            List<String> failures = new ArrayList<>();
            for (Map.Entry<String, ResultRecord> e : done.entrySet()) {
                ResultRecord r = e.getValue();
                byStatus.merge(r.status(), 1, Integer::sum);
                if (r.status() != Status.GRADED) {
                    failures.add(e.getKey().substring(prefix.length()) + ": " + r.failure().map(f -> f.reason()
                            + " " + f.message()).orElse(r.status().name()));
                }
            }
            System.out.printf("backfill: %d studies, concurrency %d, load %s%n", s.items(), concurrency, load());
            System.out.printf("  preprocess map (every object through the preprocess function): %.1f s, %.2f studies/s"
                    + " (%d function errors)%n", preS, s.items() / preS, s.failed());
            System.out.printf("  until all GRADED or FAILED (through the queue and the inference function): %.1f s,"
                    + " %.2f studies/s%n", allS, s.items() / allS);
            System.out.printf("  results: %s%n", byStatus);
            failures.stream().sorted().limit(20).forEach(f -> System.out.println("  not graded: " + f));
            return byStatus.getOrDefault(Status.GRADED, 0) == s.items() && s.items() == files.size() ? 0 : 2;
        }
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
