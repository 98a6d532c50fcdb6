package org.hipoa.local.iam;

import java.util.Optional;

/**
 * IAM's decision for one request of one caller (IAM user guide, "Policy evaluation logic"), over the policy types
 * the local stack has: the caller's identity policies and the resource's policy (no SCPs, permission boundaries or
 * session policies). An explicit Deny in any of them wins. Otherwise, in the resource's own account, an Allow in an
 * identity policy, or in the resource policy naming the caller itself, allows; a resource policy naming only the
 * account delegates to IAM and adds nothing. Across accounts both must allow. Anything else is an implicit deny.
 */
public final class PolicyEvaluator {
    private PolicyEvaluator() {}

    /**
     * @param resourceAccount the account that owns the resource (for S3, whose ARNs carry none, the bucket owner's)
     */
    public static Decision decide(LocalPrincipal caller, IamRequest request, Optional<ResourcePolicy> resourcePolicy,
                                  String resourceAccount) {
        RequestContext context = new RequestContext(request, caller);
        boolean identityAllows = false;
        for (PolicyDocument d : caller.identityPolicies()) {
            for (Statement s : d.statements()) {
                if (!s.applies(request, context)) continue;
                if (!s.allow()) return Decision.EXPLICIT_DENY;
                identityAllows = true;
            }
        }
        Principals.Match resourceAllows = Principals.Match.NONE;
        if (resourcePolicy.isPresent()) {
            for (Statement s : resourcePolicy.get().document().statements()) {
                Principals.Match m = s.principalMatch(caller);
                if (m == Principals.Match.NONE || !s.applies(request, context)) continue;
                if (!s.allow()) return Decision.EXPLICIT_DENY;
                if (m.compareTo(resourceAllows) > 0) resourceAllows = m;
            }
        }
        boolean sameAccount = caller.account().equals(resourceAccount);
        boolean required = resourcePolicy.map(ResourcePolicy::required).orElse(false);
        boolean allowed;
        if (!sameAccount) {
            allowed = identityAllows && resourceAllows != Principals.Match.NONE;
        } else if (required) {
            allowed = resourceAllows == Principals.Match.SPECIFIC
                    || (resourceAllows == Principals.Match.ACCOUNT && identityAllows);
        } else {
            allowed = identityAllows || resourceAllows == Principals.Match.SPECIFIC;
        }
        return allowed ? Decision.ALLOW : Decision.IMPLICIT_DENY;
    }
}
