package org.hipoa.local.iam;

/** A template the local stack cannot read or resolve as CloudFormation would; the message says which part. */
public final class CfnException extends RuntimeException {
    public CfnException(String message) { super(message); }
}
