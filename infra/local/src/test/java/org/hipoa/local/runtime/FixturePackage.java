package org.hipoa.local.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A deployment zip of the test fixtures (classes at the zip's root, one of Lambda's layouts), built from this
 * module's test classes, and function definitions around it.
 */
final class FixturePackage {
    static final String PACKAGE = "org/hipoa/local/runtime/fixture/";
    static final LambdaProcess.Identity IDENTITY =
            new LambdaProcess.Identity("eu-central-1", "123456789012", "local-test", "local-test-secret", null);

    private FixturePackage() {}

    /** The fixture classes as a zip, {@code leaveOut} (simple class names) not in it. */
    static Path zip(Path dir, Set<String> leaveOut) throws IOException {
        Path classes;
        try {
            classes = Path.of(FixturePackage.class.getResource("/" + PACKAGE).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path zip = dir.resolve("fixtures.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out);
             Stream<Path> files = Files.list(classes)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (!name.endsWith(".class") || leaveOut.contains(name.replaceAll("(\\$.*)?\\.class$", ""))) continue;
                z.putNextEntry(new ZipEntry(PACKAGE + name));
                Files.copy(f, z);
                z.closeEntry();
            }
        }
        return zip;
    }

    static FunctionDefinition function(String handlerClass, int memoryMb, Duration timeout,
                                       Map<String, String> variables) {
        Map<String, FunctionDefinition.TemplateValue> env = new java.util.LinkedHashMap<>();
        variables.forEach((k, v) -> env.put(k, new FunctionDefinition.TemplateValue.Literal(v)));
        return new FunctionDefinition("Fixture" + handlerClass, FunctionDefinition.PackageType.ZIP,
                "org.hipoa.local.runtime.fixture." + handlerClass + "::handleRequest", memoryMb, timeout, env,
                OptionalInt.empty(), Path.of("fixtures.zip"), null);
    }

    static List<String> classNames(Path zip) throws IOException {
        try (var z = new java.util.zip.ZipFile(zip.toFile())) {
            return z.stream().map(ZipEntry::getName).toList();
        }
    }
}
