package org.hipoa.core.model;

import ai.djl.onnxruntime.engine.OrtSymbolBlock;
import ai.djl.repository.zoo.ZooModel;

import java.util.Map;

/** Name, version and the other metadata properties the training export wrote into an ONNX file. */
public record ModelInfo(String name, String version, Map<String, String> properties) {
    public ModelInfo {
        properties = Map.copyOf(properties);
    }

    static ModelInfo of(ZooModel<?, ?> model, String fallbackName) {
        Map<String, String> metadata = model.getBlock() instanceof OrtSymbolBlock ort ? ort.getCustomMetadata() : Map.of();
        return new ModelInfo(metadata.getOrDefault("name", fallbackName), metadata.getOrDefault("version", "unknown"),
                metadata);
    }
}
