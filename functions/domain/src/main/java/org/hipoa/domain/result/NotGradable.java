package org.hipoa.domain.result;

/**
 * Why one hip of a film was not graded while the film itself was read (the other hip may be graded). Stored, returned
 * by the API and written into the SR and FHIR by name; {@link #plainWords()} is what a reader sees.
 */
public enum NotGradable {
    /** A joint replacement or resurfacing: there is no native joint left to grade. */
    ARTHROPLASTY("joint replacement or resurfacing: there is no native joint to grade"),
    /** Fixation hardware (screws, a dynamic hip screw) across the joint region, hiding what is graded. */
    HARDWARE("fixation hardware over the joint hides the features that are graded"),
    /** The hip looks unlike anything the model was trained on (its features lie beyond the fitted threshold). */
    OUT_OF_DISTRIBUTION("the hip looks unlike the films the model was trained on"),
    /** The hip is cut off by the film's edge or collimation. */
    NOT_VISIBLE("the hip is cut off at the edge of the film");

    private final String plainWords;

    NotGradable(String plainWords) {
        this.plainWords = plainWords;
    }

    public String plainWords() {
        return plainWords;
    }
}
