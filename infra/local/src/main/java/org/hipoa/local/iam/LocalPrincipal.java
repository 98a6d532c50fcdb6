package org.hipoa.local.iam;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Who signs a request on the local stack: an access key, the session ARN AWS reports as the caller, the ARN of the
 * role (or user, or root) behind it, which is what {@code aws:PrincipalArn} holds, its account, and its identity
 * policies. Tags: the role's, with the session's tags winning for the same key, as STS applies session tags
 * (IAM user guide, "Passing session tags in AWS STS"); tag keys compare case-insensitively.
 *
 * @param callerArn  {@code arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION}, or the user's or root's ARN
 * @param principalArn the role's ARN with its path ({@code aws:PrincipalArn}); for a user or root, their ARN
 * @param userId     {@code aws:userid}: {@code ROLEID:SESSION} for a role session
 * @param userName   {@code aws:username}: an IAM user's name; null for roles and root, where AWS has no value
 */
public record LocalPrincipal(String accessKeyId, String secretAccessKey, String callerArn, String principalArn,
                             String account, String userId, String userName, Map<String, String> roleTags,
                             Map<String, String> sessionTags, List<PolicyDocument> identityPolicies) {
    public LocalPrincipal {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        Objects.requireNonNull(callerArn, "callerArn");
        Objects.requireNonNull(principalArn, "principalArn");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(userId, "userId");
        roleTags = Map.copyOf(roleTags);
        sessionTags = Map.copyOf(sessionTags);
        identityPolicies = List.copyOf(identityPolicies);
        for (PolicyDocument d : identityPolicies) {
            if (d.kind() != PolicyDocument.Kind.IDENTITY) throw new PolicyException("not an identity policy: " + d);
        }
    }

    /** The effective tags: the role's, overridden key by key (case-insensitively) by the session's. */
    public Map<String, String> tags() {
        Map<String, String> tags = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        tags.putAll(roleTags);
        tags.putAll(sessionTags);
        return tags;
    }

    /** This session with extra session tags (what {@code sts:AssumeRole} with {@code Tags} gives). */
    public LocalPrincipal withSessionTags(Map<String, String> tags) {
        Map<String, String> all = new LinkedHashMap<>(sessionTags);
        all.putAll(tags);
        return new LocalPrincipal(accessKeyId, secretAccessKey, callerArn, principalArn, account, userId, userName,
                roleTags, all, identityPolicies);
    }

    /** The global condition keys AWS derives from the caller (IAM user guide, "AWS global condition context keys"). */
    Map<String, List<String>> contextKeys() {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        keys.put("aws:PrincipalArn", List.of(principalArn));
        keys.put("aws:PrincipalAccount", List.of(account));
        keys.put("aws:userid", List.of(userId));
        if (userName != null) keys.put("aws:username", List.of(userName));
        keys.put("aws:PrincipalType", List.of(principalArn.endsWith(":root") ? "Account"
                : callerArn.contains(":assumed-role/") ? "AssumedRole" : "User"));
        tags().forEach((k, v) -> keys.put("aws:PrincipalTag/" + k, List.of(v)));
        return keys;
    }
}
