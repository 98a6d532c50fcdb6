package org.hipoa.local.iam;

/**
 * A policy the local evaluator will not guess about: an element, operator or value it does not know, or one IAM
 * itself would refuse. Thrown instead of skipping the part, so a policy is never read as more permissive (or less)
 * than AWS reads it.
 */
public final class PolicyException extends RuntimeException {
    public PolicyException(String message) { super(message); }
}
