package org.hipoa.local.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A function's code as Lambda lays it out in {@code /var/task} (LAMBDA_TASK_ROOT): the zip unpacked, or the folder
 * an image's Dockerfile copies there. The Java runtime's class loader takes the root itself (classes at the top of a
 * zip) and every {@code lib/*.jar}; nothing else of the package is on the class path. One root serves every
 * environment of a function, as one package does on Lambda.
 */
public record TaskRoot(Path dir) {
    /** Lambda's limit on an unzipped package, 250 MB. */
    public static final long MAX_UNZIPPED_BYTES = 250L * 1024 * 1024;

    public TaskRoot {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + " is not a folder");
        dir = dir.toAbsolutePath().normalize();
    }

    /**
     * Unpacks {@code zip} into a new folder under {@code parent}.
     *
     * @throws IllegalArgumentException for a missing zip, an entry that would land outside the root, or a package
     *                                  over Lambda's unzipped limit (which Lambda refuses at deployment)
     */
    public static TaskRoot unzip(Path zip, Path parent) {
        if (!Files.isRegularFile(zip)) {
            throw new IllegalArgumentException(zip + " does not exist: build it first (mvn package)");
        }
        try {
            Files.createDirectories(parent);
            Path root = Files.createTempDirectory(parent, "task-").toAbsolutePath().normalize();
            long total = 0;
            try (InputStream raw = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(raw)) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    Path target = root.resolve(e.getName()).normalize();
                    if (!target.startsWith(root)) {
                        throw new IllegalArgumentException(zip + ": entry " + e.getName() + " leaves the task root");
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                        continue;
                    }
                    Files.createDirectories(target.getParent());
                    total += Files.copy(in, target);
                    if (total > MAX_UNZIPPED_BYTES) {
                        throw new IllegalArgumentException(zip + " unzips to more than 250 MB, Lambda's limit");
                    }
                }
            }
            return new TaskRoot(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + zip, e);
        }
    }

    /**
     * An image function's root: the folder its Dockerfile copies to {@code ${LAMBDA_TASK_ROOT}} (for the inference
     * image, {@code functions/inference/target/hipoa-inference-lambda} with {@code lib/} and {@code model/}). The
     * base image provides the runtime client; the folder must not.
     */
    public static TaskRoot ofFolder(Path dir) {
        if (!Files.isDirectory(dir.resolve("lib"))) {
            throw new IllegalArgumentException(dir + " has no lib/ folder: build it first (mvn package)");
        }
        return new TaskRoot(dir);
    }
}
