package org.hipoa.local.iam;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a function's role may touch in the results table, decided by template.yaml's own statements through the local
 * IAM engine: the API reads result and grant items but not the providers' DICOMweb endpoints (whose secrets' names
 * it has no business with), and export reads an endpoint item but writes result items only.
 */
class RoleBoundariesTest {
    static final LocalIam IAM = LocalIam.fromTemplate(CfnTemplateTest.template());
    static final String TABLE = CfnTemplateTest.TABLE_ARN;

    static Decision as(String role, String action, String leadingKey) {
        return IAM.decide(role, new IamRequest(action, TABLE, Map.of("dynamodb:LeadingKeys", List.of(leadingKey))));
    }

    @Test
    void theApiReadsResultsAndGrants_notTheProvidersEndpointItems() {
        assertEquals(Decision.ALLOW, as("ApiRole", "dynamodb:GetItem", "UPLOAD#0123456789abcdef"));
        assertEquals(Decision.ALLOW, as("ApiRole", "dynamodb:GetItem", "APIKEY#k"));
        assertEquals(Decision.IMPLICIT_DENY, as("ApiRole", "dynamodb:GetItem", "PROVIDER#acme"));
        assertEquals(Decision.IMPLICIT_DENY, as("ApiRole", "dynamodb:UpdateItem", "UPLOAD#0123456789abcdef"));
    }

    @Test
    void exportReadsAnEndpointItem_butWritesResultItemsOnly() {
        assertEquals(Decision.ALLOW, as("ExportRole", "dynamodb:GetItem", "PROVIDER#acme"));
        assertEquals(Decision.ALLOW, as("ExportRole", "dynamodb:UpdateItem", "UPLOAD#0123456789abcdef"));
        assertEquals(Decision.IMPLICIT_DENY, as("ExportRole", "dynamodb:UpdateItem", "PROVIDER#acme"));
    }

    @Test
    void theApiQueriesEveryListingIndex() {
        for (String index : List.of("byProvider", "byStudy", "byProviderUpdated")) {
            assertEquals(Decision.ALLOW, IAM.decide("ApiRole", IamRequest.of("dynamodb:Query", TABLE + "/index/" + index)),
                    index);
        }
    }
}
