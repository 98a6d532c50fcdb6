package org.hipoa.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.UnsignedLongAttribute;
import com.pixelmed.dicom.SignedShortAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;

/**
 * Setting an attribute in a PixelMed {@link AttributeList}, for the code that writes DICOM (the SR writer, the tests'
 * films and bad inputs): PixelMed takes three statements per attribute (make it, add each value, put it). {@link #put}
 * takes the VR the data dictionary gives the tag; the VR-named ones set that VR whatever the tag (a broken file may
 * want an odd one).
 */
public final class DicomAttributes {
    private DicomAttributes() {}

    /** {@code tag} set to {@code values}, with the tag's VR from the data dictionary. */
    public static void put(AttributeList l, AttributeTag tag, String... values) throws DicomException {
        Attribute a = AttributeFactory.newAttribute(tag);
        for (String v : values) a.addValue(v);
        l.put(a);
    }

    public static void us(AttributeList l, AttributeTag tag, long... values) throws DicomException {
        Attribute a = new UnsignedShortAttribute(tag);
        for (long v : values) a.addValue(v);
        l.put(a);
    }

    public static void ss(AttributeList l, AttributeTag tag, long... values) throws DicomException {
        Attribute a = new SignedShortAttribute(tag);
        for (long v : values) a.addValue(v);
        l.put(a);
    }

    public static void ul(AttributeList l, AttributeTag tag, long... values) throws DicomException {
        Attribute a = new UnsignedLongAttribute(tag);
        for (long v : values) a.addValue(v);
        l.put(a);
    }

    public static void cs(AttributeList l, AttributeTag tag, String... values) throws DicomException {
        Attribute a = new CodeStringAttribute(tag);
        for (String v : values) a.addValue(v);
        l.put(a);
    }

    /** Decimal strings as given (e.g. {@code "1e300"}, {@code "NaN"}: a bad input's own spelling). */
    public static void ds(AttributeList l, AttributeTag tag, String... values) throws DicomException {
        Attribute a = new DecimalStringAttribute(tag);
        for (String v : values) a.addValue(v);
        l.put(a);
    }

    /** Decimal strings in PixelMed's own spelling of each number. */
    public static void ds(AttributeList l, AttributeTag tag, double... values) throws DicomException {
        Attribute a = new DecimalStringAttribute(tag);
        for (double v : values) a.addValue(v);
        l.put(a);
    }
}
