package org.hipoa.api;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.domain.Feature;
import org.hipoa.domain.Fixtures;
import org.hipoa.domain.result.NotGradable;
import com.fasterxml.jackson.databind.JsonNode;
import org.hipoa.domain.GradingCodes;
import org.hipoa.report.FhirReport;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.utilities.http.ManagedWebAccess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FHIR bundle checked by the HL7 instance validator (HAPI's {@code FhirInstanceValidator} over
 * org.hl7.fhir.validation) against R4's own definitions, fully offline: the support chain holds no remote terminology
 * server, and a recording {@link ProxySelector} proves that no connection leaves the machine (CI may have no route
 * to a terminology server), and FHIR core's web access policy is PROHIBITED. Our private code system (99HIPOA) is given to the validator as a {@code CodeSystem}
 * built from {@link GradingCodes}, so our codes are checked rather than waved through as "unknown system".
 */
class FhirValidationTest {
    static FhirValidator validator;
    static ProxySelector previous;
    /** Every destination any HTTP client or plain socket in this JVM tried to reach while the validator ran. */
    static final Set<String> outbound = Collections.synchronizedSet(new LinkedHashSet<>());
    static long firstUseMs;
    static ManagedWebAccess.WebAccessPolicy policy;

    @BeforeAll
    static void validator() {
        previous = ProxySelector.getDefault();
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                outbound.add(uri.toString());
                return List.of(Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException e) {}
        });
        // Belt and braces: FHIR core's own web access (package downloads, terminology) is refused outright, so a
        // validation that needed the network would fail here rather than pass on a machine that has one.
        policy = ManagedWebAccess.getAccessPolicy();
        ManagedWebAccess.setAccessPolicy(ManagedWebAccess.WebAccessPolicy.PROHIBITED);
        long t0 = System.nanoTime();
        FhirContext r4 = FhirContext.forR4();
        PrePopulatedValidationSupport ours = new PrePopulatedValidationSupport(r4);
        ours.addCodeSystem(codeSystem());
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(r4),
                ours,
                new InMemoryTerminologyServerValidationSupport(r4),
                new CommonCodeSystemsTerminologyService(r4),
                new SnapshotGeneratingValidationSupport(r4));
        validator = r4.newValidator();
        validator.registerValidatorModule(new FhirInstanceValidator(chain));
        // The first validation loads R4's definitions: that is the cost a test pays once.
        validate(FhirReport.bundle(Fixtures.graded()).toString());
        firstUseMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[FhirValidationTest] validator first use (R4 definitions loaded + one bundle): "
                + firstUseMs + " ms");
    }

    @AfterAll
    static void restore() {
        ProxySelector.setDefault(previous);
        ManagedWebAccess.setAccessPolicy(policy);
    }

    @Test
    void theRecorderSeesConnections() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/probe";
        var c = (java.net.HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(1000);
        assertThrows(IOException.class, c::connect);
        assertTrue(outbound.stream().anyMatch(u -> u.contains(":" + port)), outbound.toString());
    }

    /** HipOA's private scheme as FHIR sees it: every feature and grade code of GradingCodes, plus the report code. */
    static CodeSystem codeSystem() {
        CodeSystem cs = new CodeSystem();
        cs.setUrl(FhirReport.CODE_SYSTEM);
        cs.setName("HipOA99HIPOA");
        cs.setTitle("HipOA demonstration hip osteoarthritis grading (DICOM designator 99HIPOA)");
        cs.setStatus(Enumerations.PublicationStatus.DRAFT);
        cs.setCaseSensitive(true);
        cs.setContent(CodeSystem.CodeSystemContentMode.COMPLETE);
        Set<String> added = new LinkedHashSet<>();
        for (Feature f : Feature.values()) {
            add(cs, added, GradingCodes.feature(f));
            for (int g = 0; g < f.classes(); g++) add(cs, added, GradingCodes.grade(f, g));
        }
        cs.addConcept().setCode(FhirReport.REPORT.code()).setDisplay(FhirReport.REPORT.display());
        return cs;
    }

    private static void add(CodeSystem cs, Set<String> added, GradingCodes.Concept c) {
        if (!c.snomed() && added.add(c.value())) cs.addConcept().setCode(c.value()).setDisplay(c.meaning());
    }

    static List<SingleValidationMessage> validate(String json) {
        return validator.validateWithResult(json).getMessages();
    }

    static List<SingleValidationMessage> errors(List<SingleValidationMessage> messages) {
        List<SingleValidationMessage> e = new ArrayList<>();
        for (SingleValidationMessage m : messages) {
            if (m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL) e.add(m);
        }
        return e;
    }

    static String show(List<SingleValidationMessage> messages) {
        StringBuilder s = new StringBuilder();
        for (SingleValidationMessage m : messages) {
            s.append("  ").append(m.getSeverity()).append(' ').append(m.getLocationString()).append(": ")
                    .append(m.getMessage()).append('\n');
        }
        return s.toString();
    }

    @Test
    void gradedStudy_bothHipsAllFeatures_validatesAgainstR4_withNoErrors_offline() {
        String json = FhirReport.bundle(Fixtures.graded()).toString();
        long t0 = System.nanoTime();
        List<SingleValidationMessage> messages = validate(json);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[FhirValidationTest] graded bundle, " + messages.size() + " messages (warm validation "
                + ms + " ms):\n" + show(messages));
        assertEquals(List.of(), errors(messages).stream().map(SingleValidationMessage::toString).toList());
        // Our codes were checked against the CodeSystem, not skipped as an unknown system.
        for (SingleValidationMessage m : messages) {
            assertFalse(m.getMessage().contains(FhirReport.CODE_SYSTEM) && m.getMessage().toLowerCase().contains("unknown"),
                    m.toString());
        }
        assertNoOutbound();
    }

    @Test
    void aHipNotGradable_hasObservationsWithDataAbsentReason_andValidates() throws Exception {
        for (NotGradable why : NotGradable.values()) {
            ObjectNode bundle = FhirReport.bundle(Fixtures.gradedOneHipRefused(why));
            List<SingleValidationMessage> messages = validate(bundle.toString());
            assertEquals(List.of(), errors(messages).stream().map(SingleValidationMessage::toString).toList(),
                    why.name());
            int absent = 0, valued = 0;
            for (JsonNode e : bundle.get("entry")) {
                JsonNode r = e.get("resource");
                if (!"Observation".equals(r.get("resourceType").asText())) continue;
                if (r.has("dataAbsentReason")) {
                    absent++;
                    assertFalse(r.has("valueCodeableConcept"), "obs-6: no value beside dataAbsentReason");
                    assertTrue(r.get("dataAbsentReason").get("text").asText().contains(why.plainWords()));
                    assertEquals(why == NotGradable.ARTHROPLASTY ? "not-applicable" : "not-performed",
                            r.get("dataAbsentReason").get("coding").get(0).get("code").asText());
                } else {
                    valued++;
                }
            }
            assertEquals(5, absent, "the refused hip's five features");
            assertEquals(5, valued, "the other hip is still graded");
            String conclusion = bundle.get("entry").get(0).get("resource").get("conclusion").asText();
            assertTrue(conclusion.startsWith("Right hip: not graded (" + why.plainWords() + ")"), conclusion);
        }
        assertNoOutbound();
    }

    @Test
    void theValidatorBites_aReportWithoutStatus_isAnError() {
        List<SingleValidationMessage> errors = errorsOfChanged("DiagnosticReport without status", bundle -> {
            ObjectNode report = (ObjectNode) bundle.get("entry").get(0).get("resource");
            assertEquals("DiagnosticReport", report.get("resourceType").asText());
            report.remove("status");
        });
        assertTrue(errors.stream().anyMatch(m -> m.getLocationString().contains("DiagnosticReport")
                && m.getMessage().contains("status")), show(errors));
        assertNoOutbound();
    }

    @Test
    void theValidatorBites_aGradeOutsideOurCodeSystem_isAnError() {
        List<SingleValidationMessage> errors = errorsOfChanged("Observation.code G7", bundle -> {
            ObjectNode obs = (ObjectNode) bundle.get("entry").get(1).get("resource");
            assertEquals("Observation", obs.get("resourceType").asText());
            ObjectNode coding = (ObjectNode) obs.get("code").get("coding").get(0);
            assertEquals(FhirReport.CODE_SYSTEM, coding.get("system").asText());
            coding.put("code", "G7");
        });
        assertTrue(errors.stream().anyMatch(m -> m.getMessage().contains("G7")), show(errors));
        assertNoOutbound();
    }

    /** The negative controls: our bundle with one change, and the validator's errors on it (printed for a reader). */
    static List<SingleValidationMessage> errorsOfChanged(String change, java.util.function.Consumer<ObjectNode> edit) {
        ObjectNode bundle = FhirReport.bundle(Fixtures.graded());
        edit.accept(bundle);
        List<SingleValidationMessage> errors = errors(validate(bundle.toString()));
        System.out.println("[FhirValidationTest] " + change + ":\n" + show(errors));
        return errors;
    }

    static void assertNoOutbound() {
        List<String> remote;
        synchronized (outbound) {
            remote = outbound.stream().filter(u -> !u.contains("127.0.0.1") && !u.contains("localhost")).toList();
        }
        assertEquals(List.of(), remote, "the validator must not reach any server");
    }
}
