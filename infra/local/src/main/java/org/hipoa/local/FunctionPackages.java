package org.hipoa.local;

import org.hipoa.local.runtime.FunctionDefinition;
import org.hipoa.local.runtime.TaskRoot;
import org.hipoa.local.runtime.TemplateFunctions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The function packages a process-run stack starts its environments from, as a deployment would take them: the zip
 * each zip function's CodeUri names (unpacked once per stack, shared by the functions that name it), and for an image
 * function the folder its Dockerfile copies into {@code ${LAMBDA_TASK_ROOT}}. A missing package stops the stack with
 * the build command that makes it.
 */
final class FunctionPackages implements AutoCloseable {
    /** The Lambda stage's {@code COPY <folder>/lib/ ${LAMBDA_TASK_ROOT}/lib/}. */
    private static final Pattern TASK_ROOT_COPY =
            Pattern.compile("(?m)^\\s*COPY\\s+(?:--\\S+\\s+)*(\\S+?)/lib/?\\s+\\$\\{LAMBDA_TASK_ROOT}/lib/?\\s*$");

    private final Path repository;
    private final TemplateFunctions template;
    private final Path dir;
    private final Map<Path, TaskRoot> roots = new HashMap<>();

    FunctionPackages(Path repository) {
        this.repository = repository;
        this.template = TemplateFunctions.load(repository.resolve("template.yaml"));
        try {
            this.dir = Files.createTempDirectory("hipoa-functions-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a folder for the function packages", e);
        }
    }

    /** Where each environment's log (its stdout and stderr: Lambda's log stream) goes. */
    Path logDir() {
        return dir.resolve("logs");
    }

    /** The template's function with the timeout this stack enforces (never longer than the template's). */
    FunctionDefinition function(String logicalId, Duration timeout) {
        FunctionDefinition d = template.function(logicalId);
        if (timeout.compareTo(d.timeout()) > 0) {
            throw new IllegalArgumentException(logicalId + ": " + timeout + " is longer than template.yaml's Timeout");
        }
        return new FunctionDefinition(d.logicalId(), d.packageType(), d.handler(), d.memoryMb(), timeout,
                d.environment(), d.reservedConcurrency(), d.codeUri(), d.imageContext());
    }

    synchronized TaskRoot taskRoot(FunctionDefinition f) {
        if (f.packageType() == FunctionDefinition.PackageType.ZIP) {
            Path zip = f.codeUri();
            TaskRoot r = roots.get(zip);
            if (r != null) return r;
            if (!Files.isRegularFile(zip)) {
                throw new IllegalStateException(f.logicalId() + ": its package " + repository.relativize(zip)
                        + " is missing; build it with `mvn -o package -DskipTests -pl " + module(zip) + " -am`");
            }
            r = TaskRoot.unzip(zip, dir.resolve("tasks"));
            roots.put(zip, r);
            return r;
        }
        Path folder = imageFolder(f);
        return roots.computeIfAbsent(folder, p -> {
            if (!Files.isDirectory(p.resolve("lib"))) {
                throw new IllegalStateException(f.logicalId() + ": its image folder " + repository.relativize(p)
                        + " is missing; build it with `mvn -o package -DskipTests -pl "
                        + repository.relativize(f.imageContext()) + " -am`");
            }
            return TaskRoot.ofFolder(p);
        });
    }

    /** The folder the Dockerfile's Lambda stage copies into the task root, in the function's Docker context. */
    private static Path imageFolder(FunctionDefinition f) {
        Path dockerfile = f.imageContext().resolve("Dockerfile");
        try {
            Matcher m = TASK_ROOT_COPY.matcher(Files.readString(dockerfile));
            if (!m.find()) {
                throw new IllegalStateException(dockerfile + " copies no lib/ folder into ${LAMBDA_TASK_ROOT}");
            }
            return f.imageContext().resolve(m.group(1)).normalize();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dockerfile, e);
        }
    }

    /** The Maven module a package is built by: its path up to {@code target/}. */
    private String module(Path artifact) {
        Path rel = repository.relativize(artifact);
        for (int i = 0; i < rel.getNameCount(); i++) {
            if (rel.getName(i).toString().equals("target")) return i == 0 ? "." : rel.subpath(0, i).toString();
        }
        return rel.toString();
    }

    /**
     * Deletes the unpacked zips and the logs (an image folder is the build's and stays); with
     * {@code -Dhipoa.local.keepLogs=true} the logs stay for a post-mortem.
     */
    @Override
    public void close() {
        Path doomed = Boolean.getBoolean("hipoa.local.keepLogs") ? dir.resolve("tasks") : dir;
        if (doomed != dir) System.err.println("local stack: function logs kept in " + logDir());
        try (Stream<Path> files = Files.exists(doomed) ? Files.walk(doomed) : Stream.empty()) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temp folder: the OS cleans it eventually
        }
    }
}
