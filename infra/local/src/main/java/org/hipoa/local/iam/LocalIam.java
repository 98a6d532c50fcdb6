package org.hipoa.local.iam;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local stack's IAM: principals by access key ID and resource policies by ARN, all from template.yaml, and
 * {@link PolicyEvaluator} for each request. Built with one principal per role the stack's code runs as (the roles
 * trusting Lambda, Step Functions or ECS tasks; access key = the role's logical ID, e.g. {@code PreprocessRole}),
 * an administrator for the test harness ({@link #ADMIN_ACCESS_KEY}), and provider uploaders added on demand. An
 * unknown access key is denied, as AWS refuses an unknown key.
 */
public final class LocalIam implements Authorizer {
    public static final String ADMIN_ACCESS_KEY = "LocalAdmin";
    /** The managed policy a provider's upload role attaches. */
    public static final String PROVIDER_POLICY = "ProviderUploadPolicy";

    private static final Set<String> CODE_RUNS_AS = Set.of("lambda.amazonaws.com", "states.amazonaws.com",
            "ecs-tasks.amazonaws.com");

    private final CfnTemplate template;
    private final Map<String, LocalPrincipal> principals = new ConcurrentHashMap<>();
    /** Bucket ARN (covers its objects), queue ARN or key ARN → its policy. */
    private final Map<String, ResourcePolicy> resourcePolicies;

    private LocalIam(CfnTemplate template, Map<String, ResourcePolicy> resourcePolicies) {
        this.template = template;
        this.resourcePolicies = Map.copyOf(resourcePolicies);
    }

    public static LocalIam fromTemplate(CfnTemplate template) {
        Map<String, ResourcePolicy> policies = new LinkedHashMap<>();
        for (String bucket : template.logicalIds("AWS::S3::Bucket")) {
            template.bucketPolicy(bucket).ifPresent(p -> policies.put(template.getAtt(bucket, "Arn"), new ResourcePolicy(p, false)));
        }
        for (String queue : template.logicalIds("AWS::SQS::Queue")) {
            template.queuePolicy(queue).ifPresent(p -> policies.put(template.getAtt(queue, "Arn"), new ResourcePolicy(p, false)));
        }
        for (String key : template.logicalIds("AWS::KMS::Key")) {
            template.keyPolicy(key).ifPresent(p -> policies.put(template.getAtt(key, "Arn"), new ResourcePolicy(p, true)));
        }
        LocalIam iam = new LocalIam(template, policies);
        for (String role : template.logicalIds("AWS::IAM::Role")) {
            if (template.trustedServices(role).stream().anyMatch(CODE_RUNS_AS::contains)) iam.register(iam.rolePrincipal(role));
        }
        iam.register(iam.adminPrincipal());
        return iam;
    }

    @Override
    public Decision decide(String accessKeyId, IamRequest request) {
        LocalPrincipal caller = accessKeyId == null ? null : principals.get(accessKeyId);
        if (caller == null) return Decision.IMPLICIT_DENY;
        return PolicyEvaluator.decide(caller, request, resourcePolicy(request.resource()), resourceAccount(request.resource()));
    }

    /** The principal signing with this key, if any. */
    public Optional<LocalPrincipal> principal(String accessKeyId) {
        return Optional.ofNullable(principals.get(accessKeyId));
    }

    /** The session of a template role (its access key is its logical ID). */
    public LocalPrincipal role(String roleLogicalId) {
        LocalPrincipal p = principals.get(roleLogicalId);
        if (p == null) throw new IllegalArgumentException("no role principal " + roleLogicalId + "; have " + principals.keySet());
        return p;
    }

    public LocalPrincipal admin() { return principals.get(ADMIN_ACCESS_KEY); }

    /** Registers (or replaces) a principal under its access key. */
    public LocalPrincipal register(LocalPrincipal p) {
        principals.put(p.accessKeyId(), p);
        return p;
    }

    /** Registers a provider's upload role session; see {@link ProviderUploader}. */
    public LocalPrincipal addProvider(ProviderUploader u) {
        CfnBinding b = template.binding();
        String account = u.account() == null ? b.account() : u.account();
        String roleArn = "arn:" + b.partition() + ":iam::" + account + ":role" + u.path() + u.name();
        List<PolicyDocument> policies = new ArrayList<>();
        policies.add(template.managedPolicy(PROVIDER_POLICY));
        policies.addAll(u.policies());
        return register(new LocalPrincipal(u.accessKeyId(), "local-secret-" + u.accessKeyId(),
                "arn:" + b.partition() + ":sts::" + account + ":assumed-role/" + u.name() + "/upload", roleArn, account,
                "AROAPROVIDER" + Integer.toHexString(roleArn.hashCode()).toUpperCase() + ":upload", null,
                Map.of(ProviderUploader.TAG, u.tagValue()), u.sessionTags(), policies));
    }

    /** The resource's policy: a bucket's covers the bucket and every object in it. */
    public Optional<ResourcePolicy> resourcePolicy(String resourceArn) {
        ResourcePolicy exact = resourcePolicies.get(resourceArn);
        if (exact != null) return Optional.of(exact);
        int slash = resourceArn.indexOf('/');
        if (resourceArn.startsWith("arn:") && resourceArn.split(":", 6)[2].equals("s3") && slash > 0) {
            return Optional.ofNullable(resourcePolicies.get(resourceArn.substring(0, slash)));
        }
        return Optional.empty();
    }

    /** The account in the ARN; S3 ARNs carry none, and every local bucket is the stack account's. */
    private String resourceAccount(String resourceArn) {
        String[] parts = resourceArn.split(":", 6);
        return parts.length == 6 && !parts[4].isEmpty() ? parts[4] : template.binding().account();
    }

    private LocalPrincipal rolePrincipal(String role) {
        CfnBinding b = template.binding();
        String name = template.ref(role);
        return new LocalPrincipal(role, "local-secret-" + role,
                "arn:" + b.partition() + ":sts::" + b.account() + ":assumed-role/" + name + "/" + role,
                template.getAtt(role, "Arn"), b.account(), template.getAtt(role, "RoleId") + ":" + role, null,
                template.roleTags(role), Map.of(), template.rolePolicies(role));
    }

    /** Everything by identity, like the account's root; resource-policy denies still apply to it, as to root. */
    private LocalPrincipal adminPrincipal() {
        CfnBinding b = template.binding();
        String root = "arn:" + b.partition() + ":iam::" + b.account() + ":root";
        PolicyDocument everything;
        try {
            everything = PolicyDocument.parse(new ObjectMapper().readTree(
                    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}"),
                    PolicyDocument.Kind.IDENTITY, "local administrator");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return new LocalPrincipal(ADMIN_ACCESS_KEY, "local-secret-admin", root, root, b.account(), b.account(), null,
                Map.of(), Map.of(), List.of(everything));
    }
}
