package org.hipoa.core.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;

/**
 * Setting an attribute in a PixelMed {@link AttributeList}, for the code that writes DICOM (the SR writer, the tests'
 * films): PixelMed takes three statements per attribute (make it, add each value, put it).
 */
public final class DicomAttributes {
    private DicomAttributes() {}

    /** {@code tag} set to {@code values}, with the VR the data dictionary gives the tag. */
    public static void put(AttributeList l, AttributeTag tag, String... values) throws DicomException {
        put(l, AttributeFactory.newAttribute(tag), values);
    }

    /** {@code empty} (an attribute of the VR wanted, e.g. a deliberately odd one) set to {@code values}. */
    public static void put(AttributeList l, Attribute empty, String... values) throws DicomException {
        for (String v : values) empty.addValue(v);
        l.put(empty);
    }

    /** As above, for a binary integer VR (US, UL, SS, ...). */
    public static void put(AttributeList l, Attribute empty, long... values) throws DicomException {
        for (long v : values) empty.addValue(v);
        l.put(empty);
    }

    /** As above, for values written in PixelMed's own decimal form (DS, FD). */
    public static void put(AttributeList l, Attribute empty, double... values) throws DicomException {
        for (double v : values) empty.addValue(v);
        l.put(empty);
    }
}
