package org.hipoa.local.iam;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluator against IAM's documented logic (IAM user guide: "Policy evaluation logic", "Condition operators",
 * "Conditions with multiple context keys or values", "Policy variables"), one rule per test. Policies are written
 * as JSON the way the guide writes them; single quotes stand for double quotes, {@code ~} for a single quote.
 */
class PolicyEvaluatorTest {
    static final String ACCOUNT = "111122223333";
    static final String OTHER = "444455556666";
    static final String BUCKET = "arn:aws:s3:::bucket";

    static PolicyDocument identity(String statements) {
        return doc(statements, PolicyDocument.Kind.IDENTITY);
    }

    static PolicyDocument resource(String statements) {
        return doc(statements, PolicyDocument.Kind.RESOURCE);
    }

    static PolicyDocument doc(String statements, PolicyDocument.Kind kind) {
        try {
            return PolicyDocument.parse(new ObjectMapper().readTree(
                    ("{'Version':'2012-10-17','Statement':[" + statements + "]}").replace('\'', '"').replace('~', '\'')), kind, "test");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    static LocalPrincipal role(String account, String name, Map<String, String> tags, PolicyDocument... policies) {
        return new LocalPrincipal("key-" + name, "secret", "arn:aws:sts::" + account + ":assumed-role/" + name + "/s",
                "arn:aws:iam::" + account + ":role/team/" + name, account, "AROAEXAMPLE:s", null, tags, Map.of(),
                List.of(policies));
    }

    static LocalPrincipal role(PolicyDocument... policies) {
        return role(ACCOUNT, "worker", Map.of(), policies);
    }

    static Decision decide(LocalPrincipal p, String action, String resource, Map<String, List<String>> context) {
        return PolicyEvaluator.decide(p, new IamRequest(action, resource, context), Optional.empty(), ACCOUNT);
    }

    static Decision decide(LocalPrincipal p, String action, String resource) {
        return decide(p, action, resource, Map.of());
    }

    static final String ALLOW_GET = "{'Effect':'Allow','Action':'s3:GetObject','Resource':'" + BUCKET + "/*'}";

    @Test
    void noApplicableAllow_isAnImplicitDeny() {
        assertEquals(Decision.IMPLICIT_DENY, decide(role(identity(ALLOW_GET)), "s3:PutObject", BUCKET + "/k"));
        assertEquals(Decision.IMPLICIT_DENY, decide(role(), "s3:GetObject", BUCKET + "/k"));
    }

    @Test
    void anExplicitDeny_winsOverAnyAllow() {
        LocalPrincipal p = role(identity(ALLOW_GET), identity(
                "{'Effect':'Deny','Action':'s3:*','Resource':'" + BUCKET + "/secret/*'}"));
        assertEquals(Decision.ALLOW, decide(p, "s3:GetObject", BUCKET + "/open/k"));
        assertEquals(Decision.EXPLICIT_DENY, decide(p, "s3:GetObject", BUCKET + "/secret/k"));
    }

    @Test
    void actionsMatchCaseInsensitively_resourcesCaseSensitively() {
        LocalPrincipal p = role(identity(ALLOW_GET));
        assertEquals(Decision.ALLOW, decide(p, "S3:getobject", BUCKET + "/k"));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "s3:GetObject", "arn:aws:s3:::BUCKET/k"));
    }

