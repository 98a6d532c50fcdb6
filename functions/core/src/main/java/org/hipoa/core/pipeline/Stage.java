package org.hipoa.core.pipeline;

/** The function in which a failure happened. */
public enum Stage {
    PREPROCESS, INFERENCE
}
