package org.hipoa.export;

import org.hipoa.domain.Reason;
import org.hipoa.report.HipSrWriter;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Why one export failed, as the item records it: a reason code and a sentence for people (never a key, a URL's
 * credentials or anything from the film). Whether another receive may help is the reason's.
 */
final class ExportFailure extends Exception {
    private static final long serialVersionUID = 1L;
    /**
     * Worth another receive: the PACS may answer later, an operator may fix the secret meanwhile, a fault of ours may
     * be transient. Everything else (the source, the registration, the item) gets the same answer every time.
     */
    static final Set<Reason> RETRYABLE = EnumSet.of(Reason.DICOMWEB_UNREACHABLE, Reason.DICOMWEB_TIMEOUT,
            Reason.DICOMWEB_UNAVAILABLE, Reason.DICOMWEB_CREDENTIALS, Reason.INTERNAL);

    final Reason reason;

    ExportFailure(Reason reason, String message) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The source header lacks what the SR needs; the writer's sentence names it. */
    static ExportFailure of(HipSrWriter.SourceIncompleteException e) {
        return new ExportFailure(Reason.SR_SOURCE_INCOMPLETE, e.getMessage());
    }

    boolean retryable() {
        return RETRYABLE.contains(reason);
    }
}
