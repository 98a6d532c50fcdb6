package org.hipoa.local.iam;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * template.yaml as CloudFormation reads it: short-form tags as their long forms ({@link CfnYaml}), intrinsics
 * resolved against a {@link CfnBinding} ({@link CfnResolver}), and typed access to the policies in it — a role's
 * inline policies and the template's managed policies it attaches, a managed policy, the bucket, queue and key
 * policies. The raw tree stays available for everything else the local stack reads from the template.
 */
public final class CfnTemplate {
    private final JsonNode tree;
    private final CfnBinding binding;
    private final CfnResolver resolver;

    private CfnTemplate(JsonNode tree, CfnBinding binding) {
        this.tree = tree;
        this.binding = binding;
        this.resolver = new CfnResolver(tree, binding);
    }

    /** Reads a template with the default binding (account 000000000000, us-east-1, stack hipoa-local). */
    public static CfnTemplate load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static CfnTemplate parse(String yaml) {
        JsonNode tree = CfnYaml.read(yaml);
        if (!tree.path("Resources").isObject()) throw new CfnException("a template has a Resources section");
        return new CfnTemplate(tree, CfnBinding.builder().build());
    }

    /** The same template resolved against {@code binding}. */
    public CfnTemplate withBinding(CfnBinding binding) {
        return new CfnTemplate(tree, Objects.requireNonNull(binding));
    }

    public CfnBinding binding() { return binding; }

    /** The whole template, intrinsics in long form and unresolved. */
    public JsonNode raw() { return tree; }

    /** One resource's raw node; throws if the template has no such resource. */
    public JsonNode resource(String logicalId) { return resolver.resource(logicalId); }

    public String type(String logicalId) { return resolver.type(logicalId); }

    /** Whether the resource is created under this binding's parameters (its Condition, if any, holds). */
    public boolean exists(String logicalId) {
        JsonNode c = resource(logicalId).path("Condition");
        return c.isMissingNode() || resolver.condition(c.asText());
    }

    /** The logical IDs of the resources of one type that exist under this binding, in template order. */
    public List<String> logicalIds(String type) {
        List<String> out = new ArrayList<>();
        tree.path("Resources").properties().forEach(e -> {
            if (e.getValue().path("Type").asText().equals(type) && exists(e.getKey())) out.add(e.getKey());
        });
        return out;
    }

    public boolean condition(String name) { return resolver.condition(name); }

    /** The node with every intrinsic evaluated (AWS::NoValue entries left out). */
    public JsonNode resolve(JsonNode node) { return resolver.resolve(node); }

