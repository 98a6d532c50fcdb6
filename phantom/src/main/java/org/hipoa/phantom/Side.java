package org.hipoa.phantom;

/**
 * The patient's side. On an AP radiograph displayed in the radiological convention the patient's
 * RIGHT hip appears on the image's LEFT (smaller x), which is why {@link PhantomCase#right()} always
 * has the smaller {@code centerXmm}.
 */
public enum Side {
    RIGHT,
    LEFT
}
