package org.hipoa.domain.result;

import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;

import java.util.Objects;

/** Why an upload ended FAILED: where, the stable reason code, and a sentence without patient data. */
public record Failure(Stage stage, Reason reason, String message) {
    public Failure {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reason, "reason");
        if (message == null || message.isBlank()) message = reason.name();
    }

    public static Failure of(Stage stage, Rejection rejection) {
        return new Failure(stage, rejection.reason(), rejection.message());
    }
}