    /** Ref of a parameter, pseudo parameter or resource, as text (a list parameter is comma-joined). */
    public String ref(String name) {
        JsonNode v = resolver.ref(name);
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            v.forEach(i -> items.add(i.asText()));
            return String.join(",", items);
        }
        return v.asText();
    }

    public String getAtt(String logicalId, String attribute) { return resolver.getAtt(logicalId, attribute); }

    /**
     * A role's identity policies: its inline {@code Policies[].PolicyDocument} and the managed policies of this
     * template it attaches by Ref. A managed policy from outside the template (an AWS managed ARN) cannot be
     * evaluated here, so it throws rather than evaluating the role as if it did not have it.
     */
    public List<PolicyDocument> rolePolicies(String roleLogicalId) {
        JsonNode props = properties(roleLogicalId, "AWS::IAM::Role");
        List<PolicyDocument> out = new ArrayList<>();
        for (JsonNode p : resolve(props.path("Policies"))) {
            String name = roleLogicalId + "/" + p.path("PolicyName").asText("?");
            out.add(PolicyDocument.parse(p.path("PolicyDocument"), PolicyDocument.Kind.IDENTITY, name));
        }
        for (JsonNode arn : props.path("ManagedPolicyArns")) {
            String ref = arn.path("Ref").asText(null);
            if (ref == null || !tree.path("Resources").has(ref)) {
                throw new CfnException(roleLogicalId + " attaches a managed policy that is not in the template: " + arn);
            }
            out.add(managedPolicy(ref));
        }
        return out;
    }

    /** A role's own tags ({@code Tags: [{Key, Value}]}). */
    public Map<String, String> roleTags(String roleLogicalId) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (JsonNode t : resolve(properties(roleLogicalId, "AWS::IAM::Role").path("Tags"))) {
            tags.put(t.path("Key").asText(), t.path("Value").asText());
        }
        return tags;
    }

    /** The principal services a role trusts ({@code AssumeRolePolicyDocument}: {@code Principal.Service}). */
    public List<String> trustedServices(String roleLogicalId) {
        List<String> out = new ArrayList<>();
        JsonNode doc = resolve(properties(roleLogicalId, "AWS::IAM::Role").path("AssumeRolePolicyDocument"));
        for (JsonNode s : doc.path("Statement")) {
            JsonNode service = s.path("Principal").path("Service");
            if (service.isArray()) service.forEach(v -> out.add(v.asText()));
            else if (service.isTextual()) out.add(service.asText());
        }
        return out;
    }

    /** An {@code AWS::IAM::ManagedPolicy}'s document. */
    public PolicyDocument managedPolicy(String logicalId) {
        JsonNode doc = resolve(properties(logicalId, "AWS::IAM::ManagedPolicy").path("PolicyDocument"));
        return PolicyDocument.parse(doc, PolicyDocument.Kind.IDENTITY, logicalId);
    }

    /** The {@code AWS::S3::BucketPolicy} whose Bucket is {@code !Ref bucketLogicalId}, if any. */
    public Optional<PolicyDocument> bucketPolicy(String bucketLogicalId) {
        properties(bucketLogicalId, "AWS::S3::Bucket");
        List<String> found = new ArrayList<>();
        for (String id : logicalIds("AWS::S3::BucketPolicy")) {
            if (bucketLogicalId.equals(resource(id).path("Properties").path("Bucket").path("Ref").asText(null))) found.add(id);
        }
        return single(found, bucketLogicalId, "bucket policy")
                .map(id -> resourcePolicy(id, resource(id).path("Properties").path("PolicyDocument")));
    }

    /** The {@code AWS::SQS::QueuePolicy} whose Queues list {@code !Ref queueLogicalId}, if any. */
    public Optional<PolicyDocument> queuePolicy(String queueLogicalId) {
        properties(queueLogicalId, "AWS::SQS::Queue");
        List<String> found = new ArrayList<>();
        for (String id : logicalIds("AWS::SQS::QueuePolicy")) {
            for (JsonNode q : resource(id).path("Properties").path("Queues")) {
                if (queueLogicalId.equals(q.path("Ref").asText(null))) found.add(id);
            }
        }
        return single(found, queueLogicalId, "queue policy")
                .map(id -> resourcePolicy(id, resource(id).path("Properties").path("PolicyDocument")));
    }

    /** An {@code AWS::KMS::Key}'s key policy, if it states one. */
    public Optional<PolicyDocument> keyPolicy(String keyLogicalId) {
        JsonNode doc = properties(keyLogicalId, "AWS::KMS::Key").path("KeyPolicy");
        return doc.isMissingNode() ? Optional.empty() : Optional.of(resourcePolicy(keyLogicalId, doc));
    }

    private PolicyDocument resourcePolicy(String logicalId, JsonNode document) {
        return PolicyDocument.parse(resolve(document), PolicyDocument.Kind.RESOURCE, logicalId);
    }

    private JsonNode properties(String logicalId, String type) {
        if (!type(logicalId).equals(type)) throw new CfnException(logicalId + " is a " + type(logicalId) + ", not a " + type);
        if (!exists(logicalId)) throw new CfnException(logicalId + " is not created under this binding's parameters");
        return resource(logicalId).path("Properties");
    }

    private static Optional<String> single(List<String> found, String of, String what) {
        if (found.size() > 1) throw new CfnException(of + " has more than one " + what + ": " + found);
        return found.stream().findFirst();
    }
}
