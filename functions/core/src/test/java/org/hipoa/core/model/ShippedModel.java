package org.hipoa.core.model;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model folder the repository ships ({@code model/} at its root), for the tests of every module (core's
 * test-jar): found from the working directory upward, so a test finds it whichever module folder Maven or an IDE
 * runs it in.
 */
public final class ShippedModel {
    private ShippedModel() {}

    /** The repository's {@code model/}, absolute. */
    public static final Path DIR = find();

    private static Path find() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path model = dir.resolve("model");
            if (Files.isRegularFile(model.resolve("crop-contract.json")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return model;
            }
        }
        throw new IllegalStateException("no model/ with a crop-contract.json in " + start + " or a folder above it");
    }
}
