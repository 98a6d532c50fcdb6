package org.hipoa.domain.upload;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** A partner that uploads radiographs: {@code [a-z0-9][a-z0-9-]{1,62}}, the second segment of the ingest key. */
public record Provider(String name) {
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");

    public Provider {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("not a provider name");
    }

    /** The provider, if {@code s} is a valid name. */
    public static Optional<Provider> parse(String s) {
        return s != null && NAME.matcher(s).matches() ? Optional.of(new Provider(s)) : Optional.empty();
    }

    @Override
    public String toString() {
        return name;
    }
}
