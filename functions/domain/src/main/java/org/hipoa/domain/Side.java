package org.hipoa.domain;

/**
 * The patient's side. In an AP view the patient's RIGHT hip appears on the image's LEFT (radiological convention);
 * JSON keys are {@code right} / {@code left}.
 */
public enum Side {
    RIGHT, LEFT;

    public String key() {
        return this == RIGHT ? "right" : "left";
    }
}
