package org.hipoa.report;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import org.hipoa.dicom.DecodeLimits;
import org.hipoa.dicom.PixelSpacing;
import org.hipoa.dicom.SpacingReader;
import org.hipoa.domain.Feature;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.HipGrades;
import org.hipoa.domain.result.HipResult;
import org.hipoa.domain.result.ModelRef;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.hipoa.dicom.DicomAttributes.put;

/**
 * Writes HipOA's stored grades of one radiograph (the result's {@link HipResult}s, as the table and the API hold
 * them) as a DICOM Structured Report that joins the graded image's study: TID 1500
 * "Imaging Measurement Report" with one TID 1501 measurement group per hip (tracking identifiers, hip joint with its
 * laterality, the algorithm, the hip centre as a SCOORD POINT on the image under an "OARSI features graded" NUM, the
 * five features as coded qualitative evaluations, and the caption a viewer shows beside the hip as Comment text). Layout, codes and
 * why TID 1501 rather than 1410: docs/SR.md.
 *
 * <p>The SOP class is Comprehensive 3D SR, the one the IHE AI Results profile asks for (it is the superset an AI
 * result display must accept; this report only needs its 2D content). The report is marked UNVERIFIED and says in
 * its series description and in a text item that the grades come from a demonstration model trained on synthetic
 * phantoms.
 *
 * <p>Pure code: it takes the source image's header (Patient and General Study modules are copied from it; nothing
 * else from it is kept) and returns the SR; where it goes is the caller's business. UIDs are derived from the source
 * image and the model, so exporting the same grading twice gives the same SR (a PACS sees a re-send, not a new
 * report), and a new model gives a new device UID (IHE AIR) and a new SR.
 */
public final class HipSrWriter {
    private HipSrWriter() {}

    public static final String SOP_CLASS = SOPClass.Comprehensive3DSRStorage;
    /** A series number far from the modality's own, so the SR sorts after the images in a viewer. */
    public static final int SERIES_NUMBER = 9901;
    public static final String SERIES_DESCRIPTION = "HipOA machine grades - demonstration model, unverified";
    public static final String NOTICE = "These are machine grades from a demonstration model trained only on synthetic"
            + " phantom radiographs. No person has verified them. They are not for diagnostic use.";
    static final String MANUFACTURER = "HipOA project (demonstration software)";

    /** The source header lacks something the SR cannot be written without; the message names it for people. */
    public static final class SourceIncompleteException extends Exception {
        public SourceIncompleteException(String message) {
            super(message);
        }
    }

    /** Patient module (PS3.3 C.7.1.1) attributes copied as they are; the Type 2 ones are written empty if absent. */
    private static final List<AttributeTag> PATIENT = List.of(TagFromName.PatientName, TagFromName.PatientID,
            TagFromName.IssuerOfPatientID, TagFromName.PatientBirthDate, TagFromName.PatientSex,
            TagFromName.OtherPatientIDsSequence, TagFromName.PatientComments);
    /** General Study module (C.7.2.1). */
    private static final List<AttributeTag> STUDY = List.of(TagFromName.StudyInstanceUID, TagFromName.StudyDate,
            TagFromName.StudyTime, TagFromName.ReferringPhysicianName, TagFromName.StudyID,
            TagFromName.AccessionNumber, TagFromName.IssuerOfAccessionNumberSequence, TagFromName.StudyDescription);
    private static final List<AttributeTag> TYPE_2 = List.of(TagFromName.PatientName, TagFromName.PatientID,
            TagFromName.PatientBirthDate, TagFromName.PatientSex, TagFromName.StudyDate, TagFromName.StudyTime,
            TagFromName.ReferringPhysicianName, TagFromName.StudyID, TagFromName.AccessionNumber);

