package org.hipoa.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** template.yaml read through CfnTemplate: short forms kept, role statements resolved to the ARNs the binding gives. */
class CfnTemplateTest {
    static final String ACCOUNT = "000000000000";
    static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/hipoa-results";
    static final String QUEUE_ARN = "arn:aws:sqs:us-east-1:" + ACCOUNT + ":hipoa-claim-check";

    static CfnTemplate template() {
        return CfnTemplate.load(Path.of("../../template.yaml")).withBinding(CfnBinding.builder()
                .parameter("Stage", "local")
                .resource("ResultsTable", "hipoa-results", Map.of("Arn", TABLE_ARN))
                .resource("ClaimCheckQueue", "http://127.0.0.1:9324/000000000000/hipoa-claim-check",
                        Map.of("Arn", QUEUE_ARN, "QueueName", "hipoa-claim-check"))
                .build());
    }

    static List<String> resources(CfnTemplate t, String role, String sid) {
        JsonNode policies = t.resolve(t.resource(role).path("Properties").path("Policies"));
        List<String> out = new ArrayList<>();
        for (JsonNode p : policies) {
            for (JsonNode s : p.path("PolicyDocument").path("Statement")) {
                if (!s.path("Sid").asText().equals(sid)) continue;
                JsonNode r = s.path("Resource");
                if (r.isArray()) r.forEach(v -> out.add(v.asText()));
                else out.add(r.asText());
            }
        }
        assertFalse(out.isEmpty(), role + " has no statement " + sid);
        return out;
    }

    @Test
    void shortFormTags_areReadAsTheirLongForms() {
        JsonNode raw = template().resource("PreprocessRole").path("Properties").path("Policies").get(0)
                .path("PolicyDocument").path("Statement");
        JsonNode ownLogs = raw.get(0).path("Resource");
        assertEquals("PreprocessLogGroup", ownLogs.path("Fn::GetAtt").get(0).asText());
        assertEquals("Arn", ownLogs.path("Fn::GetAtt").get(1).asText());
        assertTrue(raw.get(1).path("Resource").get(0).has("Fn::Sub"));
        assertEquals("UseLambdaInference", template().raw().path("Resources").path("InferenceFunction")
                .path("Properties").path("Events").path("ClaimChecks").path("Properties").path("Enabled")
                .path("Fn::If").get(0).asText());
    }

    @Test
    void roleStatements_resolveToTheBoundArns() {
        CfnTemplate t = template();
        assertEquals(List.of("arn:aws:s3:::hipoa-ingest-000000000000-us-east-1-local/incoming/*",
                "arn:aws:s3:::hipoa-ingest-000000000000-us-east-1-local/backfill/*"), resources(t, "PreprocessRole", "ReadUploads"));
        assertEquals(List.of("arn:aws:s3:::hipoa-work-000000000000-us-east-1-local/crops/*"),
                resources(t, "PreprocessRole", "WriteCrops"));
        assertEquals(List.of(TABLE_ARN), resources(t, "PreprocessRole", "RecordResults"));
        assertEquals(List.of("arn:aws:logs:us-east-1:000000000000:log-group:/hipoa/hipoa-local/preprocess:*"),
                resources(t, "PreprocessRole", "OwnLogs"));
        assertEquals(List.of(TABLE_ARN + "/index/byProvider", TABLE_ARN + "/index/byStudy",
                TABLE_ARN + "/index/byProviderUpdated"), resources(t, "ApiRole", "QueryListings"));
        assertEquals(List.of(QUEUE_ARN), resources(t, "InferenceRole", "ConsumeClaimChecks"));
        assertEquals(List.of("arn:aws:lambda:us-east-1:000000000000:function:hipoa-local-PreprocessFunction:live"),
                resources(t, "BackfillRole", "InvokePreprocess"));
        assertEquals(t.getAtt("HipoaKey", "Arn"), resources(t, "SweepRole", "DecryptTableAndConfiguration").getFirst());
        assertTrue(t.getAtt("HipoaKey", "Arn").matches("arn:aws:kms:us-east-1:000000000000:key/[0-9a-f-]{36}"));
    }

    @Test
    void escapedSubVariables_stayIamPolicyVariables() {
        PolicyDocument upload = template().managedPolicy("ProviderUploadPolicy");
        Statement s = upload.statements().getFirst();
        assertTrue(s.resources().getFirst().source().contains("${aws:PrincipalTag/hipoa-provider}"), s.resources().toString());
        assertTrue(s.resources().getFirst().hasVariables());
    }

