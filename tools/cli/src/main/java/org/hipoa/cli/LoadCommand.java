package org.hipoa.cli;

import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.local.EmbeddedAws;
import org.hipoa.local.FaultPlan;
import org.hipoa.local.LoadRun;
import org.hipoa.phantom.PhantomSet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code ./hipoa load --studies N --concurrency C [--faults SEED [--profile P]]}: N phantom studies uploaded by C
 * concurrent uploaders to the embedded local stack, optionally under a seeded fault plan ({@code survivable}, the
 * default: what a correct pipeline survives with every upload GRADED; {@code no-batch-failures}: the same without
 * crashes and hangs in inference; {@code hostile}: also poison messages, whole-batch failures and lost crops); waits for the end, checks the invariants
 * (every upload exactly once GRADED or FAILED, none stuck, none regressed, the DLQ reflected) and prints throughput
 * and p50/p95/p99 per stage. Exit 0 only when the invariants hold. The films are a synthetic phantom, the grader a
 * demonstration model trained on it: the figures say how the pipeline moves, not how well it grades.
 */
final class LoadCommand {
    static final String PROVIDER = "load-provider";
    static final Args.Spec SPEC = Args.Spec.of("studies", "concurrency", "faults", "profile", "timeout-minutes");

    private LoadCommand() {}

    static int run(Args a, PrintStream out) throws Exception {
        a.noPositional("load");
        int studies = a.intValue("studies", null);
        int concurrency = a.intValue("concurrency", "4");
        if (studies < 1 || studies > 100_000) throw new IllegalArgumentException("--studies must be 1..100000");
        if (concurrency < 1 || concurrency > 256) throw new IllegalArgumentException("--concurrency must be 1..256");
        Long seed = a.optional("faults", null) == null ? null : a.longValue("faults", null);
        String profileName = a.optional("profile", "survivable");
        if (seed == null && a.optional("profile", null) != null) {
            throw new IllegalArgumentException("--profile needs --faults SEED");
        }
        FaultPlan.Profile profile = switch (profileName) {
            case "survivable" -> FaultPlan.Profile.survivable();
            case "no-batch-failures" -> FaultPlan.Profile.survivableWithoutBatchFailures();
            case "hostile" -> FaultPlan.Profile.hostile();
            default -> throw new IllegalArgumentException("--profile must be survivable, no-batch-failures or hostile");
        };
        long minutes = a.longValue("timeout-minutes", Long.toString(Math.max(10, studies / 50)));
        FaultPlan faults = seed == null ? null : new FaultPlan(seed, profile);

        Path work = Files.createTempDirectory("hipoa-load-");
        try {
            long t0 = System.nanoTime();
            List<Path> files = PhantomSet.write(seed == null ? 1 : seed, 0, studies,
                    TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, work.resolve("films"),
                    Runtime.getRuntime().availableProcessors(), () -> { }).stream().map(PhantomSet.Study::file)
                    .toList();
            System.err.printf("load: %d phantom studies in %.1f s%n", studies, (System.nanoTime() - t0) / 1e9);
            try (EmbeddedAws aws = LoadRun.stack(work, faults).start()) {
                System.err.printf("load: local stack up in %.1f s%s%n", aws.startTime().toMillis() / 1e3,
                        faults == null ? "" : ", faults seed " + seed + ", profile " + profileName);
                LoadRun.Report r = LoadRun.run(aws, files, PROVIDER, concurrency, Duration.ofSeconds(20),
                        Duration.ofMinutes(minutes));
                out.print(r.format());
                return r.invariants().green() ? 0 : 1;
            }
        } finally {
            deleteQuietly(work);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
