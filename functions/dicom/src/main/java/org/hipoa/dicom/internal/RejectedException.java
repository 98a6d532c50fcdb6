package org.hipoa.dicom.internal;

import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;

/** Carries a {@link Rejection} from deep inside the decoder to its single catch site; never escapes the decoder. */
public final class RejectedException extends RuntimeException {
    private final transient Rejection rejection;

    public RejectedException(Reason reason, String message) {
        super(message, null, false, false); // no stack trace: this is control flow for expected bad input
        this.rejection = new Rejection(reason, message);
    }

    public Rejection rejection() {
        return rejection;
    }
}
