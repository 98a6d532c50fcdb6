package org.hipoa.local.iam;

/**
 * Who may do what on the local stack: the principal is named by the access key ID its SDK client signs with, as
 * AWS names it by its credentials.
 */
public interface Authorizer {
    Decision decide(String accessKeyId, IamRequest request);
}