    /** The SR as a Part 10 file (explicit VR little endian), ready to store or STOW. */
    public static byte[] write(AttributeList source, Map<Side, HipResult> hips, ModelRef model,
                               ZonedDateTime contentTime) throws SourceIncompleteException {
        AttributeList sr = build(source, hips, model, contentTime);
        try {
            FileMetaInformation.addFileMetaInformation(sr, TransferSyntax.ExplicitVRLittleEndian, "HIPOA");
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 10);
            sr.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
            return out.toByteArray();
        } catch (DicomException | IOException e) {
            throw new IllegalStateException("PixelMed could not encode the structured report", e);
        }
    }

    /**
     * The SR's data set (no file meta information).
     *
     * @param hips both hips, as a GRADED result holds them
     */
    public static AttributeList build(AttributeList source, Map<Side, HipResult> hips, ModelRef model,
                                      ZonedDateTime contentTime) throws SourceIncompleteException {
        for (Side side : Side.values()) {
            if (hips.get(side) == null) throw new IllegalArgumentException("no " + side.key() + " hip to report");
        }
        String studyUid = required(source, TagFromName.StudyInstanceUID, "Study Instance UID");
        String seriesUid = required(source, TagFromName.SeriesInstanceUID, "Series Instance UID");
        String imageUid = required(source, TagFromName.SOPInstanceUID, "SOP Instance UID");
        String imageClass = required(source, TagFromName.SOPClassUID, "SOP Class UID");
        PixelSpacing spacing = SpacingReader.read(source, DecodeLimits.DEFAULT);
        int rows = Attribute.getSingleIntegerValueOrDefault(source, TagFromName.Rows, 0);
        int columns = Attribute.getSingleIntegerValueOrDefault(source, TagFromName.Columns, 0);
        if (rows <= 0 || columns <= 0) {
            throw new SourceIncompleteException("the graded image's header has no Rows and Columns, so the hip centres"
                    + " cannot be placed on it");
        }
        String deviceUid = deviceUid(model);
        String srUid = uid("sr-instance", imageUid, deviceUid);
        try {
            AttributeList l = new AttributeList();
            copy(source, l, TagFromName.SpecificCharacterSet);
            for (AttributeTag t : PATIENT) copy(source, l, t);
            for (AttributeTag t : STUDY) copy(source, l, t);
            for (AttributeTag t : TYPE_2) {
                if (!l.containsKey(t)) l.put(AttributeFactory.newAttribute(t));
            }
            ZonedDateTime utc = contentTime.withZoneSameInstant(ZoneOffset.UTC);
            String date = utc.format(DateTimeFormatter.BASIC_ISO_DATE).substring(0, 8);
            String time = utc.format(DateTimeFormatter.ofPattern("HHmmss"));

            put(l, TagFromName.SOPClassUID, SOP_CLASS);
            put(l, TagFromName.SOPInstanceUID, srUid);
            put(l, TagFromName.Modality, "SR");
            put(l, TagFromName.SeriesInstanceUID, uid("sr-series", studyUid, deviceUid));
            put(l, TagFromName.SeriesNumber, Integer.toString(SERIES_NUMBER));
            put(l, TagFromName.SeriesDescription, SERIES_DESCRIPTION);
            put(l, TagFromName.InstanceNumber, "1");
            put(l, TagFromName.ContentDate, date);
            put(l, TagFromName.ContentTime, time);
            put(l, TagFromName.InstanceCreationDate, date);
            put(l, TagFromName.InstanceCreationTime, time);
            put(l, TagFromName.TimezoneOffsetFromUTC, "+0000");
            put(l, TagFromName.Manufacturer, MANUFACTURER);
            put(l, TagFromName.CompletionFlag, "COMPLETE");
            put(l, TagFromName.VerificationFlag, "UNVERIFIED");
            l.put(new SequenceAttribute(TagFromName.ReferencedPerformedProcedureStepSequence));
            l.put(new SequenceAttribute(TagFromName.PerformedProcedureCodeSequence));
            l.put(evidence(studyUid, seriesUid, imageClass, imageUid));
            l.put(contributingEquipment(model));
            l.put(codingSchemes());

            ContentItem root = content(hips, model, deviceUid, srUid, imageClass, imageUid, spacing, rows, columns);
            l.putAll(new StructuredReport(root).getAttributeList());
            return l;
        } catch (DicomException e) {
            throw new IllegalStateException("PixelMed could not build the structured report", e);
        }
    }

    private static ContentItem content(Map<Side, HipResult> hips, ModelRef model, String deviceUid, String srUid,
                                       String imageClass, String imageUid, PixelSpacing spacing, int rows,
                                       int columns) throws DicomException {
        ContentItemFactory f = new ContentItemFactory();
        ContentItem root = f.makeContainerContentItem(null, null, SrCodes.MEASUREMENT_REPORT.item(), true,
                "DCMR", "1500");
        f.makeCodeContentItem(root, "HAS CONCEPT MOD", SrCodes.LANGUAGE.item(), SrCodes.ENGLISH_US.item());
        // TID 1001/1002/1004: the observer is a device, named by the model; its UID changes with each model.
        f.makeCodeContentItem(root, "HAS OBS CONTEXT", SrCodes.OBSERVER_TYPE.item(), SrCodes.DEVICE.item());
        f.makeUIDContentItem(root, "HAS OBS CONTEXT", SrCodes.DEVICE_OBSERVER_UID.item(), deviceUid);
        f.makeTextContentItem(root, "HAS OBS CONTEXT", SrCodes.DEVICE_OBSERVER_NAME.item(), model.name());
        f.makeTextContentItem(root, "HAS OBS CONTEXT", SrCodes.DEVICE_OBSERVER_MANUFACTURER.item(), MANUFACTURER);
        f.makeTextContentItem(root, "HAS OBS CONTEXT", SrCodes.DEVICE_OBSERVER_MODEL_NAME.item(),
                model.name() + " " + model.version());
        f.makeCodeContentItem(root, "HAS CONCEPT MOD", SrCodes.PROCEDURE_REPORTED.item(), SrCodes.IMAGING_PROCEDURE.item());

        ContentItem library = f.makeContainerContentItem(root, "CONTAINS", SrCodes.IMAGE_LIBRARY.item(), true);
        ContentItem group = f.makeContainerContentItem(library, "CONTAINS", SrCodes.IMAGE_LIBRARY_GROUP.item(), true);
        f.makeImageContentItem(group, "CONTAINS", null, imageClass, imageUid, 0, 0, null, null, null, null);

        ContentItem measurements = f.makeContainerContentItem(root, "CONTAINS", SrCodes.IMAGING_MEASUREMENTS.item(),
                true);
        for (Side side : List.of(Side.RIGHT, Side.LEFT)) {
            measurementGroup(f, measurements, side, hips.get(side), model, srUid, imageClass, imageUid, spacing, rows,
                    columns);
        }

        ContentItem evaluations = f.makeContainerContentItem(root, "CONTAINS", SrCodes.QUALITATIVE_EVALUATIONS.item(),
                true);
        f.makeTextContentItem(evaluations, "CONTAINS", SrCodes.MACHINE_GRADING_NOTICE.item(), NOTICE);
        return root;
    }

    private static void measurementGroup(ContentItemFactory f, ContentItem parent, Side side, HipResult hip,
                                         ModelRef model,
                                         String srUid, String imageClass, String imageUid, PixelSpacing spacing,
                                         int rows, int columns) throws DicomException {
        ContentItem g = f.makeContainerContentItem(parent, "CONTAINS", SrCodes.MEASUREMENT_GROUP.item(), true,
                "DCMR", "1501");
        f.makeTextContentItem(g, "HAS OBS CONTEXT", SrCodes.TRACKING_IDENTIFIER.item(), side.key() + " hip");
        f.makeUIDContentItem(g, "HAS OBS CONTEXT", SrCodes.TRACKING_UID.item(),
                uid("tracking", srUid, side.key()));
        // The hip centre in DICOM's 2D image coordinates: column, row, with (0,0) the top left corner of the top left
        // pixel (PS3.3 C.18.6.1.1), while HipOA's image mm put 0 at that pixel's centre.
        double column = hip.centerXmm() / spacing.columnMm() + 0.5, row = hip.centerYmm() / spacing.rowMm() + 0.5;
        // Fails closed: a centre that is not a number or lies off the image must not become a mark on it.
        if (!(column >= 0 && column <= columns && row >= 0 && row <= rows)) {
            throw new IllegalArgumentException("the " + side.key() + " hip centre lies outside the image");
        }
        // The point hangs under a NUM, not at the group's top level (TID 1410's Image Region): OHIF, the viewer on
        // npm, labels a point from a top-level SCOORD with its finding site's code alone ("363698007: Hip joint"), and
        // reads a group's Comment items (the caption) only when its SCOORDs sit under NUMs (TID 300 / 320), as dcmjs
        // writes a point. The NUM is a true count for every hip, graded or not (a NUM without a value fails
        // PixelMed's TID 300 check): how many of the five features were graded.
        ContentItem counted = f.makeNumericContentItem(g, "CONTAINS", SrCodes.FEATURES_GRADED.item(),
                hip.grades().isPresent() ? Feature.values().length : 0, SrCodes.FEATURES_UNIT.item());
        ContentItem region = f.makeSpatialCoordinatesContentItem(counted, "INFERRED FROM", null, "POINT",
                new float[] {(float) column, (float) row});
        f.makeImageContentItem(region, "SELECTED FROM", null, imageClass, imageUid, 0, 0, null, null, null, null);
        for (String line : HipCaption.lines(side, hip)) {
            f.makeTextContentItem(g, "CONTAINS", SrCodes.COMMENT.item(), line);
        }
        ContentItem site = f.makeCodeContentItem(g, "HAS CONCEPT MOD", SrCodes.FINDING_SITE.item(),
                SrCodes.HIP_JOINT.item());
        f.makeCodeContentItem(site, "HAS CONCEPT MOD", SrCodes.LATERALITY.item(),
                SrCodes.laterality(side).item());
        f.makeTextContentItem(g, "HAS CONCEPT MOD", SrCodes.ALGORITHM_NAME.item(), model.name());
        f.makeTextContentItem(g, "HAS CONCEPT MOD", SrCodes.ALGORITHM_VERSION.item(), model.version());
        if (hip.grades().isEmpty()) {
            // Not assessed: the hip is located and named, and says why it has no grades; no grade is written.
            f.makeCodeContentItem(g, "CONTAINS", SrCodes.NOT_ASSESSED.item(),
                    SrCodes.notGradable(hip.notGradable().orElseThrow()).item());
            return;
        }
        HipGrades grades = hip.grades().get();
        for (Feature feature : Feature.values()) {
            f.makeCodeContentItem(g, "CONTAINS", SrCodes.feature(feature).item(),
                    SrCodes.grade(feature, grades.grade(feature)).item());
        }
    }

    /** A UID naming the model: the same name and version give the same UID, any change gives another. */
    public static String deviceUid(ModelRef model) {
        return uid("device", model.name(), model.version());
    }

    /**
     * A 2.25 UID (PS3.5 B.2) from a name-based UUID of the parts: deterministic, and as unlikely to collide as any
     * UUID. The parts are length-prefixed so that ("ab","c") and ("a","bc") differ.
     */
    static String uid(String kind, String... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String p : List.of(prepend("hipoa-" + kind, parts))) {
            byte[] s = p.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(ByteBuffer.allocate(4).putInt(s.length).array());
            b.writeBytes(s);
        }
        UUID u = UUID.nameUUIDFromBytes(b.toByteArray());
        BigInteger n = new BigInteger(1, ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array());
        return "2.25." + n;
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static SequenceAttribute evidence(String studyUid, String seriesUid, String imageClass, String imageUid)
            throws DicomException {
        AttributeList sop = new AttributeList();
        put(sop, TagFromName.ReferencedSOPClassUID, imageClass);
        put(sop, TagFromName.ReferencedSOPInstanceUID, imageUid);
        SequenceAttribute sops = new SequenceAttribute(TagFromName.ReferencedSOPSequence);
        sops.addItem(sop);
        AttributeList series = new AttributeList();
        put(series, TagFromName.SeriesInstanceUID, seriesUid);
        series.put(sops);
        SequenceAttribute seriesSeq = new SequenceAttribute(TagFromName.ReferencedSeriesSequence);
        seriesSeq.addItem(series);
        AttributeList study = new AttributeList();
        put(study, TagFromName.StudyInstanceUID, studyUid);
        study.put(seriesSeq);
        SequenceAttribute evidence = new SequenceAttribute(TagFromName.CurrentRequestedProcedureEvidenceSequence);
        evidence.addItem(study);
        return evidence;
    }

    /**
     * The algorithm that made this object (IHE AI Results). The model's device UID is in the observer context: the
     * Contributing Equipment item has no Device UID attribute in the IOD that dciodvfy checks against.
     */
    private static SequenceAttribute contributingEquipment(ModelRef model) throws DicomException {
        AttributeList e = new AttributeList();
        e.put(CodedSequenceItem.newCodedSequenceAttribute(TagFromName.PurposeOfReferenceCodeSequence,
                SrCodes.PROCESSING_EQUIPMENT.item()));
        put(e, TagFromName.Manufacturer, MANUFACTURER);
        put(e, TagFromName.ManufacturerModelName, model.name());
        put(e, TagFromName.SoftwareVersions, model.version());
        put(e, TagFromName.ContributionDescription, "Machine grading by a demonstration model (synthetic training)");
        SequenceAttribute s = new SequenceAttribute(TagFromName.ContributingEquipmentSequence);
        s.addItem(e);
        return s;
    }

    private static SequenceAttribute codingSchemes() throws DicomException {
        AttributeList c = new AttributeList();
        put(c, TagFromName.CodingSchemeDesignator, SrCodes.SCHEME);
        put(c, TagFromName.CodingSchemeName, SrCodes.SCHEME_NAME);
        put(c, TagFromName.CodingSchemeResponsibleOrganization, SrCodes.SCHEME_ORGANISATION);
        SequenceAttribute s = new SequenceAttribute(TagFromName.CodingSchemeIdentificationSequence);
        s.addItem(c);
        return s;
    }

    private static String required(AttributeList source, AttributeTag tag, String name)
            throws SourceIncompleteException {
        String v = Attribute.getSingleStringValueOrEmptyString(source, tag).trim();
        if (v.isEmpty()) {
            throw new SourceIncompleteException("the graded image's header has no " + name
                    + ", so a report cannot be filed with it");
        }
        return v;
    }

    private static void copy(AttributeList from, AttributeList to, AttributeTag tag) {
        Attribute a = from.get(tag);
        if (a != null) to.put(a);
    }
}
