package org.hipoa.core.dicom;

import org.hipoa.core.Rejection;

import java.util.Objects;

/** What {@link RadiographDecoder} makes of an input: a radiograph, or the reason it cannot be one. */
public sealed interface DecodeResult {

    record Decoded(Radiograph radiograph) implements DecodeResult {
        public Decoded {
            Objects.requireNonNull(radiograph, "radiograph");
        }
    }

    record Rejected(Rejection rejection) implements DecodeResult {
        public Rejected {
            Objects.requireNonNull(rejection, "rejection");
        }
    }
}
