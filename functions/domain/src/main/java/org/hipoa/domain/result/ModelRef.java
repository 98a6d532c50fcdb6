package org.hipoa.domain.result;

import java.util.Objects;

/** Which model produced a result: the name and version written into the ONNX file at export. */
public record ModelRef(String name, String version) {
    public ModelRef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
    }
}
