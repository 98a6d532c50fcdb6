package org.hipoa.domain.result;

/** Where an upload is: {@code RECEIVED → PREPROCESSED → GRADED | FAILED}. GRADED and FAILED are terminal. */
public enum Status {
    RECEIVED, PREPROCESSED, GRADED, FAILED;

    public boolean isTerminal() {
        return this == GRADED || this == FAILED;
    }
}
