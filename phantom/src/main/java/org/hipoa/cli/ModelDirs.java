package org.hipoa.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The {@code --model-dir DIR} option shared by grade and eval; defaults to the repository's {@code model/}. */
final class ModelDirs {
    private ModelDirs() {}

    /** Removes {@code --model-dir DIR} from {@code args} if present and returns the directory to use. */
    static Path take(List<String> args) {
        Path dir = Path.of(System.getProperty("hipoa.modelDir", "model"));
        int at = args.indexOf("--model-dir");
        if (at >= 0) {
            if (at + 1 >= args.size()) throw new IllegalArgumentException("--model-dir needs a directory");
            dir = Path.of(args.get(at + 1));
            args.subList(at, at + 2).clear();
        }
        if (!Files.isRegularFile(dir.resolve("grader.onnx")) || !Files.isRegularFile(dir.resolve("localiser.onnx"))) {
            throw new IllegalArgumentException("no grader.onnx and localiser.onnx in " + dir.toAbsolutePath());
        }
        return dir;
    }
}
