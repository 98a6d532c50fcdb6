package org.hipoa.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.domain.Fixtures;
import org.hipoa.domain.result.NotGradable;
import org.hipoa.domain.result.ResultRecord;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A partner reading an upload with one hip refused: the body openapi.yaml promises (a GRADED upload, one hip
 * NOT_GRADABLE with its reason and no grades, the other graded), and the contract refuses the mixes a client must
 * never see.
 */
class NotGradableContractTest {
    static APIGatewayProxyRequestEvent get(ResultRecord r) {
        return new APIGatewayProxyRequestEvent().withHttpMethod("GET").withPath("/v1/uploads/" + r.uploadId());
    }

    @Test
    void aRefusedHip_isPartOfAGradedUpload_withItsReasonAndNoGrades() {
        for (NotGradable why : NotGradable.values()) {
            ResultRecord r = Fixtures.gradedOneHipRefused(why);
            APIGatewayProxyResponseEvent response = ApiResponses.ok(ResultJson.of(r));
            ApiContract.assertValid(get(r), response);
            JsonNode body = ResultJson.of(r);
            assertEquals("GRADED", body.get("status").asText());
            JsonNode right = body.get("hips").get("right"), left = body.get("hips").get("left");
            assertEquals("NOT_GRADABLE", right.get("status").asText());
            assertEquals(why.name(), right.get("reason").asText());
            assertEquals(why.plainWords(), right.get("reasonText").asText());
            assertFalse(right.has("fo") || right.has("probabilities"), right.toString());
            assertEquals("GRADED", left.get("status").asText());
            assertTrue(left.has("fo") && left.has("probabilities"));
        }
    }

    @Test
    void theContractBites_gradesBesideARefusal_orARefusalWithoutReason() {
        ResultRecord r = Fixtures.gradedOneHipRefused(NotGradable.HARDWARE);
        ObjectNode withGrades = ResultJson.of(r);
        ((ObjectNode) withGrades.get("hips").get("right")).put("fo", 2);
        assertThrows(AssertionError.class, () -> ApiContract.assertValid(get(r), ApiResponses.ok(withGrades)));
        ObjectNode withoutReason = ResultJson.of(r);
        ((ObjectNode) withoutReason.get("hips").get("right")).remove("reason");
        assertThrows(AssertionError.class, () -> ApiContract.assertValid(get(r), ApiResponses.ok(withoutReason)));
    }
}
