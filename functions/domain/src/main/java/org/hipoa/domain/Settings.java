package org.hipoa.domain;

import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The one way HipOA reads a setting by name, in every module and every function.
 *
 * <p><b>Precedence:</b> the Java system property of that name when it is set, else the environment variable of that
 * name. A property that is set decides even when it is blank: the environment is not consulted then.
 * <b>Blank:</b> a value that is empty or only whitespace counts as absent; any other value is stripped.
 *
 * <p>Why property first: on Lambda no such property exists and the environment variable decides, as template.yaml
 * sets it. The local stack runs every function in one JVM and gives each its own settings through a per-thread view
 * of the system properties; a function whose template lacks a setting the harness uses sees it set to blank there.
 * Property first means neither a harness setting nor a developer's stray shell variable of the same name can reach a
 * function that AWS would not give it. It is also the AWS SDK's own order for its settings ({@code aws.region} before
 * {@code AWS_REGION}).
 */
public final class Settings {
    private Settings() {}

    /** The setting {@code name}, read from this JVM's system properties and environment. */
    public static Optional<String> get(String name) {
        return resolve(name, System::getProperty, System::getenv);
    }

    /** The rule itself, over any two sources (name → value or null); {@link #get} uses the JVM's. */
    static Optional<String> resolve(String name, UnaryOperator<String> properties, UnaryOperator<String> environment) {
        Objects.requireNonNull(name, "name");
        String v = properties.apply(name);
        if (v == null) v = environment.apply(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }
}