    @Test
    void notAction_coversEveryActionItDoesNotList() {
        LocalPrincipal p = role(identity("{'Effect':'Allow','NotAction':['s3:Delete*','iam:*'],'Resource':'*'}"));
        assertEquals(Decision.ALLOW, decide(p, "s3:GetObject", BUCKET + "/k"));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "s3:DeleteObject", BUCKET + "/k"));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "iam:CreateUser", "arn:aws:iam::" + ACCOUNT + ":user/x"));
    }

    @Test
    void notResource_coversEveryResourceItDoesNotList() {
        LocalPrincipal p = role(identity("{'Effect':'Allow','Action':'s3:GetObject','Resource':'*'}"),
                identity("{'Effect':'Deny','Action':'s3:GetObject','NotResource':'" + BUCKET + "/public/*'}"));
        assertEquals(Decision.ALLOW, decide(p, "s3:GetObject", BUCKET + "/public/k"));
        assertEquals(Decision.EXPLICIT_DENY, decide(p, "s3:GetObject", BUCKET + "/private/k"));
    }

    @Test
    void stringLike_wildcards_starIsAnyRun_questionMarkOneCharacter_caseSensitive() {
        LocalPrincipal p = role(identity("{'Effect':'Allow','Action':'s3:ListBucket','Resource':'" + BUCKET
                + "','Condition':{'StringLike':{'s3:prefix':['home/?/*']}}}"));
        assertEquals(Decision.ALLOW, decide(p, "s3:ListBucket", BUCKET, Map.of("s3:prefix", List.of("home/a/x/y"))));
        assertEquals(Decision.ALLOW, decide(p, "s3:ListBucket", BUCKET, Map.of("s3:prefix", List.of("home/a/"))));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "s3:ListBucket", BUCKET, Map.of("s3:prefix", List.of("home/ab/x"))));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "s3:ListBucket", BUCKET, Map.of("s3:prefix", List.of("HOME/a/x"))));
    }

    @Test
    void aPositiveOperator_failsOnAnAbsentKey_aNegatedOne_holds() {
        LocalPrincipal p = role(identity("{'Effect':'Allow','Action':'s3:*','Resource':'*'}"), identity(
                "{'Effect':'Deny','Action':'s3:PutObject','Resource':'*','Condition':{'StringNotEquals':"
                        + "{'s3:x-amz-server-side-encryption':'aws:kms'}}}"));
        assertEquals(Decision.EXPLICIT_DENY, decide(p, "s3:PutObject", BUCKET + "/k"));
        LocalPrincipal q = role(identity("{'Effect':'Allow','Action':'s3:PutObject','Resource':'*','Condition':"
                + "{'StringEquals':{'s3:x-amz-server-side-encryption':'aws:kms'}}}"));
        assertEquals(Decision.IMPLICIT_DENY, decide(q, "s3:PutObject", BUCKET + "/k"));
    }

    @Test
    void ifExists_makesTheConditionTrueWhenTheKeyIsAbsent_andTestsItWhenPresent() {
        LocalPrincipal q = role(identity("{'Effect':'Allow','Action':'s3:PutObject','Resource':'*','Condition':"
                + "{'StringEqualsIfExists':{'s3:x-amz-storage-class':'STANDARD'}}}"));
        assertEquals(Decision.ALLOW, decide(q, "s3:PutObject", BUCKET + "/k"));
        assertEquals(Decision.ALLOW, decide(q, "s3:PutObject", BUCKET + "/k",
                Map.of("s3:x-amz-storage-class", List.of("STANDARD"))));
        assertEquals(Decision.IMPLICIT_DENY, decide(q, "s3:PutObject", BUCKET + "/k",
                Map.of("s3:x-amz-storage-class", List.of("GLACIER"))));
        // True on an absent key in a Deny too: a Deny ...IfExists denies every request without the key.
        LocalPrincipal p = role(identity("{'Effect':'Allow','Action':'s3:*','Resource':'*'}"), identity(
                "{'Effect':'Deny','Action':'s3:PutObject','Resource':'*','Condition':{'StringNotEqualsIfExists':"
                        + "{'s3:x-amz-server-side-encryption':'aws:kms'}}}"));
        assertEquals(Decision.EXPLICIT_DENY, decide(p, "s3:PutObject", BUCKET + "/k"));
        assertEquals(Decision.ALLOW, decide(p, "s3:PutObject", BUCKET + "/k",
                Map.of("s3:x-amz-server-side-encryption", List.of("aws:kms"))));
    }

    @Test
    void null_testsWhetherTheKeyIsPresent() {
        LocalPrincipal p = role(identity("{'Effect':'Allow','Action':'s3:GetObject','Resource':'*','Condition':"
                + "{'Null':{'aws:TokenIssueTime':'false'}}}"));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "s3:GetObject", BUCKET + "/k"));
        assertEquals(Decision.ALLOW, decide(p, "s3:GetObject", BUCKET + "/k",
                Map.of("aws:TokenIssueTime", List.of("2026-12-01T00:00:00Z"))));
        LocalPrincipal q = role(identity("{'Effect':'Allow','Action':'s3:GetObject','Resource':'*','Condition':"
                + "{'Null':{'aws:TokenIssueTime':'true'}}}"));
        assertEquals(Decision.ALLOW, decide(q, "s3:GetObject", BUCKET + "/k"));
    }

    @Test
    void forAllValues_holdsForAnAbsentOrEmptyKey_andNeedsEveryValueToMatch() {
        LocalPrincipal p = role(identity("{'Effect':'Allow','Action':'dynamodb:UpdateItem','Resource':'*','Condition':"
                + "{'ForAllValues:StringLike':{'dynamodb:LeadingKeys':['UPLOAD#*']}}}"));
        String table = "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/t";
        assertEquals(Decision.ALLOW, decide(p, "dynamodb:UpdateItem", table));
        assertEquals(Decision.ALLOW, decide(p, "dynamodb:UpdateItem", table, Map.of("dynamodb:LeadingKeys", List.of())));
        assertEquals(Decision.ALLOW, decide(p, "dynamodb:UpdateItem", table,
                Map.of("dynamodb:LeadingKeys", List.of("UPLOAD#1", "UPLOAD#2"))));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "dynamodb:UpdateItem", table,
                Map.of("dynamodb:LeadingKeys", List.of("UPLOAD#1", "APIKEY#2"))));
    }

    @Test
    void forAnyValue_needsOneMatchingValue_andFailsOnAnAbsentKey() {
        LocalPrincipal p = role(identity("{'Effect':'Allow','Action':'iam:TagRole','Resource':'*','Condition':"
                + "{'ForAnyValue:StringEquals':{'aws:TagKeys':['team','project']}}}"));
        String r = "arn:aws:iam::" + ACCOUNT + ":role/x";
        assertEquals(Decision.ALLOW, decide(p, "iam:TagRole", r, Map.of("aws:TagKeys", List.of("cost", "team"))));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "iam:TagRole", r, Map.of("aws:TagKeys", List.of("cost"))));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "iam:TagRole", r));
    }

    @Test
    void severalKeysAreAnded_severalValuesOred_negatedValuesNored() {
        LocalPrincipal p = role(identity("{'Effect':'Allow','Action':'s3:GetObject','Resource':'*','Condition':"
                + "{'StringEquals':{'k1':['a','b'],'k2':'c'},'StringNotEquals':{'k3':['x','y']}}}"));
        String o = BUCKET + "/k";
        assertEquals(Decision.ALLOW, decide(p, "s3:GetObject", o, Map.of("k1", List.of("b"), "k2", List.of("c"),
                "k3", List.of("z"))));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "s3:GetObject", o, Map.of("k1", List.of("b"), "k2", List.of("d"),
                "k3", List.of("z"))));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "s3:GetObject", o, Map.of("k1", List.of("b"), "k2", List.of("c"),
                "k3", List.of("y"))));
    }

    @Test
    void policyVariables_areTheRequestsValues_andATagWithNoValueMatchesNoResource() {
        PolicyDocument own = identity("{'Effect':'Allow','Action':'s3:GetObject','Resource':'" + BUCKET
                + "/${aws:PrincipalTag/team}/*'}");
        LocalPrincipal yellow = role(ACCOUNT, "y", Map.of("team", "yellow"), own);
        assertEquals(Decision.ALLOW, decide(yellow, "s3:GetObject", BUCKET + "/yellow/k"));
        assertEquals(Decision.IMPLICIT_DENY, decide(yellow, "s3:GetObject", BUCKET + "/blue/k"));
        LocalPrincipal untagged = role(ACCOUNT, "u", Map.of(), own);
        assertEquals(Decision.IMPLICIT_DENY, decide(untagged, "s3:GetObject", BUCKET + "/${aws:PrincipalTag/team}/k"));
        assertEquals(Decision.IMPLICIT_DENY, decide(untagged, "s3:GetObject", BUCKET + "//k"));
        // In NotResource, the entry with no value excludes nothing: the deny covers every object.
        LocalPrincipal denied = role(ACCOUNT, "d", Map.of(), identity("{'Effect':'Allow','Action':'s3:*','Resource':'*'}"),
                identity("{'Effect':'Deny','Action':'s3:PutObject','NotResource':'" + BUCKET + "/${aws:PrincipalTag/team}/*'}"));
        assertEquals(Decision.EXPLICIT_DENY, decide(denied, "s3:PutObject", BUCKET + "/anything"));
    }

    @Test
    void policyVariables_principalKeys_defaults_andEscapes() {
        LocalPrincipal p = role(identity("{'Effect':'Allow','Action':'s3:GetObject','Resource':['" + BUCKET
                + "/${aws:PrincipalAccount}/*','" + BUCKET + "/shared/${aws:PrincipalTag/team, ~company-wide~}/*','"
                + BUCKET + "/lit/${*}${?}${$}']}"));
        assertEquals(Decision.ALLOW, decide(p, "s3:GetObject", BUCKET + "/" + ACCOUNT + "/k"));
        assertEquals(Decision.ALLOW, decide(p, "s3:GetObject", BUCKET + "/shared/company-wide/k"));
        assertEquals(Decision.ALLOW, decide(p, "s3:GetObject", BUCKET + "/lit/*?$"));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "s3:GetObject", BUCKET + "/lit/ab$"));
        LocalPrincipal user = new LocalPrincipal("k", "s", "arn:aws:iam::" + ACCOUNT + ":user/alice",
                "arn:aws:iam::" + ACCOUNT + ":user/alice", ACCOUNT, "AIDAEXAMPLE", "alice", Map.of(), Map.of(),
                List.of(identity("{'Effect':'Allow','Action':'s3:*','Resource':'" + BUCKET + "/${aws:username}/${aws:userid}'}")));
        assertEquals(Decision.ALLOW, decide(user, "s3:GetObject", BUCKET + "/alice/AIDAEXAMPLE"));
        assertEquals(Decision.IMPLICIT_DENY, decide(role(user.identityPolicies().toArray(PolicyDocument[]::new)),
                "s3:GetObject", BUCKET + "/alice/AIDAEXAMPLE"), "a role has no aws:username");
    }

    @Test
    void aConditionVariableWithNoValue_failsPositiveOperators_andSatisfiesNegatedOnes() {
        PolicyDocument allowAll = identity("{'Effect':'Allow','Action':'s3:*','Resource':'*'}");
        PolicyDocument denyOthers = identity("{'Effect':'Deny','Action':'s3:GetObject','Resource':'*','Condition':"
                + "{'StringNotEquals':{'s3:ExistingObjectTag/team':'${aws:PrincipalTag/team}'}}}");
        Map<String, List<String>> tagged = Map.of("s3:ExistingObjectTag/team", List.of("yellow"));
        assertEquals(Decision.ALLOW, decide(role(ACCOUNT, "y", Map.of("team", "yellow"), allowAll, denyOthers),
                "s3:GetObject", BUCKET + "/k", tagged));
        assertEquals(Decision.EXPLICIT_DENY, decide(role(ACCOUNT, "u", Map.of(), allowAll, denyOthers),
                "s3:GetObject", BUCKET + "/k", tagged));
    }

    @Test
    void arnLike_matchesPartByPart_soAWildcardStaysWithinItsPart() {
        PolicyDocument p = identity("{'Effect':'Allow','Action':'sqs:SendMessage','Resource':'*','Condition':"
                + "{'ArnLike':{'aws:SourceArn':'arn:aws:s3:::in-*'}}}");
        String q = "arn:aws:sqs:us-east-1:" + ACCOUNT + ":q";
        assertEquals(Decision.ALLOW, decide(role(p), "sqs:SendMessage", q, Map.of("aws:SourceArn", List.of("arn:aws:s3:::in-x"))));
        PolicyDocument region = identity("{'Effect':'Allow','Action':'sqs:SendMessage','Resource':'*','Condition':"
                + "{'ArnLike':{'aws:SourceArn':'arn:aws:sns:us-*:" + ACCOUNT + ":t'}}}");
        assertEquals(Decision.ALLOW, decide(role(region), "sqs:SendMessage", q,
                Map.of("aws:SourceArn", List.of("arn:aws:sns:us-east-1:" + ACCOUNT + ":t"))));
        assertEquals(Decision.IMPLICIT_DENY, decide(role(region), "sqs:SendMessage", q,
                Map.of("aws:SourceArn", List.of("arn:aws:sns:us-east-1:x:" + ACCOUNT + ":t"))));
        PolicyDocument byPath = identity("{'Effect':'Allow','Action':'s3:GetObject','Resource':'*','Condition':"
                + "{'ArnLike':{'aws:PrincipalArn':'arn:aws:iam::" + ACCOUNT + ":role/team/*'}}}");
        assertEquals(Decision.ALLOW, decide(role(byPath), "s3:GetObject", BUCKET + "/k"));
        assertEquals(Decision.IMPLICIT_DENY, decide(role(OTHER, "worker", Map.of(), byPath), "s3:GetObject", BUCKET + "/k"));
    }

    @Test
    void numericDateBoolAndIpOperators() {
        PolicyDocument p = identity("{'Effect':'Allow','Action':'s3:ListBucket','Resource':'*','Condition':{"
                + "'NumericLessThanEquals':{'s3:max-keys':'10'},'DateLessThan':{'aws:CurrentTime':'2027-01-01T00:00:00Z'},"
                + "'Bool':{'aws:SecureTransport':'true'},'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}}}");
        Map<String, List<String>> ok = Map.of("s3:max-keys", List.of("10"), "aws:CurrentTime", List.of("2026-12-01T00:00:00Z"),
                "aws:SecureTransport", List.of("true"), "aws:SourceIp", List.of("203.0.113.7"));
        assertEquals(Decision.ALLOW, decide(role(p), "s3:ListBucket", BUCKET, ok));
        for (var bad : List.of(Map.entry("s3:max-keys", "11"), Map.entry("aws:CurrentTime", "2027-02-01T00:00:00Z"),
                Map.entry("aws:SecureTransport", "false"), Map.entry("aws:SourceIp", "198.51.100.1"))) {
            var ctx = new java.util.HashMap<>(ok);
            ctx.put(bad.getKey(), List.of(bad.getValue()));
            assertEquals(Decision.IMPLICIT_DENY, decide(role(p), "s3:ListBucket", BUCKET, ctx), bad.toString());
        }
    }

    @Test
    void aSessionTag_overridesTheRolesTagOfTheSameKey() {
        PolicyDocument own = identity("{'Effect':'Allow','Action':'s3:PutObject','Resource':'" + BUCKET
                + "/${aws:PrincipalTag/team}/*'}");
        LocalPrincipal p = role(ACCOUNT, "r", Map.of("team", "yellow"), own).withSessionTags(Map.of("TEAM", "blue"));
        assertEquals(Decision.ALLOW, decide(p, "s3:PutObject", BUCKET + "/blue/k"));
        assertEquals(Decision.IMPLICIT_DENY, decide(p, "s3:PutObject", BUCKET + "/yellow/k"));
    }

    @Test
    void crossAccount_needsBothTheIdentityAndTheResourcePolicy() {
        String obj = BUCKET + "/k";
        PolicyDocument grant = identity(ALLOW_GET);
        ResourcePolicy bucket = new ResourcePolicy(resource("{'Effect':'Allow','Principal':{'AWS':'" + OTHER
                + "'},'Action':'s3:GetObject','Resource':'" + BUCKET + "/*'}"), false);
        LocalPrincipal foreign = role(OTHER, "reader", Map.of(), grant);
        LocalPrincipal foreignUngranted = role(OTHER, "reader", Map.of());
        IamRequest get = IamRequest.of("s3:GetObject", obj);
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.decide(foreign, get, Optional.empty(), ACCOUNT));
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.decide(foreignUngranted, get, Optional.of(bucket), ACCOUNT));
        assertEquals(Decision.ALLOW, PolicyEvaluator.decide(foreign, get, Optional.of(bucket), ACCOUNT));
    }

    @Test
    void sameAccount_aResourcePolicyNamingTheRoleGrantsAlone_oneNamingTheAccountOnlyDelegates() {
        IamRequest get = IamRequest.of("s3:GetObject", BUCKET + "/k");
        LocalPrincipal p = role();
        ResourcePolicy namesRole = new ResourcePolicy(resource("{'Effect':'Allow','Principal':{'AWS':'"
                + p.principalArn() + "'},'Action':'s3:GetObject','Resource':'" + BUCKET + "/*'}"), false);
        ResourcePolicy namesAccount = new ResourcePolicy(resource("{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::"
                + ACCOUNT + ":root'},'Action':'s3:GetObject','Resource':'" + BUCKET + "/*'}"), false);
        assertEquals(Decision.ALLOW, PolicyEvaluator.decide(p, get, Optional.of(namesRole), ACCOUNT));
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.decide(p, get, Optional.of(namesAccount), ACCOUNT));
        assertEquals(Decision.ALLOW, PolicyEvaluator.decide(role(identity(ALLOW_GET)), get, Optional.of(namesAccount), ACCOUNT));
    }

    @Test
    void aResourcePolicyDenyForEveryone_bindsEvenAnAllowEverythingCaller() {
        ResourcePolicy tls = new ResourcePolicy(resource("{'Effect':'Deny','Principal':'*','Action':'s3:*','Resource':'"
                + BUCKET + "/*','Condition':{'Bool':{'aws:SecureTransport':'false'}}}"), false);
        LocalPrincipal admin = role(identity("{'Effect':'Allow','Action':'*','Resource':'*'}"));
        assertEquals(Decision.EXPLICIT_DENY, PolicyEvaluator.decide(admin, new IamRequest("s3:GetObject", BUCKET + "/k",
                Map.of("aws:SecureTransport", List.of("false"))), Optional.of(tls), ACCOUNT));
        assertEquals(Decision.ALLOW, PolicyEvaluator.decide(admin, new IamRequest("s3:GetObject", BUCKET + "/k",
                Map.of("aws:SecureTransport", List.of("true"))), Optional.of(tls), ACCOUNT));
    }

    @Test
    void aKeyPolicy_mustGrant_identityPoliciesCountOnlyWhereItDelegatesToTheAccount() {
        String key = "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/k";
        IamRequest decrypt = IamRequest.of("kms:Decrypt", key);
        LocalPrincipal p = role(identity("{'Effect':'Allow','Action':'kms:Decrypt','Resource':'" + key + "'}"));
        ResourcePolicy silent = new ResourcePolicy(resource("{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::" + OTHER
                + ":root'},'Action':'kms:*','Resource':'*'}"), true);
        ResourcePolicy delegates = new ResourcePolicy(resource("{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::"
                + ACCOUNT + ":root'},'Action':'kms:*','Resource':'*'}"), true);
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.decide(p, decrypt, Optional.of(silent), ACCOUNT));
        assertEquals(Decision.ALLOW, PolicyEvaluator.decide(p, decrypt, Optional.of(delegates), ACCOUNT));
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.decide(role(), decrypt, Optional.of(delegates), ACCOUNT));
    }

    @Test
    void notPrincipal_exemptsOnlyACallerWhoseWholeChainIsListed() {
        LocalPrincipal p = role(identity(ALLOW_GET));
        IamRequest get = IamRequest.of("s3:GetObject", BUCKET + "/k");
        ResourcePolicy roleOnly = new ResourcePolicy(resource("{'Effect':'Deny','NotPrincipal':{'AWS':['"
                + p.principalArn() + "']},'Action':'s3:*','Resource':'*'}"), false);
        ResourcePolicy whole = new ResourcePolicy(resource("{'Effect':'Deny','NotPrincipal':{'AWS':['" + p.principalArn()
                + "','" + p.callerArn() + "','" + ACCOUNT + "']},'Action':'s3:*','Resource':'*'}"), false);
        assertEquals(Decision.EXPLICIT_DENY, PolicyEvaluator.decide(p, get, Optional.of(roleOnly), ACCOUNT));
        assertEquals(Decision.ALLOW, PolicyEvaluator.decide(p, get, Optional.of(whole), ACCOUNT));
    }

    @Test
    void withoutVersion2012_variablesArePlainText() throws Exception {
        PolicyDocument old = PolicyDocument.parse(new ObjectMapper().readTree(("{'Version':'2008-10-17','Statement':"
                + "{'Effect':'Allow','Action':'s3:GetObject','Resource':'" + BUCKET + "/${aws:username}'}}")
                .replace('\'', '"')), PolicyDocument.Kind.IDENTITY, "old");
        assertEquals(Decision.ALLOW, decide(role(old), "s3:GetObject", BUCKET + "/${aws:username}"));
    }

    @Test
    void whatIamWouldNotAccept_throwsInsteadOfBeingIgnored() {
        for (String bad : List.of(
                "{'Effect':'Allow','Action':'s3:*','Resource':'*','Condition':{'StringEqualsSometimes':{'k':'v'}}}",
                "{'Effect':'Allow','Action':'s3:*','Resource':'*','Condition':{'NullIfExists':{'k':'true'}}}",
                "{'Effect':'Allow','Action':'s3:*','Resource':'*','Condition':{'NumericEquals':{'k':'ten'}}}",
                "{'Effect':'Allow','Action':'s3:*','Resource':'*','Condition':{'Bool':{'k':'yes'}}}",
                "{'Effect':'Allow','Action':'s3:*','Resource':'*','Condtion':{}}",
                "{'Effect':'allow','Action':'s3:*','Resource':'*'}",
                "{'Effect':'Allow','Action':'s3:*','NotAction':'s3:Get*','Resource':'*'}",
                "{'Effect':'Allow','Action':'s3:*'}",
                "{'Effect':'Allow','Principal':'*','Action':'s3:*','Resource':'*'}",
                "{'Effect':'Allow','Action':'s3:*','Resource':'arn:aws:s3:::b/${aws:username'}")) {
            assertThrows(PolicyException.class, () -> identity(bad), bad);
        }
        assertThrows(PolicyException.class, () -> resource("{'Effect':'Allow','Action':'s3:*','Resource':'*'}"));
        assertThrows(PolicyException.class, () -> resource(
                "{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::*:root'},'Action':'s3:*','Resource':'*'}"));
        assertThrows(PolicyException.class, () -> resource(
                "{'Effect':'Allow','Principal':{'Robot':'r2'},'Action':'s3:*','Resource':'*'}"));
        assertTrue(identity(ALLOW_GET).statements().getFirst().allow());
    }
}
