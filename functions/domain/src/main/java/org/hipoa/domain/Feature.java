package org.hipoa.domain;

/**
 * The five graded features, with their ONNX output names and grade scales — the one place these facts live.
 * FO, AO and JSN are OARSI grades 0 (none) to 3 (severe); sclerosis and cysts are absent (0) or present (1).
 */
public enum Feature {
    FO("fo", 4), AO("ao", 4), JSN("jsn", 4), SCLEROSIS("sclerosis", 2), CYSTS("cysts", 2);

    private final String key;
    private final int classes;

    Feature(String key, int classes) {
        this.key = key;
        this.classes = classes;
    }

    /** JSON key and ONNX output name. */
    public String key() {
        return key;
    }

    public int classes() {
        return classes;
    }

    public boolean isBinary() {
        return classes == 2;
    }
}
