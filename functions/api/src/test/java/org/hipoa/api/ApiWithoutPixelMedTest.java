package org.hipoa.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.domain.Fixtures;
import org.hipoa.report.FhirReport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The API takes the FHIR bundle from the report module, whose SR side (PixelMed, the DICOM reading and its image
 * codecs) is optional there (functions/report/pom.xml): this test runs on the API's classpath, so a change that
 * pulls them into the API's zip, or makes the FHIR bundle need them, fails here.
 */
class ApiWithoutPixelMedTest {
    @Test
    void pixelMedIsNotOnTheClasspath_andTheFhirBundleIsBuiltAllTheSame() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("com.pixelmed.dicom.AttributeList"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.hipoa.dicom.RadiographDecoder"));
        ObjectNode bundle = FhirReport.bundle(Fixtures.graded());
        assertEquals("Bundle", bundle.get("resourceType").asText());
    }
}
