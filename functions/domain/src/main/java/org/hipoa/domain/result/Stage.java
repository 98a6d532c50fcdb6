package org.hipoa.domain.result;

/** The function in which a failure happened. */
public enum Stage {
    PREPROCESS, INFERENCE
}
