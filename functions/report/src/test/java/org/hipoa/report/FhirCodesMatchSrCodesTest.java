package org.hipoa.report;

import org.hipoa.domain.Feature;
import org.hipoa.domain.Side;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
The FHIR bundle and the SR each spell the grading codes in their own form: a partner reading FHIR and a
 * radiologist reading the SR in the PACS must see the same code for the same finding, so the two tables are held
 * equal here, code by code.
 */
class FhirCodesMatchSrCodesTest {
    @Test
    void everyFeatureGradeAndSideHasTheSameCodeInTheSrAndInFhir() {
        for (Feature f : Feature.values()) {
            same(SrCodes.feature(f), FhirReport.feature(f));
            for (int g = 0; g < f.classes(); g++) same(SrCodes.grade(f, g), FhirReport.grade(f, g));
        }
        for (Side s : Side.values()) same(SrCodes.laterality(s), FhirReport.laterality(s));
        same(SrCodes.HIP_JOINT, FhirReport.HIP_JOINT);
        same(SrCodes.PRESENT, FhirReport.PRESENT);
        same(SrCodes.ABSENT, FhirReport.ABSENT);
    }

    static void same(SrCodes.Code sr, FhirReport.Code fhir) {
        String system = switch (sr.scheme()) {
            case "SCT" -> FhirReport.SNOMED;
            case SrCodes.SCHEME -> FhirReport.CODE_SYSTEM;
            default -> throw new AssertionError("no FHIR system for scheme " + sr.scheme());
        };
        assertEquals(system, fhir.system(), sr.toString());
        assertEquals(sr.value(), fhir.code(), sr.toString());
        assertEquals(sr.meaning(), fhir.display(), sr.toString());
    }
}
