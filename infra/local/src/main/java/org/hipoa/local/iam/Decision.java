package org.hipoa.local.iam;

/** IAM's three outcomes: only an allow with no explicit deny anywhere lets the call through. */
public enum Decision {
    ALLOW, IMPLICIT_DENY, EXPLICIT_DENY;

    public boolean allowed() { return this == ALLOW; }
}
