package org.hipoa.cli;

import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code ./hipoa}: one usage text, one argument parser ({@link Args}), one class per sub-command.
 * Turns a usage mistake into exit code 64 (EX_USAGE) with a message, never a stack trace.
 */
public final class Hipoa {
    private Hipoa() {}

    static final String USAGE = """
            usage: ./hipoa <command> [args]
              demo [--once] [--count N] [--seed S] [--one-at-a-time]
                                                       the whole pipeline on the embedded local AWS stack
              load --studies N [--concurrency C] [--faults SEED [--profile P]] [--timeout-minutes M]
                                                       N phantom studies through the local stack, optionally under
                                                       seeded faults (P: survivable, no-batch-failures, hostile);
                                                       invariants, throughput, p50/p95/p99 per stage
              inspect FILE...                          decode DICOM files, one JSON line each (exit 2 if any refused)
              grade [--model-dir DIR] FILE...          grade both hips of each DICOM file, one JSON line each
              eval [--model-dir DIR] PHANTOM_DIR       grade a labelled phantom directory against its truth
              phantom --count N --seed S --out DIR     write N synthetic AP pelvis radiographs + labels.jsonl
                      [--phantom v1|v2] [--site internal|external]
                      [--transfer-syntax NAME] [--threads K] [--first-index I]
              ceiling PHANTOM_DIR                      the best accuracy any model can reach on a v2 set's labels,
                                                       and the simulated readers' expected agreement (κ)
              phantom-sheet DIR OUT.png                contact sheet of hip crops arranged by grade per feature
              phantom-train-data --count N --seed S --out DIR   hip crops + localiser films for training (.npy)
                      [--phantom v1|v2] [--site internal|external] [--threads K] [--jitter-mm J] [--shard-size M] [--first-index I] [--crop-px P,Q]
              backfill (--dir D | --count N [--seed S]) [--concurrency K] [--provider P]
                                                       an archive through the backfill path on the local stack
                                                       (copy under backfill/, preprocess map, queue, grading)
              reconcile --bucket INGEST_BUCKET [--table TABLE]
                                                       list uploads under incoming/ without a GRADED or FAILED
                                                       result (STUDY_KEY_SECRET from the environment; exit 2 if any)
              bench [FILMS] [SEED] [MODEL_DIR] [ROUNDS] [PASSES]
                                                       per-stage latency beside the Python peers, the FLOP floor,
                                                       throughput and cost (bench/peers; run by the ./hipoa script)
              test                                     the whole test suite (run by the ./hipoa script itself)
            """;

    public static void main(String[] args) {
        // Before any logger exists: the demo logs as the local stack does, every other command only errors.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", args.length > 0 && (args[0].equals("demo") || args[0].equals("load"))
                    ? "hipoa-local-log4j2.xml" : "hipoa-cli-log4j2.xml");
        }
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.err.print(USAGE);
            return args.length == 0 ? 64 : 0;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            return switch (args[0]) {
                case "inspect" -> InspectCommand.run(atLeastOne(Args.parse(rest, Args.Spec.of()), "inspect"),
                        System.out);
                case "phantom" -> PhantomCommand.run(Args.parse(rest, PhantomCommand.SPEC));
                case "grade" -> GradeCommand.run(Args.parse(rest, GradeCommand.SPEC), System.out);
                case "eval" -> EvalCommand.run(Args.parse(rest, EvalCommand.SPEC), System.out);
                case "phantom-train-data" -> TrainDataCommand.run(Args.parse(rest, TrainDataCommand.SPEC));
                case "ceiling" -> CeilingCommand.run(Args.parse(rest, Args.Spec.of()), System.out);
                case "phantom-sheet" -> {
                    Args a = Args.parse(rest, Args.Spec.of());
                    if (a.positional().size() != 2) throw new IllegalArgumentException("phantom-sheet needs DIR and OUT.png");
                    yield PhantomSheetCommand.run(a.positional().get(0), a.positional().get(1));
                }
                case "demo" -> DemoCommand.run(Args.parse(rest, DemoCommand.SPEC));
                case "backfill" -> BackfillCommand.run(Args.parse(rest, BackfillCommand.SPEC));
                case "reconcile" -> ReconcileCommand.run(Args.parse(rest, ReconcileCommand.SPEC), System.out);
                case "load" -> LoadCommand.run(Args.parse(rest, LoadCommand.SPEC), System.out);
                case "test" -> usage("test is run by the ./hipoa script (it builds, then runs Maven and pytest)");
                case "bench" -> usage("bench is run by the ./hipoa script (it builds, then runs bench/peers)");
                default -> usage("unknown command '" + args[0] + "'");
            };
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            System.err.println("hipoa: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println("hipoa: " + e);
            return 1;
        }
    }

    private static List<String> atLeastOne(Args a, String command) {
        if (a.positional().isEmpty()) throw new IllegalArgumentException(command + " needs at least one file");
        return a.positional();
    }

    private static int usage(String problem) {
        System.err.println("hipoa: " + problem);
        System.err.print(USAGE);
        return 64;
    }
}
