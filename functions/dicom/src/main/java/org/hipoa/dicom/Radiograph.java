package org.hipoa.dicom;

import java.util.Objects;
import java.util.Optional;

/**
 * One decoded single-frame grayscale radiograph, ready for image analysis.
 *
 * <p>{@code pixels} are row-major, {@code rows × columns}, with Bits Stored and the Modality LUT (or Rescale
 * Slope/Intercept) applied, and normalised so that bone is bright: MONOCHROME1 images are inverted within the
 * value range their Bits Stored allows. {@code window} is in the same bone-bright values.
 *
 * <p>Identifiers are kept because the pipeline keys on them; nothing that names the patient is read at all.
 */
public record Radiograph(
        int rows,
        int columns,
        float[] pixels,
        PixelSpacing spacing,
        String transferSyntaxUid,
        String sourcePhotometric,
        int bitsStored,
        Optional<VoiWindow> window,
        String studyInstanceUid,
        String seriesInstanceUid,
        String sopInstanceUid,
        String modality,
        String viewPosition,
        String laterality,
        String bodyPart) {

    public Radiograph {
        if (rows <= 0 || columns <= 0) throw new IllegalArgumentException("empty image " + rows + "x" + columns);
        Objects.requireNonNull(pixels, "pixels");
        if (pixels.length != (long) rows * columns) {
            throw new IllegalArgumentException(pixels.length + " pixels for " + rows + "x" + columns);
        }
        Objects.requireNonNull(spacing, "spacing");
        Objects.requireNonNull(window, "window");
        transferSyntaxUid = Objects.requireNonNullElse(transferSyntaxUid, "");
        sourcePhotometric = Objects.requireNonNullElse(sourcePhotometric, "");
        studyInstanceUid = Objects.requireNonNullElse(studyInstanceUid, "");
        seriesInstanceUid = Objects.requireNonNullElse(seriesInstanceUid, "");
        sopInstanceUid = Objects.requireNonNullElse(sopInstanceUid, "");
        modality = Objects.requireNonNullElse(modality, "");
        viewPosition = Objects.requireNonNullElse(viewPosition, "");
        laterality = Objects.requireNonNullElse(laterality, "");
        bodyPart = Objects.requireNonNullElse(bodyPart, "");
    }

    public PixelStats stats() {
        return PixelStats.of(pixels);
    }
}
