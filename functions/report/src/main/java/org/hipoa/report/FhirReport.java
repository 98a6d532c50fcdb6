package org.hipoa.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.domain.Feature;
import org.hipoa.domain.GradingCodes;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.HipResult;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.domain.result.NotGradable;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A GRADED result as a FHIR R4 {@code Bundle} (type {@code collection}) for partners: one {@code DiagnosticReport}
 * (preliminary, imaging), ten {@code Observation}s (five features per hip) and the {@code Device} that graded them
 * (docs/SR.md, "FHIR R4"). Written with Jackson against the R4 spec rather than HAPI FHIR's model: the API's zip
 * stays small (HAPI's R4 structures and their dependencies are tens of megabytes and a slower cold start for ten
 * small resources); the tests read every bundle back with HAPI's strict R4 parser instead.
 *
 * <p>It carries no patient: no {@code Patient} resource, no {@code subject}; the study is referenced by its
 * {@code studyKey} identifier (a keyed hash), never by its UID. The codes are those of the DICOM SR
 * ({@link SrCodes}, scheme 99HIPOA; both read {@code GradingCodes}), under the FHIR system {@link #CODE_SYSTEM};
 * FhirCodesMatchSrCodesTest holds the two tables equal. No PixelMed here: the API's zip carries this class without
 * the SR's libraries (functions/report/pom.xml).
 */
public final class FhirReport {
    private FhirReport() {}

    public static final String MEDIA_TYPE = "application/fhir+json";
    /** HipOA's private code system (DICOM designator 99HIPOA), as a FHIR system URI. */
    public static final String CODE_SYSTEM = "http://hipoa.example/fhir/CodeSystem/99HIPOA";
    public static final String SNOMED = "http://snomed.info/sct";
    /** Identifier systems for our own keys: neither is a patient or DICOM attribute. */
    public static final String STUDY_KEY_SYSTEM = "http://hipoa.example/fhir/sid/study-key";
    public static final String UPLOAD_ID_SYSTEM = "http://hipoa.example/fhir/sid/upload-id";
    public static final String NOTICE = "Machine grades from a demonstration model trained only on synthetic phantom"
            + " radiographs. No person has verified them; they say nothing about a real patient.";

    /** One code: the same value and meaning as the SR's. */
    public record Code(String system, String code, String display) {}

    static final String DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason";

    public static final Code HIP_JOINT = of(GradingCodes.HIP_JOINT);
    public static final Code LATERALITY = of(GradingCodes.LATERALITY);
    public static final Code RIGHT = of(GradingCodes.RIGHT);
    public static final Code LEFT = of(GradingCodes.LEFT);
    public static final Code PRESENT = of(GradingCodes.PRESENT);
    public static final Code ABSENT = of(GradingCodes.ABSENT);
    /** The report's own code: no LOINC code names an AI hip-OA grading, so it is ours (docs/SR.md). */
    public static final Code REPORT = new Code(CODE_SYSTEM, "REPORT", "HipOA hip osteoarthritis grading report");

    /** A shared concept as a FHIR coding. */
    static Code of(GradingCodes.Concept c) {
        return new Code(c.snomed() ? SNOMED : CODE_SYSTEM, c.value(), c.meaning());
    }

    public static Code feature(Feature f) {
        return of(GradingCodes.feature(f));
    }

    public static Code grade(Feature f, int grade) {
        return of(GradingCodes.grade(f, grade));
    }

    public static Code laterality(Side side) {
        return of(GradingCodes.laterality(side));
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The bundle of a GRADED record. Resource ids are name-based UUIDs of the upload id (and hip, feature), so the
     * same result always gives the same bundle.
     *
     * @throws IllegalArgumentException when the record is not GRADED
     */
    public static ObjectNode bundle(ResultRecord r) {
        if (r.status() != Status.GRADED || r.model().isEmpty() || r.hips().size() != 2) {
            throw new IllegalArgumentException("only a GRADED result has a FHIR report");
        }
        ModelRef model = r.model().get();
        String issued = ResultRecord.TIME.format(r.updatedAt());
        String deviceUrl = urn(r, "device");
        ObjectNode studyRef = r.studyKey().map(k -> {
            ObjectNode ref = JSON.createObjectNode().put("type", "ImagingStudy");
            ref.putObject("identifier").put("system", STUDY_KEY_SYSTEM).put("value", k);
            return ref;
        }).orElse(null);

        ObjectNode bundle = JSON.createObjectNode().put("resourceType", "Bundle").put("id", uuid(r, "bundle"));
        bundle.putObject("identifier").put("system", UPLOAD_ID_SYSTEM).put("value", r.uploadId());
        bundle.put("type", "collection").put("timestamp", issued);
        ArrayNode entries = bundle.putArray("entry");

        ObjectNode report = JSON.createObjectNode().put("resourceType", "DiagnosticReport").put("id", uuid(r, "report"));
        report.putArray("identifier").addObject().put("system", UPLOAD_ID_SYSTEM).put("value", r.uploadId());
        report.put("status", "preliminary");
        report.putArray("category").addObject().putArray("coding").addObject()
                .put("system", "http://terminology.hl7.org/CodeSystem/v2-0074").put("code", "RAD")
                .put("display", "Radiology");
        report.set("code", concept(List.of(REPORT), "Hip osteoarthritis grades (machine, demonstration model)"));
        report.put("issued", issued);
        if (studyRef != null) report.putArray("imagingStudy").add(studyRef.deepCopy());
        ArrayNode results = report.putArray("result");
        StringBuilder conclusion = new StringBuilder();
        List<ObjectNode> observations = new ArrayList<>();
        for (Side side : new Side[]{Side.RIGHT, Side.LEFT}) {
            HipResult hip = r.hips().get(side);
            String hipName = side == Side.RIGHT ? "Right hip" : "Left hip";
            conclusion.append(hipName).append(':');
            if (hip.notGradable().isPresent()) {
                conclusion.append(" not graded (").append(hip.notGradable().get().plainWords()).append(')');
            }
            for (Feature f : Feature.values()) {
                String url = urn(r, "obs/" + side + "/" + f);
                results.addObject().put("reference", url);
                if (hip.grades().isEmpty()) {
                    observations.add(observation(r, side, f, null, hip.notGradable().get(), issued, deviceUrl,
                            studyRef));
                    continue;
                }
                int g = hip.grades().get().grade(f);
                Code value = grade(f, g);
                conclusion.append(' ').append(f == Feature.SCLEROSIS ? "sclerosis" : f == Feature.CYSTS ? "cysts"
                        : f.name()).append(' ').append(f.isBinary() ? value.display().toLowerCase(java.util.Locale.ROOT)
                        : String.valueOf(g)).append(f == Feature.CYSTS ? "" : ",");
                observations.add(observation(r, side, f, value, null, issued, deviceUrl, studyRef));
            }
            conclusion.append(". ");
        }
        report.put("conclusion", conclusion.append(NOTICE).toString());
        add(entries, urn(r, "report"), report);
        for (ObjectNode o : observations) {
            add(entries, "urn:uuid:" + o.get("id").asText(), o);
        }
        add(entries, deviceUrl, device(r, model));
        return bundle;
    }

    /** One feature of one hip: its grade ({@code value}), or why there is none ({@code absent}). */
    private static ObjectNode observation(ResultRecord r, Side side, Feature f, Code value, NotGradable absent,
                                          String issued, String deviceUrl, ObjectNode studyRef) {
        String key = side + "/" + f;
        ObjectNode o = JSON.createObjectNode().put("resourceType", "Observation").put("id", uuid(r, "obs/" + key));
        o.put("status", "preliminary");
        o.putArray("category").addObject().putArray("coding").addObject()
                .put("system", "http://terminology.hl7.org/CodeSystem/observation-category").put("code", "imaging")
                .put("display", "Imaging");
        o.set("code", concept(List.of(feature(f)), null));
        o.put("issued", issued);
        if (value != null) {
            o.set("valueCodeableConcept", concept(List.of(value), null));
        } else {
            // R4 obs-6: dataAbsentReason only when there is no value. A replaced joint has no native joint to grade
            // (not-applicable); otherwise the grading was not done (not-performed). The reason in words beside it.
            boolean replaced = absent == NotGradable.ARTHROPLASTY;
            ObjectNode why = o.putObject("dataAbsentReason");
            why.putArray("coding").addObject().put("system", DATA_ABSENT_REASON)
                    .put("code", replaced ? "not-applicable" : "not-performed")
                    .put("display", replaced ? "Not Applicable" : "Not Performed");
            why.put("text", "Not graded: " + absent.plainWords());
        }
        o.putArray("note").addObject().put("text", NOTICE);
        // R4's bodySite is one CodeableConcept: the lateralised site as a SNOMED CT post-coordinated expression
        // (hip joint, laterality = side), with the plain hip joint beside it for readers that take no expressions.
        Code lat = laterality(side);
        Code sided = new Code(SNOMED, HIP_JOINT.code() + ":" + LATERALITY.code() + "=" + lat.code(),
                lat.display() + " hip joint");
        o.set("bodySite", concept(List.of(sided, HIP_JOINT), lat.display() + " hip joint"));
        o.putObject("device").put("reference", deviceUrl);
        if (studyRef != null) o.putArray("derivedFrom").add(studyRef.deepCopy());
        return o;
    }

    private static ObjectNode device(ResultRecord r, ModelRef model) {
        ObjectNode d = JSON.createObjectNode().put("resourceType", "Device").put("id", uuid(r, "device"));
        d.put("manufacturer", "HipOA project");
        ArrayNode names = d.putArray("deviceName");
        names.addObject().put("name", model.name()).put("type", "model-name");
        d.putArray("version").addObject().put("value", model.version());
        d.putArray("note").addObject().put("text", "Demonstration grading model trained only on synthetic phantom"
                + " radiographs; not a medical device.");
        return d;
    }

    private static ObjectNode concept(List<Code> codes, String text) {
        ObjectNode c = JSON.createObjectNode();
        ArrayNode coding = c.putArray("coding");
        for (Code k : codes) coding.addObject().put("system", k.system()).put("code", k.code()).put("display", k.display());
        if (text != null) c.put("text", text);
        return c;
    }

    private static void add(ArrayNode entries, String fullUrl, ObjectNode resource) {
        entries.addObject().put("fullUrl", fullUrl).set("resource", resource);
    }

    private static String uuid(ResultRecord r, String part) {
        return UUID.nameUUIDFromBytes(("hipoa-fhir/" + r.uploadId() + "/" + part).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /** Entries are named {@code urn:uuid:} + the resource id, so references resolve inside the bundle. */
    private static String urn(ResultRecord r, String part) {
        return "urn:uuid:" + uuid(r, part);
    }
}
