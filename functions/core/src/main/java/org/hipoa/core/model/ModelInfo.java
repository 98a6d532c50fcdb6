package org.hipoa.core.model;

import java.util.Map;

/**
 * Name, version and the other metadata properties the training export wrote into an ONNX file. A plain value (read
 * from a loaded model by {@link OnnxModels#info}), so code that only names a model — the SR export — needs no model
 * runtime.
 */
public record ModelInfo(String name, String version, Map<String, String> properties) {
    public ModelInfo {
        properties = Map.copyOf(properties);
    }
}
