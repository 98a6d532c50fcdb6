package org.hipoa.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.local.iam.CfnBinding;
import org.hipoa.local.iam.CfnTemplate;
import org.hipoa.local.iam.Decision;
import org.hipoa.local.iam.IamRequest;
import org.hipoa.local.iam.LocalIam;
import org.hipoa.local.iam.LocalPrincipal;
import org.hipoa.local.iam.PolicyDocument;
import org.hipoa.local.iam.PolicyEvaluator;
import org.hipoa.local.iam.ProviderUploader;
import org.hipoa.local.iam.ResourcePolicy;
import org.hipoa.local.iam.Statement;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Write-side tenancy and upload encryption as template.yaml states them (IngestBucketPolicy, ProviderUploadPolicy,
 * the functions' roles), evaluated by the local IAM engine ({@link PolicyEvaluator}, tested on its own against
 * IAM's documented logic): a provider writes only under its own prefixes, whatever tags its session or its own
 * account claim; nobody else writes there; uploads are SSE-KMS with HipoaKey in a class grading can read; a
 * provider's multipart upload gets the KMS permissions it needs.
 */
class TenancyPolicyTest {
    static final CfnTemplate STACK = CfnTemplate.load(Path.of("../../template.yaml"))
            .withBinding(CfnBinding.builder().parameter("Stage", "local").build());
    /** The raw tree, which other template checks read too. */
    static final JsonNode TEMPLATE = STACK.raw();
    static final String ACCOUNT = STACK.binding().account();
    static final String OTHER_ACCOUNT = "444455556666";
    static final String BUCKET = STACK.getAtt("IngestBucket", "Arn");
    static final String KEY = STACK.getAtt("HipoaKey", "Arn");
    static final Map<String, List<String>> TLS = Map.of("aws:SecureTransport", List.of("true"));

    final LocalIam iam = LocalIam.fromTemplate(STACK);

    Decision put(LocalPrincipal p, String key) {
        return put(p, key, Map.of());
    }

    Decision put(LocalPrincipal p, String key, Map<String, String> headers) {
        Map<String, List<String>> context = new HashMap<>(TLS);
        headers.forEach((k, v) -> context.put(k, List.of(v)));
        return iam.decide(p.accessKeyId(), new IamRequest("s3:PutObject", BUCKET + "/" + key, context));
    }

    static PolicyDocument identity(String statement) {
        try {
            return PolicyDocument.parse(new ObjectMapper().readTree(("{'Version':'2012-10-17','Statement':[" + statement
                    + "]}").replace('\'', '"')), PolicyDocument.Kind.IDENTITY, "test grant");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    /** A role in the stack's account with a broad write grant of its own and no provider tag. */
    LocalPrincipal inAccountWriter(String name, Map<String, String> tags) {
        return iam.register(new LocalPrincipal(name, "s", "arn:aws:sts::" + ACCOUNT + ":assumed-role/" + name + "/s",
                "arn:aws:iam::" + ACCOUNT + ":role/" + name, ACCOUNT, "AROAWRITER:s", null, tags, Map.of(),
                List.of(identity("{'Effect':'Allow','Action':'s3:*','Resource':'*'}"))));
    }

    @Test
    void aProvider_uploadsOnlyUnderItsOwnPrefix() {
        LocalPrincipal acme = iam.addProvider(ProviderUploader.named("acme-clinic"));
        assertEquals(Decision.ALLOW, put(acme, "incoming/acme-clinic/2026-12-01/film.dcm"));
        for (String other : List.of("incoming/other-clinic/film.dcm", "incoming/acme-clinic-2/film.dcm",
                "incoming/film.dcm", "results/acme-clinic/x/right.png", "elsewhere/acme-clinic/film.dcm")) {
            assertEquals(Decision.EXPLICIT_DENY, put(acme, other), other);
        }
    }

    @Test
    void anUntaggedPrincipal_cannotUpload_evenWithABroadGrant() {
        LocalPrincipal writer = inAccountWriter("BroadWriter", Map.of());
        assertEquals(Decision.EXPLICIT_DENY, put(writer, "incoming/acme-clinic/film.dcm"));
        // The deny is about uploads: the same grant still reads (the functions' roles are untagged).
        assertEquals(Decision.ALLOW, iam.decide(writer.accessKeyId(),
                new IamRequest("s3:GetObject", BUCKET + "/incoming/acme-clinic/film.dcm", TLS)));
    }

    @Test
    void theFunctionsRoles_cannotWriteGrantItems() {
        String table = STACK.getAtt("ResultsTable", "Arn");
        for (String role : List.of("PreprocessRole", "InferenceRole", "DeadLetterRole", "SweepRole")) {
            Map<String, List<String>> upload = Map.of("dynamodb:LeadingKeys", List.of("UPLOAD#0123456789abcdef0123456789abcdef"));
            Map<String, List<String>> grant = Map.of("dynamodb:LeadingKeys", List.of("APIKEY#0123456789abcdef0123456789abcdef"));
            assertEquals(Decision.ALLOW, iam.decide(role, new IamRequest("dynamodb:UpdateItem", table, upload)), role);
            for (String action : List.of("dynamodb:PutItem", "dynamodb:UpdateItem")) {
                assertEquals(Decision.IMPLICIT_DENY, iam.decide(role, new IamRequest(action, table, grant)), role + " " + action);
            }
        }
    }

    @Test
    void aSessionTag_cannotMoveAProviderIntoAnotherProvidersPrefix() {
        LocalPrincipal acme = iam.addProvider(ProviderUploader.named("acme").withSessionTag("victim"));
        assertEquals(Decision.EXPLICIT_DENY, put(acme, "incoming/victim/film.dcm"));
    }

    @Test
    void aProviderInAnotherAccount_taggedByThatAccount_cannotUpload_evenIfTheBucketGrantsTheAccount() {
        // What an operator onboarding a cross-account provider might add to the bucket policy.
        PolicyDocument bucket = STACK.bucketPolicy("IngestBucket").orElseThrow();
        List<Statement> statements = new ArrayList<>(bucket.statements());
        statements.add(PolicyDocument.parse(read("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Principal':"
                + "{'AWS':'" + OTHER_ACCOUNT + "'},'Action':'s3:PutObject','Resource':'" + BUCKET + "/incoming/*'}}"),
                PolicyDocument.Kind.RESOURCE, "operator grant").statements().getFirst());
        ResourcePolicy granted = new ResourcePolicy(new PolicyDocument(PolicyDocument.Kind.RESOURCE, "granted", statements), false);
        LocalPrincipal foreign = iam.addProvider(ProviderUploader.named("victim").inAccount(OTHER_ACCOUNT)
                .withAccessKeyId("foreign"));
        assertEquals(Decision.EXPLICIT_DENY, PolicyEvaluator.decide(foreign,
                new IamRequest("s3:PutObject", BUCKET + "/incoming/victim/film.dcm", TLS), Optional.of(granted), ACCOUNT));
    }

    @Test
    void aTagValueWithASlash_cannotWriteIntoAnotherProvidersFolder() {
        // A role named x under the path /hipoa-provider/acme/ has the ARN .../role/hipoa-provider/acme/x.
        LocalPrincipal nested = iam.addProvider(ProviderUploader.named("x").atPath("/hipoa-provider/acme/").taggedAs("acme/x"));
        assertEquals(Decision.EXPLICIT_DENY, put(nested, "incoming/acme/x/film.dcm"));
        LocalPrincipal plain = iam.addProvider(ProviderUploader.named("x").taggedAs("acme/x").withAccessKeyId("plain-x"));
        assertEquals(Decision.EXPLICIT_DENY, put(plain, "incoming/acme/x/film.dcm"));
    }

    @Test
    void anEmptyTagValue_escapesNoDeny() {
        LocalPrincipal empty = inAccountWriter("EmptyTagged", Map.of(ProviderUploader.TAG, ""));
        assertEquals(Decision.EXPLICIT_DENY, put(empty, "incoming/victim/film.dcm"));
        assertEquals(Decision.EXPLICIT_DENY, put(empty, "backfill/victim/film.dcm"));
    }

    @Test
    void noInAccountPrincipal_writesAProvidersBackfillPrefix() {
        LocalPrincipal writer = inAccountWriter("BroadWriter", Map.of());
        assertEquals(Decision.EXPLICIT_DENY, put(writer, "backfill/victim/archive/film.dcm"));
        assertEquals(Decision.EXPLICIT_DENY, put(iam.admin(), "backfill/victim/archive/film.dcm"));
        LocalPrincipal acme = iam.addProvider(ProviderUploader.named("acme"));
        assertEquals(Decision.EXPLICIT_DENY, put(acme, "backfill/victim/archive/film.dcm"));
    }

    @Test
    void aProvider_backfillsUnderItsOwnPrefix() {
        LocalPrincipal acme = iam.addProvider(ProviderUploader.named("acme"));
        assertEquals(Decision.ALLOW, put(acme, "backfill/acme/2019/film.dcm"));
    }

    @Test
    void aProvidersMultipartUpload_getsDecryptBesideGenerateDataKey_throughS3Only() {
        LocalPrincipal acme = iam.addProvider(ProviderUploader.named("acme"));
        Map<String, List<String>> viaS3 = Map.of("kms:ViaService", List.of("s3.us-east-1.amazonaws.com"));
        for (String action : List.of("kms:Decrypt", "kms:GenerateDataKey")) {
            assertEquals(Decision.ALLOW, iam.decide(acme.accessKeyId(), new IamRequest(action, KEY, viaS3)), action);
        }
        for (String action : List.of("kms:Decrypt", "kms:GenerateDataKey")) {
            assertEquals(Decision.IMPLICIT_DENY, iam.decide(acme.accessKeyId(), IamRequest.of(action, KEY)),
                    action + " called directly, not by S3");
        }
    }

    @Test
    void uploadsAreSseKmsWithHipoaKey_inAClassGradingCanRead() {
        LocalPrincipal acme = iam.addProvider(ProviderUploader.named("acme"));
        String key = "incoming/acme/film.dcm";
        assertEquals(Decision.ALLOW, put(acme, key));
        assertEquals(Decision.ALLOW, put(acme, key, Map.of("s3:x-amz-server-side-encryption", "aws:kms",
                "s3:x-amz-server-side-encryption-aws-kms-key-id", KEY, "s3:x-amz-storage-class", "STANDARD")));
        List<org.junit.jupiter.api.function.Executable> each = new ArrayList<>();
        for (Map<String, String> refused : List.of(
                Map.of("s3:x-amz-server-side-encryption-customer-algorithm", "AES256"),
                Map.of("s3:x-amz-server-side-encryption", "aws:kms",
                        "s3:x-amz-server-side-encryption-aws-kms-key-id", KEY.replaceAll("key/.*", "key/another")),
                Map.of("s3:x-amz-server-side-encryption", "AES256"),
                Map.of("s3:x-amz-server-side-encryption", "aws:kms:dsse"),
                Map.of("s3:x-amz-storage-class", "GLACIER"),
                Map.of("s3:x-amz-storage-class", "DEEP_ARCHIVE"))) {
            each.add(() -> assertEquals(Decision.EXPLICIT_DENY, put(acme, key, refused), refused.toString()));
        }
        assertAll(each);
    }

    static JsonNode read(String json) {
        try {
            return new ObjectMapper().readTree(json.replace('\'', '"'));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }
}
