package org.hipoa.cli;

import org.hipoa.domain.Settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one argument parser of {@code ./hipoa}: {@code --name value} options, {@code --flag} switches and positional
 * arguments, checked against what the command declares. Unknown names and missing values are usage errors
 * ({@link IllegalArgumentException}, exit 64).
 */
record Args(List<String> positional, Map<String, String> options, Set<String> flags) {

    /** What a command accepts: options that take a value, and switches. */
    record Spec(Set<String> options, Set<String> flags) {
        static Spec of(String... names) {
            return new Spec(Set.of(names), Set.of());
        }

        Spec withFlags(String... names) {
            return new Spec(options, Set.of(names));
        }
    }

    static Args parse(List<String> args, Spec spec) {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            String name = a.substring(2);
            if (spec.flags().contains(name)) {
                flags.add(name);
            } else if (spec.options().contains(name)) {
                if (i + 1 >= args.size()) throw new IllegalArgumentException(a + " needs a value");
                options.put(name, args.get(++i));
            } else {
                throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return new Args(List.copyOf(positional), Map.copyOf(options), Set.copyOf(flags));
    }

    String required(String name) {
        String v = options.get(name);
        if (v == null) throw new IllegalArgumentException("--" + name + " is required");
        return v;
    }

    String optional(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    /** A whole-number option; {@code fallback} null makes it required. */
    long longValue(String name, String fallback) {
        String v = fallback == null ? required(name) : optional(name, fallback);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    int intValue(String name, String fallback) {
        try {
            return Math.toIntExact(longValue(name, fallback));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("--" + name + " is out of range");
        }
    }

    void noPositional(String command) {
        if (!positional.isEmpty()) throw new IllegalArgumentException(command + " takes no argument '" + positional.getFirst() + "'");
    }

    /** {@code --model-dir DIR}, else {@code -Dhipoa.modelDir}, else the repository's {@code model/}. */
    Path modelDir() {
        Path dir = Path.of(optional("model-dir", Settings.get("hipoa.modelDir").orElse("model")));
        if (!Files.isRegularFile(dir.resolve("grader.onnx")) || !Files.isRegularFile(dir.resolve("localiser.onnx"))) {
            throw new IllegalArgumentException("no grader.onnx and localiser.onnx in " + dir.toAbsolutePath());
        }
        return dir;
    }
}
