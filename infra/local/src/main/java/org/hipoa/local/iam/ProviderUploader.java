package org.hipoa.local.iam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A provider's upload role as the operator creates it (template.yaml, ProviderUploadPolicy): named after the
 * provider under the path {@code /hipoa-provider/} in the stack's account, tagged {@code hipoa-provider=<name>},
 * with ProviderUploadPolicy attached — and the ways a real one can differ, for the tests that show the bucket
 * policy holds anyway: session tags, a different tag value, another account, other identity policies.
 *
 * @param account      the role's account; null for the stack's own
 * @param policies     identity policies beside ProviderUploadPolicy (what a provider's own admin might attach)
 */
public record ProviderUploader(String name, String tagValue, Map<String, String> sessionTags, String account,
                               String path, List<PolicyDocument> policies, String accessKeyId) {
    public static final String TAG = "hipoa-provider";
    public static final String PATH = "/hipoa-provider/";

    public ProviderUploader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tagValue, "tagValue");
        sessionTags = Map.copyOf(sessionTags);
        Objects.requireNonNull(path, "path");
        policies = List.copyOf(policies);
        Objects.requireNonNull(accessKeyId, "accessKeyId");
    }

    /** The role the operator creates for provider {@code name}; its access key is {@code provider-<name>}. */
    public static ProviderUploader named(String name) {
        return new ProviderUploader(name, name, Map.of(), null, PATH, List.of(), "provider-" + name);
    }

    /** The role tagged {@code hipoa-provider=value} instead of its own name. */
    public ProviderUploader taggedAs(String value) {
        return new ProviderUploader(name, value, sessionTags, account, path, policies, accessKeyId);
    }

    /** A session of the role carrying {@code hipoa-provider=value} as a session tag (sts:TagSession). */
    public ProviderUploader withSessionTag(String value) {
        Map<String, String> tags = new LinkedHashMap<>(sessionTags);
        tags.put(TAG, value);
        return new ProviderUploader(name, tagValue, tags, account, path, policies, accessKeyId);
    }

    /** The same role, but in another account. */
    public ProviderUploader inAccount(String otherAccount) {
        return new ProviderUploader(name, tagValue, sessionTags, otherAccount, path, policies, accessKeyId);
    }

    /** The role under another IAM path ({@code /} for none). */
    public ProviderUploader atPath(String otherPath) {
        return new ProviderUploader(name, tagValue, sessionTags, account, otherPath, policies, accessKeyId);
    }

    /** More identity policies on the role. */
    public ProviderUploader alsoAttached(PolicyDocument policy) {
        List<PolicyDocument> all = new ArrayList<>(policies);
        all.add(policy);
        return new ProviderUploader(name, tagValue, sessionTags, account, path, all, accessKeyId);
    }

    public ProviderUploader withAccessKeyId(String key) {
        return new ProviderUploader(name, tagValue, sessionTags, account, path, policies, key);
    }
}