    @Test
    void conditions_decideWhichResourcesExist() {
        CfnTemplate t = template();
        assertFalse(t.exists("GpuTaskRole"));
        assertFalse(t.logicalIds("AWS::IAM::Role").contains("GpuTaskRole"));
        CfnTemplate gpu = t.withBinding(CfnBinding.builder().parameter("InferenceTarget", "ecs-gpu").build());
        assertTrue(gpu.exists("GpuTaskRole"));
        assertTrue(gpu.condition("UseEcsGpu"));
        assertThrows(CfnException.class, () -> t.rolePolicies("GpuTaskRole"));
    }

    @Test
    void theIntrinsicsTheTemplateLanguageHas() {
        CfnTemplate t = CfnTemplate.parse("""
                Parameters:
                  Names: {Type: CommaDelimitedList, Default: "a,b,c"}
                  Flag: {Type: String, Default: "on"}
                Conditions:
                  IsOn: !Equals [!Ref Flag, "on"]
                  Both: !And [!Condition IsOn, !Not [!Equals [!Ref Flag, "off"]]]
                Resources:
                  Q:
                    Type: AWS::SQS::Queue
                    Properties:
                      QueueName: !Join ["-", [!Select [1, !Ref Names], !Select [0, !Split ["/", "x/y"]]]]
                      Tags:
                        - !If [Both, {Key: k, Value: !Sub "${AWS::Region}-${!literal}-${Q.QueueName}"}, !Ref AWS::NoValue]
                        - !If [IsOn, !Ref AWS::NoValue, {Key: gone, Value: v}]
                      Encoded: !Base64 hi
                """);
        JsonNode props = t.resolve(t.resource("Q").path("Properties"));
        assertEquals("b-x", props.path("QueueName").asText());
        assertEquals(1, props.path("Tags").size());
        assertEquals("us-east-1-${literal}-b-x", props.path("Tags").get(0).path("Value").asText());
        assertEquals("aGk=", props.path("Encoded").asText());
        assertEquals("https://sqs.us-east-1.amazonaws.com/000000000000/b-x", t.ref("Q"));
        assertThrows(CfnException.class, () -> t.ref("Nope"));
        assertThrows(RuntimeException.class, () -> CfnTemplate.parse("Resources: {A: !Unknown x}"));
    }

    @Test
    void localIam_fromTheTemplate_authorisesEachFunctionRoleAsItsStatementsSay() {
        LocalIam iam = LocalIam.fromTemplate(template());
        String ingest = "arn:aws:s3:::hipoa-ingest-000000000000-us-east-1-local";
        Map<String, List<String>> tls = Map.of("aws:SecureTransport", List.of("true"));
        assertEquals(Decision.ALLOW, iam.decide("PreprocessRole", new IamRequest("s3:GetObject", ingest + "/incoming/p/f.dcm", tls)));
        assertEquals(Decision.IMPLICIT_DENY, iam.decide("PreprocessRole", new IamRequest("s3:GetObject", ingest + "/results/p/x.png", tls)));
        assertEquals(Decision.ALLOW, iam.decide("InferenceRole", new IamRequest("s3:PutObject", ingest + "/results/p/u/right.png", tls)));
        assertEquals(Decision.EXPLICIT_DENY, iam.decide("InferenceRole", new IamRequest("s3:PutObject", ingest + "/results/p/u/right.png",
                Map.of("aws:SecureTransport", List.of("false")))));
        assertEquals(Decision.ALLOW, iam.decide("ApiRole", new IamRequest("dynamodb:Query", TABLE_ARN + "/index/byStudy", Map.of())));
        assertEquals(Decision.IMPLICIT_DENY, iam.decide("ApiRole", new IamRequest("dynamodb:Query", TABLE_ARN + "/index/other", Map.of())));
        assertEquals(Decision.ALLOW, iam.decide("SweepRole", new IamRequest("kms:Decrypt", iam.role("SweepRole").identityPolicies()
                .getFirst().statements().getLast().resources().getFirst().source(), Map.of())));
        assertEquals(Decision.IMPLICIT_DENY, iam.decide("nobody", IamRequest.of("s3:GetObject", ingest + "/incoming/p/f.dcm")));
        assertEquals(Decision.ALLOW, iam.decide(LocalIam.ADMIN_ACCESS_KEY, new IamRequest("sqs:PurgeQueue", QUEUE_ARN, tls)));
        assertEquals(Decision.EXPLICIT_DENY, iam.decide(LocalIam.ADMIN_ACCESS_KEY, new IamRequest("sqs:PurgeQueue", QUEUE_ARN,
                Map.of("aws:SecureTransport", List.of("false")))));
        for (String role : List.of("PreprocessRole", "InferenceRole", "ExportRole", "DeadLetterRole", "SweepRole", "ApiRole",
                "BackfillRole")) {
            assertTrue(iam.principal(role).isPresent(), role);
        }
    }
}
