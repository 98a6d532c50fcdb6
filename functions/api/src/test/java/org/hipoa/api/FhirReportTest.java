package org.hipoa.api;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.domain.Feature;
import org.hipoa.domain.Fixtures;
import org.hipoa.domain.Side;
import org.hipoa.report.FhirReport;
import org.hipoa.domain.result.HipResult;
import org.hipoa.domain.result.ResultRecord;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The FHIR bundle of a graded result, read back by an independent R4 parser (HAPI, strict) and the contract. */
class FhirReportTest {
    static final FhirContext R4 = FhirContext.forR4();

    static Bundle parse(String json) {
        IParser p = R4.newJsonParser();
        p.setParserErrorHandler(new StrictErrorHandler()); // an unknown element or a wrong type fails
        return p.parseResource(Bundle.class, json);
    }

    static boolean has(CodeableConcept c, String system, String code) {
        for (Coding k : c.getCoding()) if (system.equals(k.getSystem()) && code.equals(k.getCode())) return true;
        return false;
    }

    @Test
    void gradedResult_isAStrictR4Bundle_withTenObservations_theDevice_andNoPatient() throws Exception {
        ResultRecord r = Fixtures.graded();
        var response = ApiHandler.fhirResponse(r);
        assertEquals("application/fhir+json", response.getHeaders().get("Content-Type"));
        // The handler's 200 as the contract describes it.
        ApiContract.assertValid(new APIGatewayProxyRequestEvent().withHttpMethod("GET")
                .withPath("/v1/uploads/" + r.uploadId() + "/fhir"), response);
        String json = response.getBody();
        Bundle b = parse(json);
        assertEquals(Bundle.BundleType.COLLECTION, b.getType());

        Map<String, Resource> byUrl = new HashMap<>();
        for (var e : b.getEntry()) assertNull(byUrl.put(e.getFullUrl(), e.getResource()), "duplicate " + e.getFullUrl());
        DiagnosticReport report = null;
        int observations = 0;
        for (Resource res : byUrl.values()) {
            switch (res) {
                case DiagnosticReport d -> report = d;
                case Observation o -> observations++;
                case Device d -> { }
                default -> throw new AssertionError("unexpected resource " + res.fhirType());
            }
        }
        assertNotNull(report);
        assertEquals(10, observations);
        assertEquals(DiagnosticReport.DiagnosticReportStatus.PRELIMINARY, report.getStatus());
        assertTrue(has(report.getCategoryFirstRep(), "http://terminology.hl7.org/CodeSystem/v2-0074", "RAD"));
        assertTrue(report.getConclusion().contains("demonstration model"));
        assertFalse(report.hasSubject());
        assertEquals(r.studyKey().orElseThrow(), report.getImagingStudyFirstRep().getIdentifier().getValue());

        // Every reference resolves inside the bundle; each hip and feature once, with the stored grade.
        Set<String> seen = new HashSet<>();
        for (Reference ref : report.getResult()) {
            Observation o = (Observation) byUrl.get(ref.getReference());
            assertNotNull(o, ref.getReference());
            assertEquals(Observation.ObservationStatus.PRELIMINARY, o.getStatus());
            assertFalse(o.hasSubject());
            Device d = (Device) byUrl.get(o.getDevice().getReference());
            assertEquals(r.model().orElseThrow().name(), d.getDeviceNameFirstRep().getName());
            assertEquals(r.model().orElseThrow().version(), d.getVersionFirstRep().getValue());
            assertEquals(r.studyKey().orElseThrow(), o.getDerivedFromFirstRep().getIdentifier().getValue());
            assertTrue(has(o.getBodySite(), FhirReport.SNOMED, "24136001"));
            Side side = has(o.getBodySite(), FhirReport.SNOMED, "24136001:272741003=24028007") ? Side.RIGHT
                    : has(o.getBodySite(), FhirReport.SNOMED, "24136001:272741003=7771000") ? Side.LEFT : null;
            assertNotNull(side, "laterality");
            Feature f = null;
            for (Feature x : Feature.values()) {
                if (has(o.getCode(), FhirReport.CODE_SYSTEM, FhirReport.feature(x).code())) f = x;
            }
            assertNotNull(f, "feature code");
            assertTrue(seen.add(side + "/" + f));
            HipResult hip = r.hips().get(side);
            FhirReport.Code want = FhirReport.grade(f, hip.grades().orElseThrow().grade(f));
            assertTrue(has(o.getValueCodeableConcept(), want.system(), want.code()), side + " " + f);
            if (f.isBinary()) assertEquals(FhirReport.SNOMED, want.system());
        }
        assertEquals(10, seen.size());

        // No patient anywhere: no Patient resource, no subject, no name / identifier-of-patient / birth date field.
        JsonNode tree = new ObjectMapper().readTree(json);
        for (String field : new String[]{"subject", "patient", "birthDate", "PatientName", "PatientID"}) {
            assertTrue(tree.findValues(field).isEmpty(), field);
        }
        // The one "name" is the Device's model name (Device.deviceName), not a person's.
        for (JsonNode n : tree.findValues("name")) assertEquals(r.model().orElseThrow().name(), n.asText());
        assertFalse(json.contains("\"Patient\""));
        assertFalse(json.contains(r.objectKey(Fixtures.KEYS)), "the object key names the provider's file");
    }

    @Test
    void sameResult_sameBundle() {
        assertEquals(FhirReport.bundle(Fixtures.graded()), FhirReport.bundle(Fixtures.graded()));
    }

    @Test
    void onlyGradedResultsHaveABundle() {
        ResultRecord graded = Fixtures.graded();
        ResultRecord received = ResultRecord.received(graded.uploadId(), Fixtures.REF, Fixtures.KEYS, Fixtures.T0);
        assertThrows(IllegalArgumentException.class, () -> FhirReport.bundle(received));
    }
}
