package org.hipoa.dicom;

/** A VOI window (Window Center/Width), expressed in the decoded bone-bright pixel values of its {@link Radiograph}. */
public record VoiWindow(double center, double width) {
    public VoiWindow {
        if (!(width > 0)) throw new IllegalArgumentException("window width must be positive: " + width);
    }
}
