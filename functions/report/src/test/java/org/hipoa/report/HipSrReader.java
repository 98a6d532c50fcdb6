package org.hipoa.report;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.domain.Side;
import org.hipoa.domain.Feature;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads HipOA's grades back out of one of its SRs with PixelMed, by walking the content tree by concept codes (not
 * by position), as a consumer would. For tests here and in the other modules (the PACS round trip).
 */
public final class HipSrReader {
    private HipSrReader() {}

    /**
     * One hip as the SR states it; the point is DICOM column/row on the referenced image. A hip not assessed has no
     * grades and the code value of its reason.
     */
    public record Hip(Side side, String trackingIdentifier, String trackingUid, Map<Feature, Integer> grades,
                      float[] point, String referencedSopInstanceUid, Optional<String> notAssessed,
                      List<String> caption) {}

    public record Report(String studyInstanceUid, String deviceObserverUid, String deviceName,
                         String algorithmName, String algorithmVersion, Map<Side, Hip> hips) {}

    public static Report read(AttributeList sr) throws DicomException {
        ContentItem root = (ContentItem) new StructuredReport(sr).getRoot();
        if (!SrCodes.MEASUREMENT_REPORT.matches(root.getConceptName())) {
            throw new IllegalArgumentException("not an Imaging Measurement Report");
        }
        Map<Side, Hip> hips = new EnumMap<>(Side.class);
        String algorithmName = null, algorithmVersion = null;
        ContentItem measurements = only(root, SrCodes.IMAGING_MEASUREMENTS);
        for (ContentItem g : children(measurements, SrCodes.MEASUREMENT_GROUP)) {
            ContentItem site = only(g, SrCodes.FINDING_SITE);
            if (!SrCodes.HIP_JOINT.matches(((ContentItemFactory.CodeContentItem) site).getConceptCode())) {
                throw new IllegalArgumentException("a measurement group is not about a hip joint");
            }
            var laterality = ((ContentItemFactory.CodeContentItem) only(site, SrCodes.LATERALITY)).getConceptCode();
            Side side = SrCodes.RIGHT.matches(laterality) ? Side.RIGHT
                    : SrCodes.LEFT.matches(laterality) ? Side.LEFT : null;
            if (side == null) throw new IllegalArgumentException("a hip without right/left laterality");
            Map<Feature, Integer> grades = new EnumMap<>(Feature.class);
            Optional<String> notAssessed = children(g, SrCodes.NOT_ASSESSED).isEmpty() ? Optional.empty()
                    : Optional.of(((ContentItemFactory.CodeContentItem) only(g, SrCodes.NOT_ASSESSED)).getConceptCode()
                    .getCodeValue());
            for (Feature f : notAssessed.isPresent() ? new Feature[0] : Feature.values()) {
                var value = ((ContentItemFactory.CodeContentItem) only(g, SrCodes.feature(f))).getConceptCode();
                int grade = SrCodes.gradeOf(f, value);
                if (grade < 0) throw new IllegalArgumentException(f + " has an unknown value " + value);
                grades.put(f, grade);
            }
            ContentItem region = (ContentItem) only(g, SrCodes.FEATURES_GRADED).getChildAt(0);
            if (!"POINT".equals(region.getGraphicType())) throw new IllegalArgumentException("hip centre not a POINT");
            ContentItem image = (ContentItem) region.getChildAt(0);
            algorithmName = only(g, SrCodes.ALGORITHM_NAME).getSingleStringValueOrNull().strip();
            algorithmVersion = only(g, SrCodes.ALGORITHM_VERSION).getSingleStringValueOrNull().strip();
            Hip hip = new Hip(side, only(g, SrCodes.TRACKING_IDENTIFIER).getSingleStringValueOrNull().strip(),
                    only(g, SrCodes.TRACKING_UID).getSingleStringValueOrNull().strip(), grades, region.getGraphicData(),
                    image.getReferencedSOPInstanceUID(), notAssessed,
                    children(g, SrCodes.COMMENT).stream().map(c -> c.getSingleStringValueOrNull().strip()).toList());
            if (notAssessed.isPresent()) {
                for (Feature f : Feature.values()) {
                    if (!children(g, SrCodes.feature(f)).isEmpty()) {
                        throw new IllegalArgumentException("a hip not assessed has a grade of " + f);
                    }
                }
            }
            if (hips.put(side, hip) != null) throw new IllegalArgumentException("two groups for the " + side + " hip");
        }
        return new Report(Attribute.getSingleStringValueOrNull(sr, TagFromName.StudyInstanceUID),
                only(root, SrCodes.DEVICE_OBSERVER_UID).getSingleStringValueOrNull().strip(),
                only(root, SrCodes.DEVICE_OBSERVER_NAME).getSingleStringValueOrNull().strip(),
                algorithmName, algorithmVersion, hips);
    }

    /** TEXT and UIDREF values come back with DICOM's even-length padding; strip it as any reader would. */
    static List<ContentItem> children(ContentItem parent, SrCodes.Code concept) {
        List<ContentItem> out = new ArrayList<>();
        for (int i = 0; i < parent.getChildCount(); i++) {
            ContentItem c = (ContentItem) parent.getChildAt(i);
            if (concept.matches(c.getConceptName())) out.add(c);
        }
        return out;
    }

    static ContentItem only(ContentItem parent, SrCodes.Code concept) {
        List<ContentItem> found = children(parent, concept);
        if (found.size() != 1) {
            throw new IllegalArgumentException(found.size() + " items named " + concept.meaning() + ", expected one");
        }
        return found.getFirst();
    }
}
