package org.hipoa.export;

import java.util.Optional;

/** Where an upload's export stands, as the item's {@code export.status} says it (the names are stored). */
public enum ExportStatus {
    /** The SR is in the bucket and, when the provider registered an endpoint, in its PACS. */
    DONE,
    /** A retryable failure; the message comes back for another receive. */
    RETRYING,
    /** Over: a failure no retry changes, the queue's last receive, or the export DLQ. */
    FAILED;

    /** The stored status, or empty for a value this code never writes (the item is read, not refused, for it). */
    static Optional<ExportStatus> of(String stored) {
        for (ExportStatus s : values()) {
            if (s.name().equals(stored)) return Optional.of(s);
        }
        return Optional.empty();
    }
}
