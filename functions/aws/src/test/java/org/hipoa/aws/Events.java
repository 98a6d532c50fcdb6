package org.hipoa.aws;

import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The recorded events in the repository's {@code events/} folder (also the {@code sam local invoke} inputs),
 * deserialised the way the Lambda Java runtime does it, so a handler test sees exactly what production sends.
 */
public final class Events {
    private Events() {}

    /** {@code events/NAME}, found from any module directory of this repository. */
    public static Path file(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("events").resolve(name);
            if (Files.isRegularFile(candidate)) return candidate;
        }
        throw new IllegalStateException("events/" + name + " not found above " + Path.of("").toAbsolutePath());
    }

    public static String json(String name) {
        try {
            return Files.readString(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T load(String name, Class<T> type) {
        return LambdaEventSerializers.serializerFor(type, Events.class.getClassLoader()).fromJson(json(name));
    }
}
