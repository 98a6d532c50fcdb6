package org.hipoa.cli;

import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code ./hipoa}. Each sub-command lives in its own class; this one only dispatches and turns a
 * usage mistake into exit code 64 (EX_USAGE) with a message, never a stack trace.
 */
public final class Hipoa {
    private Hipoa() {}

    private static final String USAGE = """
            usage: ./hipoa <command> [args]
              inspect FILE...                          decode DICOM files, one JSON line each (exit 2 if any refused)
              phantom --count N --seed S --out DIR     write N synthetic AP pelvis radiographs + labels.jsonl
                      [--transfer-syntax NAME] [--threads K] [--first-index I]
              phantom-sheet DIR OUT.png                contact sheet of hip crops arranged by grade per feature
              grade [--model-dir DIR] FILE...          grade both hips of each DICOM file, one JSON line each
              eval [--model-dir DIR] PHANTOM_DIR       grade a labelled phantom directory against its truth
              phantom-train-data --count N --seed S --out DIR   hip crops + localiser films for training (.npy)
                      [--threads K] [--jitter-mm J] [--shard-size M] [--first-index I]
            """;

    public static void main(String[] args) {
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
                case "inspect" -> rest.isEmpty() ? usage("inspect needs at least one file") : InspectCommand.run(rest, System.out);
                case "phantom" -> PhantomCommand.run(Options.parse(rest));
                case "grade" -> GradeCommand.run(rest, System.out);
                case "eval" -> EvalCommand.run(rest, System.out);
                case "phantom-train-data" -> TrainDataCommand.run(Options.parse(rest));
                case "phantom-sheet" -> rest.size() != 2 ? usage("phantom-sheet needs DIR and OUT.png")
                        : PhantomSheetCommand.run(rest.get(0), rest.get(1));
                default -> usage("unknown command '" + args[0] + "'");
            };
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            System.err.println("hipoa: " + e.getMessage());
            return 1;
        }
    }

    private static int usage(String problem) {
        System.err.println("hipoa: " + problem);
        System.err.print(USAGE);
        return 64;
    }
}
