package org.hipoa.local.iam;

import java.util.Objects;

/**
 * A resource-based policy (bucket policy, queue policy, key policy) and whether it must grant for any access at all.
 * KMS key policies must ({@code required}): an identity policy counts only where the key policy delegates to the
 * account (AWS KMS developer guide, "Key policies in AWS KMS"); bucket and queue policies need not.
 */
public record ResourcePolicy(PolicyDocument document, boolean required) {
    public ResourcePolicy {
        Objects.requireNonNull(document, "document");
        if (document.kind() != PolicyDocument.Kind.RESOURCE) throw new PolicyException("not a resource policy: " + document);
    }
}
