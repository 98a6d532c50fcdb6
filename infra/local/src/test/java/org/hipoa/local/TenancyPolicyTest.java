package org.hipoa.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Write-side tenancy as template.yaml states it, checked by evaluating its own policy statements: a provider's
 * principal can upload only under its own prefix (so it cannot put a result into another provider's feed), nobody
 * untagged can upload at all, and the functions' roles cannot write the grant items that decide what partners read.
 *
 * <p>Why a hand-written evaluator: no IAM policy simulator is reachable offline, and S3Proxy/dynalite enforce no IAM.
 * It implements only what these statements use — Action and Resource/NotResource wildcards, {@code ${aws:...}}
 * policy variables, StringLike / StringEquals / Null / Bool / ForAllValues:StringLike — and IAM's rule that an
 * explicit Deny wins over any Allow; an element it does not know fails the test instead of being ignored.
 */
class TenancyPolicyTest {
    static final JsonNode TEMPLATE = read();
    static final String BUCKET = "arn:aws:s3:::hipoa-ingest-000000000000-us-east-1-test";

    static JsonNode read() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of("../../template.yaml")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    record Request(String action, String resource, Map<String, List<String>> context) {}

    static List<JsonNode> statements(String resource, String documentPath) {
        JsonNode doc = TEMPLATE.path("Resources").path(resource).path("Properties").at(documentPath);
        assertFalse(doc.isMissingNode(), resource + documentPath + " is missing");
        List<JsonNode> out = new ArrayList<>();
        doc.path("Statement").forEach(out::add);
        return out;
    }

    /** The statements of one role's inline policies. */
    static List<JsonNode> roleStatements(String role) {
        List<JsonNode> out = new ArrayList<>();
        TEMPLATE.path("Resources").path(role).path("Properties").path("Policies")
                .forEach(p -> p.path("PolicyDocument").path("Statement").forEach(out::add));
        assertFalse(out.isEmpty(), role + " has no inline statements");
        return out;
    }

    static boolean allowed(Request r, List<JsonNode> identity, List<JsonNode> resourcePolicy) {
        List<JsonNode> all = new ArrayList<>(identity);
        all.addAll(resourcePolicy);
        for (JsonNode s : all) if (s.path("Effect").asText().equals("Deny") && applies(s, r)) return false;
        for (JsonNode s : identity) if (s.path("Effect").asText().equals("Allow") && applies(s, r)) return true;
        return false;
    }

    static boolean applies(JsonNode s, Request r) {
        if (!anyMatch(s.path("Action"), r.action(), r)) return false;
        if (s.has("Resource") && !anyMatch(s.get("Resource"), r.resource(), r)) return false;
        if (s.has("NotResource") && anyMatch(s.get("NotResource"), r.resource(), r)) return false;
        var conditions = s.path("Condition").properties();
        for (Map.Entry<String, JsonNode> op : conditions) {
            for (Map.Entry<String, JsonNode> key : op.getValue().properties()) {
                if (!condition(op.getKey(), key.getKey(), key.getValue(), r)) return false;
            }
        }
        return true;
    }

    static boolean condition(String op, String key, JsonNode values, Request r) {
        List<String> wanted = new ArrayList<>();
        if (values.isArray()) values.forEach(v -> wanted.add(v.asText())); else wanted.add(values.asText());
        List<String> present = r.context().get(key);
        return switch (op) {
            case "Null" -> (present == null) == Boolean.parseBoolean(wanted.getFirst());
            case "StringLike" -> present != null && present.stream().anyMatch(v -> wanted.stream().anyMatch(w -> glob(w, v)));
            case "StringEquals" -> present != null && present.stream().anyMatch(wanted::contains);
            case "Bool" -> present != null && present.contains(wanted.getFirst());
            case "ForAllValues:StringLike" -> present == null
                    || present.stream().allMatch(v -> wanted.stream().anyMatch(w -> glob(w, v)));
            default -> throw new AssertionError("the evaluator does not know condition operator " + op);
        };
    }

    static boolean anyMatch(JsonNode patterns, String value, Request r) {
        List<String> ps = new ArrayList<>();
        if (patterns.isArray()) patterns.forEach(p -> ps.add(p.asText())); else ps.add(patterns.asText());
        for (String p : ps) {
            String resolved = resolve(p, r);
            if (resolved != null && glob(resolved, value)) return true;
        }
        return false;
    }

    /** CloudFormation references to the bucket, then IAM policy variables; null when a variable has no value. */
    static String resolve(String p, Request r) {
        String s = p.replace("${IngestBucket.Arn}", BUCKET).replace("IngestBucket.Arn", BUCKET)
                .replace("${ResultsTable.Arn}", "arn:aws:dynamodb:table/results").replace("ResultsTable.Arn",
                        "arn:aws:dynamodb:table/results").replace("${!", "${");
        Matcher m = Pattern.compile("\\$\\{(aws:[^}]+)}").matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            List<String> v = r.context().get(m.group(1));
            if (v == null) return null; // IAM: an unresolvable variable makes the element not match
            m.appendReplacement(out, Matcher.quoteReplacement(v.getFirst()));
        }
        m.appendTail(out);
        return out.toString();
    }

    static boolean glob(String pattern, String value) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            re.append(switch (c) {
                case '*' -> ".*";
                case '?' -> ".";
                default -> Pattern.quote(String.valueOf(c));
            });
        }
        return value.matches(re.toString());
    }

    static Request put(String key, Map<String, List<String>> context) {
        return new Request("s3:PutObject", BUCKET + "/" + key, context);
    }

    @Test
    void aProvider_uploadsOnlyUnderItsOwnPrefix() {
        List<JsonNode> bucket = statements("IngestBucketPolicy", "/PolicyDocument");
        List<JsonNode> provider = statements("ProviderUploadPolicy", "/PolicyDocument");
        Map<String, List<String>> acme = Map.of("aws:PrincipalTag/hipoa-provider", List.of("acme-clinic"),
                "aws:SecureTransport", List.of("true"));
        assertTrue(allowed(put("incoming/acme-clinic/2026-12-01/film.dcm", acme), provider, bucket));
        for (String other : List.of("incoming/other-clinic/film.dcm", "incoming/acme-clinic-2/film.dcm",
                "incoming/film.dcm", "results/acme-clinic/x/right.png", "elsewhere/acme-clinic/film.dcm")) {
            assertFalse(allowed(put(other, acme), provider, bucket), other);
        }
    }

    @Test
    void anUntaggedPrincipal_cannotUpload_evenWithABroadGrant() {
        List<JsonNode> bucket = statements("IngestBucketPolicy", "/PolicyDocument");
        JsonNode admin = new ObjectMapper().createObjectNode().put("Effect", "Allow").put("Action", "s3:*")
                .put("Resource", "*");
        Map<String, List<String>> untagged = Map.of("aws:SecureTransport", List.of("true"));
        assertFalse(allowed(put("incoming/acme-clinic/film.dcm", untagged), List.of(admin), bucket));
        // The deny is about uploads: the same broad grant still reads (the functions' roles are untagged).
        assertTrue(allowed(new Request("s3:GetObject", BUCKET + "/incoming/acme-clinic/film.dcm", untagged),
                List.of(admin), bucket));
    }

    @Test
    void theFunctionsRoles_cannotWriteGrantItems() {
        for (String role : List.of("PreprocessRole", "InferenceRole", "GpuTaskRole", "DeadLetterRole", "SweepRole")) {
            if (TEMPLATE.path("Resources").path(role).isMissingNode()) continue;
            List<JsonNode> statements = roleStatements(role);
            Map<String, List<String>> upload = Map.of("dynamodb:LeadingKeys", List.of("UPLOAD#0123456789abcdef0123456789abcdef"));
            Map<String, List<String>> grant = Map.of("dynamodb:LeadingKeys", List.of("APIKEY#0123456789abcdef0123456789abcdef"));
            String table = "arn:aws:dynamodb:table/results";
            assertTrue(allowed(new Request("dynamodb:UpdateItem", table, upload), statements, List.of()), role);
            for (String action : List.of("dynamodb:PutItem", "dynamodb:UpdateItem")) {
                assertFalse(allowed(new Request(action, table, grant), statements, List.of()), role + " " + action);
            }
        }
    }
}
