package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.local.runtime.IamAgent;
import org.hipoa.local.runtime.LambdaProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * template.yaml's IAM inside function processes: ApiFunction, run from its zip through the Lambda runtime interface
 * client, reads the table as ApiRole may — and the same package, with ApiRole's GetItem statement taken out of the
 * template its process's IAM is built from, is refused as AWS would refuse it. The package carries no IAM of its own:
 * the refusal can only come from the agent the stack puts beside it. Needs the packages: {@code mvn package}.
 */
@Timeout(300)
class ProcessIamTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROVIDER = "acme";

    @Test
    void apiProcess_readsAsApiRole_andWithoutItsGetItemStatementIsDenied(@TempDir Path tmp) throws Exception {
        try (EmbeddedAws aws = EmbeddedAws.builder().processes(true).start()) {
            aws.grantApiKey(Set.of(PROVIDER));
            ProcessFunction<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> api =
                    (ProcessFunction<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent>) aws.apiFunction();
            String event = getUpload(aws.apiKey());

            // Through the local API Gateway, as a partner: the key's grant and the (absent) result are read.
            var answer = new LocalApiClient(aws.apiBaseUrl(), aws.apiKey())
                    .get("/v1/uploads/3f9a1c2e7b4d5a6f8e0b1c2d3e4f5a6b");
            assertEquals(404, answer.status(), answer.body().toString());
            assertEquals(1, api.environmentsCreated(), "one process served it");
            assertFalse(logs(api).contains("is not authorized"), logs(api));

            // The same process configuration, its IAM built from a template without ReadOneResultAndGrants.
            Path template = tmp.resolve("template.yaml");
            Files.writeString(template, withoutStatement(Files.readString(
                    EmbeddedAws.repositoryRoot().resolve("template.yaml")), "ReadOneResultAndGrants"));
            LambdaProcess.Agent stripped = IamAgent.of(aws.iamSpec().orElseThrow().withTemplate(template),
                    tmp.resolve("iam"));
            try (ProcessFunction<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> denied =
                         api.withAgent(stripped)) {
                APIGatewayProxyResponseEvent r = denied.invoke(event);
                assertEquals(500, r.getStatusCode(), r.getBody());
                String log = logs(denied);
                assertTrue(log.contains("is not authorized to perform: dynamodb:GetItem"), log);
                assertTrue(log.contains(":assumed-role/ApiRole") || log.contains("ApiRole"), log);
            }
        }
    }

    private static String getUpload(String apiKey) throws Exception {
        ObjectNode e = (ObjectNode) JSON.readTree(Files.readString(
                EmbeddedAws.repositoryRoot().resolve("events/api-get-upload.json")));
        ((ObjectNode) e.at("/requestContext/identity")).put("apiKey", apiKey);
        return e.toString();
    }

    /** The template's text less one statement (from its Sid line to the next statement or policy). */
    static String withoutStatement(String template, String sid) {
        String start = "              - Sid: " + sid + "\n";
        int from = template.indexOf(start);
        if (from < 0) throw new IllegalArgumentException("no statement " + sid);
        int to = template.indexOf("\n              - Sid: ", from + start.length());
        int end = template.indexOf("\n\n", from);
        int cut = to < 0 || (end >= 0 && end < to) ? end : to;
        return template.substring(0, from) + template.substring(cut + 1);
    }

    private static String logs(ProcessFunction<?, ?> f) throws Exception {
        StringBuilder b = new StringBuilder();
        for (Path p : f.logFiles()) b.append(Files.readString(p));
        return b.toString();
    }
}
